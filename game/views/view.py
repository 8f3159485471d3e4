"""The window's views: each mode (evolving, test-driving, …) has its own update, draw and commands.

As in Arcade, the window shows one view at a time and passes it the frame's work; a view that hands
over to another (a test drive started from an evolving run) keeps a reference to go back to, rather
than the window knowing which views exist. The window tells a view when it is shown and hidden (on_show,
on_hide: set-up that touches the window goes there, not in the constructor).

A frame is events (key, click, event), then the update (update: the race stepped, not while paused;
then arrange: what follows the race, every drawn frame), then draw. Drawing reads state and never
changes it: tests/test_draw_pure.py draws every view twice and checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pygame

from game.drawing.layout import Layout
from game.panels import registry
from game.panels.panel import Panel

if TYPE_CHECKING:
    from game.window import Window


class View:
    """One mode of the window. Subclasses override what they need; the defaults do nothing."""

    title = ""
    back: View | None = None  # the view this one returns to (a test drive's evolving run); endings go there

    def __init__(self, window: Window) -> None:
        self.window = window
        # the view's parts in the layout's slots (the network, the numbers, the chart, ...): those registered for
        # views of this title (game/panels/registry.py; the built-in ones are registered by each view's module)
        self.registered: list[Panel] = registry.parts(type(self).title, self)
        self.panels: list[Panel] = []  # and those the view adds and takes away itself (the settings panel, P)

    def parts(self) -> list[Panel]:
        """Every panel of the view: those registered for it, then its own."""
        return [*self.registered, *self.panels]

    def part(self, kind: type[Panel]) -> Panel | None:
        """The view's first panel of the kind (NetworkPanel, ChartPanel, ...), or None."""
        return next((panel for panel in self.parts() if isinstance(panel, kind)), None)

    def update_panels(self, layout: Layout) -> None:
        """Each panel's update, in its slot (from arrange)."""
        for panel in self.parts():
            panel.update(layout.slot(panel.slot), layout.scale)

    def draw_panels(self, surface: pygame.Surface, layout: Layout, on_top: bool = False) -> None:
        """Each panel drawn in its slot, in the order of parts() (from draw): those in the view's layer, or
        (on_top) those drawn over everything else of the view (Panel.on_top)."""
        for panel in self.parts():
            if panel.on_top == on_top:
                panel.draw(surface, layout.slot(panel.slot), layout.scale)

    def click_panels(self, position: tuple[int, int], layout: Layout) -> bool:
        """The click given to the panel whose slot is under it, those on top first; True if one used it (from
        click)."""
        for panel in sorted(self.parts(), key=lambda panel: not panel.on_top):
            rect = layout.slot(panel.slot)
            if rect.collidepoint(position) and panel.click(position, rect):
                return True
        return False

    def on_show(self) -> None:
        """The window shows this view (called each time it comes to the front)."""

    def on_hide(self) -> None:
        """The window shows another view in this one's place (it may come back)."""

    def update(self, steps: int, deadline: float) -> None:
        """Advance what the view shows by up to `steps` race steps, stopping at the deadline (perf_counter)."""

    def arrange(self, layout: Layout) -> None:
        """The rest of the frame's update, paused or not, before drawing: what follows the race (the camera,
        the replay for the eye), the panels' layout and pictures for this layout. Drawing only reads them."""

    def step(self) -> None:
        """One race step while paused."""

    def draw(self, surface: pygame.Surface, layout: Layout) -> None:
        """Draw the view into the layout's parts (the window draws the footer, banners and messages)."""

    def command(self, name: str) -> bool:
        """Carry out a command of the key table; False if this view has no such command."""
        handler = getattr(self, f"do_{name}", None)
        if handler is None:
            return False
        handler()
        return True

    def event(self, event: pygame.event.Event) -> bool:
        """Any event, before the window handles it; True if the view used it (an open panel's clicks and typing)."""
        return False

    def key(self, event: pygame.event.Event) -> bool:
        """A key pressed, before the key table sees it; True if the view used it (a list, a question)."""
        return False

    def click(self, position: tuple[int, int], layout: Layout) -> None:
        """A left click at a window position."""

    def banner(self) -> str:
        """A line to show over the track view, or ''."""
        return ""

    def message_area(self, layout: Layout) -> pygame.Rect:
        """Where the window puts its banner and messages: the track view, or the part of it a panel leaves."""
        return layout.view

    # The run's endings: a view with a run of its own overrides them; one in front of another passes them on.
    def finish(self) -> None:
        """Bring half-done work to an end before a checkpoint or quitting."""
        if self.back is not None:
            self.back.finish()

    def run_evolving(self):
        """The evolution run this view shows or goes back to (whose checkpoint and saves the window writes)."""
        return self.back.run_evolving() if self.back is not None else None

    def checkpoint(self) -> None:
        """Write the run's checkpoint, if it has one, after closing a generation that is closing."""
        if self.back is not None:
            self.back.checkpoint()

    def quit(self) -> None:
        """The user quits: write the checkpoint, and save what is new."""
        if self.back is not None:
            self.back.quit()

    def close(self) -> None:
        """Let go of files and threads."""
        if self.back is not None:
            self.back.close()
