"""The one frame every panel is drawn in (draw_panel: a white background, a thin edge and a bold title), its
measures (header_height, content_rect) and a panel's picture: what panels, views and the ghosts' table draw with.
"""

from __future__ import annotations

import pygame

from game.drawing import palette
from game.drawing.scale import Scale, as_scale
from game.drawing.text import draw, fit

TITLE_SIZE = 13
PAD = 8  # pixels at 1280×720 between the edge and the content, left and right
TITLE_TOP = 5
HEADER = 26  # pixels at 1280×720 from the panel's top to its content


def picture(size: tuple[int, int]) -> pygame.Surface:
    """An opaque surface to draw a picture kept between frames on, in the screen's pixel format when there is a
    screen (its blit is then a copy, not a conversion of every pixel)."""
    screen = pygame.display.get_surface() if pygame.display.get_init() else None
    return pygame.Surface(size, 0, screen) if screen is not None else pygame.Surface(size)


def header_height(scale: Scale | float = 1.0) -> int:
    """Pixels from a panel's top edge to its content: the title line and a little air."""
    s = as_scale(scale)
    return max(s.px(HEADER), s.px(TITLE_TOP) + s.font(TITLE_SIZE, bold=True).get_linesize() + s.px(4))


def content_rect(rect: pygame.Rect, scale: Scale | float = 1.0, titled: bool = True) -> pygame.Rect:
    """The rect draw_panel leaves for a panel's content at rect (with a title, or without)."""
    s = as_scale(scale)
    if rect.width <= 0 or rect.height <= 0:  # a panel the layout folded away
        return pygame.Rect(rect.x, rect.y, 0, 0)
    pad = s.px(PAD)
    top = header_height(s) if titled else pad
    return pygame.Rect(rect.x + pad, rect.y + top, max(rect.width - 2 * pad, 0), max(rect.height - top - pad // 2, 0))


def draw_panel(
    surface: pygame.Surface,
    rect: pygame.Rect,
    title: str,
    scale: Scale | float = 1.0,
    title_colour: tuple[int, int, int] = palette.TEXT,
    title_room: int | None = None,
) -> pygame.Rect:
    """Draw a panel's background, edge and title (shortened to fit); return the rect left for its content.

    title_room: the most pixels the title may take (default: the whole width inside the padding), so a
    caller can keep the rest of the title line for itself (a legend).
    """
    s = as_scale(scale)
    if rect.width <= 0 or rect.height <= 0:  # a panel the layout folded away
        return pygame.Rect(rect.x, rect.y, 0, 0)
    pygame.draw.rect(surface, palette.PANEL, rect)
    pygame.draw.rect(surface, palette.PANEL_EDGE, rect, max(1, s.px(1)))
    pad = s.px(PAD)
    room = rect.width - 2 * pad if title_room is None else min(title_room, rect.width - 2 * pad)
    if title and room > 0:
        title_font = s.font(TITLE_SIZE, bold=True)
        if title_font.get_height() <= rect.height - s.px(TITLE_TOP):
            shown = fit(title_font, title, room)
            draw(
                surface,
                title_font,
                shown,
                title_colour,
                rect,
                palette.PANEL,
                topleft=(rect.x + pad, rect.y + s.px(TITLE_TOP)),
            )
    return content_rect(rect, s, bool(title))
