"""Panel: the part of a view that a slot of the layout holds (Arcade's Section), with an update, a drawing and
clicks of its own; the frame it is drawn in is game/drawing/frame.py's draw_panel."""

from __future__ import annotations

import pygame

from game.drawing.scale import Scale


class Panel:
    """A part of a view in a slot of the layout (Arcade's Section), with an update, a drawing and clicks of its
    own. `slot` names the layout's rect it is given (Layout.slot: "stats", "chart", "network", ...). A view's
    panels are those registered for its kind (game/panels/registry.py), then those it adds itself (`panels`);
    its update phase calls update, its drawing draw, its clicks click, each with the slot's rect
    (View.update_panels, draw_panels, click_panels). A new panel is a module with a subclass and a line that
    registers it."""

    slot = ""
    on_top = False  # drawn after the view's own overlays and clicked first (the settings panel over the view)

    def update(self, rect: pygame.Rect, scale: Scale) -> None:
        """The frame's update, paused or not, before drawing: what the drawing will read (a picture, places)."""

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, scale: Scale) -> None:
        """Draw the panel into rect, reading what update left; never changes state."""

    def click(self, position: tuple[int, int], rect: pygame.Rect) -> bool:
        """A left click at position, inside rect; True if the panel used it."""
        return False
