"""Panels registered for a kind of view, so that a new panel is one module and one line:

    register("evolving", DiversityPanel, place=lambda layout: ...)

`place` (optional) gives the panel a slot of its own in the layout (Layout.add_slot, named by the panel's `slot`);
without it the panel goes in one of the layout's slots. Every view whose title is the kind makes its registered
panels when it is made (View.__init__: each maker is called with the view) and updates, draws and clicks them
in their slots, in the order registered, before those it adds itself (the settings panel). The built-in panels
are registered this way too, each view's by its own module (the evolving view's network, numbers and chart).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pygame

from game.drawing.layout import Layout
from game.panels.panel import Panel

Make = Callable[[Any], Panel]  # (the view) -> its panel: a Panel subclass taking the view, or any function
_REGISTERED: dict[str, list[Make]] = {}


def register(view: str, make: Make, place: Callable[[Layout], pygame.Rect] | None = None) -> Make:
    """Views titled `view` ("evolving", "replay", "test drive", ...) get a panel made by make(view); place: where
    the panel's slot (make.slot) goes in a layout, if it is a slot of its own. Returns make."""
    if place is not None:
        Layout.add_slot(make.slot, place)
    _REGISTERED.setdefault(view, []).append(make)
    return make


def unregister(view: str, make: Make) -> None:
    """Undo register(view, make): views made from now on do without it (and its own slot, if it had one)."""
    _REGISTERED[view].remove(make)
    Layout.remove_slot(getattr(make, "slot", ""))


def parts(view: str, owner: Any) -> list[Panel]:
    """The panels registered for views titled `view`, made for owner."""
    return [make(owner) for make in _REGISTERED.get(view, [])]
