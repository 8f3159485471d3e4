"""Text helpers shared by the panels: drawing a line of text (and keeping where it went), shortening to a
width, and numbers that never read "-0.00".

Every text a frame draws goes through draw() or place(), which keep, per surface, a Drawn record of it: its
rectangle, the panel it belongs to, its font size, its colour and what is behind it. A picture kept between
frames (the chart, the network view) carries its records, and show() copies them onto the surface the
picture is blitted to; the window forgets the screen's records at the start of each frame. So a test can
ask, after any frame, what text is on screen and where (drawn()).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import pygame

Colour = tuple[int, int, int]


@dataclass(frozen=True)
class Drawn:
    """One text on a surface: where, in which panel, at what font size, in what colour on what background."""

    rect: pygame.Rect
    panel: pygame.Rect
    text: str
    size: int
    colour: Colour
    background: Colour


_DRAWN: weakref.WeakKeyDictionary[pygame.Surface, list[Drawn]] = weakref.WeakKeyDictionary()
_TAKEN: weakref.WeakKeyDictionary[pygame.Surface, list[pygame.Rect]] = weakref.WeakKeyDictionary()
# every rect a label must not cover (the texts' and the reserved places), in one list for Rect.collidelist
_COVERED: weakref.WeakKeyDictionary[pygame.Surface, list[pygame.Rect]] = weakref.WeakKeyDictionary()
# rendered texts by (font, text, colour): most of a frame's texts are the last frame's (rendering is the costly
# part of text); emptied when it holds RENDERED_LIMIT texts or RENDERED_BYTES of pixels (at 3840×2160 a line of
# text is a few hundred kilobytes, and the numbers that change every frame would fill it with new ones)
_RENDERED: dict[tuple, pygame.Surface] = {}
RENDERED_LIMIT = 1024
RENDERED_BYTES = 24 * 2**20
_rendered_bytes = 0


def rendered(
    text_font: pygame.font.Font, text: str, colour: Colour, background: Colour | None = None
) -> pygame.Surface:
    """text rendered (anti-aliased) in colour, on background if given (an opaque picture: its blit is a copy,
    several times cheaper than blending a transparent one, which at 3840×2160 was a large part of a frame),
    from the cache when it was rendered before."""
    global _rendered_bytes
    key = (text_font, text, colour, background)  # the font itself: an id could be reused by a later font
    surface = _RENDERED.get(key)
    if surface is None:
        if len(_RENDERED) >= RENDERED_LIMIT or _rendered_bytes >= RENDERED_BYTES:
            _RENDERED.clear()
            _rendered_bytes = 0
        surface = _RENDERED[key] = text_font.render(text, True, colour, background)
        _rendered_bytes += surface.get_width() * surface.get_height() * surface.get_bytesize()
    return surface


def drawn(surface: pygame.Surface) -> list[Drawn]:
    """The texts drawn on surface since it was last forgotten (forget())."""
    return list(_DRAWN.get(surface, ()))


def forget(surface: pygame.Surface) -> None:
    """Start surface's records afresh (the window does at each frame; a picture when it is redrawn)."""
    _DRAWN[surface] = []
    _TAKEN[surface] = []
    _COVERED[surface] = []


def reserve(surface: pygame.Surface, rect: pygame.Rect) -> None:
    """Keep rect of surface free of labels placed from now on (a mark a label must not cover, a message box
    drawn later in the frame)."""
    _TAKEN.setdefault(surface, []).append(pygame.Rect(rect))
    _COVERED.setdefault(surface, []).append(pygame.Rect(rect))


def taken(surface: pygame.Surface) -> list[pygame.Rect]:
    """The places of surface reserved so far this frame (reserve())."""
    return list(_TAKEN.get(surface, ()))


def cover(surface: pygame.Surface, rect: pygame.Rect) -> None:
    """An opaque box is drawn over rect: the texts wholly under it are no longer seen, so no longer kept."""
    kept = [entry for entry in _DRAWN.get(surface, ()) if not rect.contains(entry.rect)]
    _DRAWN[surface] = kept
    _COVERED[surface] = [*_TAKEN.get(surface, ()), *(entry.rect for entry in kept)]


def free(surface: pygame.Surface, rect: pygame.Rect, panel: pygame.Rect) -> bool:
    """True if rect lies inside panel and covers no text drawn or place reserved on surface so far."""
    return panel.contains(rect) and rect.collidelist(_COVERED.get(surface, [])) < 0


def around(x: float, y: float, gap: float, width: int, height: int) -> list[tuple[float, float]]:
    """Top-left corners for a width×height label beside a mark at (x, y) gap pixels in radius: right, left,
    above, below, then the diagonals, then one and two lines farther up and down."""
    right, left = x + gap, x - gap - width
    middle = y - height / 2
    corners = [(right, middle), (left, middle), (x - width / 2, y - gap - height), (x - width / 2, y + gap)]
    corners += [(right, y - gap - height), (right, y + gap), (left, y - gap - height), (left, y + gap)]
    for lines in (1, 2):
        for side in (right, left, x - width / 2):
            corners += [(side, y - gap - (lines + 1) * height), (side, y + gap + lines * height)]
    return corners


def spot(
    surface: pygame.Surface, size: tuple[int, int], candidates: list[tuple[float, float]], panel: pygame.Rect
) -> pygame.Rect | None:
    """The first of candidate top-left corners where a label of size is free (free()), or None."""
    for x, y in candidates:
        rect = pygame.Rect(round(x), round(y), *size)
        if free(surface, rect, panel):
            return rect
    return None


def record(
    surface: pygame.Surface,
    rect: pygame.Rect,
    panel: pygame.Rect,
    text: str,
    size: int,
    colour: Colour,
    background: Colour,
) -> None:
    """Keep a text drawn on surface (drawn by other means than draw()/place())."""
    entry = Drawn(pygame.Rect(rect), pygame.Rect(panel), text, int(size), tuple(colour)[:3], tuple(background)[:3])
    _DRAWN.setdefault(surface, []).append(entry)
    _COVERED.setdefault(surface, []).append(entry.rect)


def place(
    surface: pygame.Surface,
    rendered: pygame.Surface,
    position: tuple[float, float],
    text: str,
    text_font: pygame.font.Font,
    colour: Colour,
    panel: pygame.Rect,
    background: Colour,
) -> pygame.Rect:
    """Blit a text rendered earlier (a cached label) with its top left at position, and keep it."""
    rect = pygame.Rect(int(position[0]), int(position[1]), *rendered.get_size())
    surface.blit(rendered, rect)
    record(surface, rect, panel, text, text_font.point_size, colour, background)
    return rect


def draw(
    surface: pygame.Surface,
    text_font: pygame.font.Font,
    text: str,
    colour: Colour,
    panel: pygame.Rect,
    background: Colour,
    only_if_free: bool = False,
    **anchor: tuple[float, float] | float,
) -> pygame.Rect | None:
    """Render text and blit it where anchor says (topleft=, midtop=, center=, …, as a Rect's); keep it;
    return its rectangle. Nothing is drawn for an empty text; with only_if_free, nothing (None) where the text
    would leave its panel or cover another (free())."""
    if not text:
        return pygame.Rect(0, 0, 0, 0)
    where = {k: (round(v[0]), round(v[1])) if isinstance(v, tuple) else round(v) for k, v in anchor.items()}
    if only_if_free:
        rect = pygame.Rect((0, 0), text_font.size(text))
        setattr(rect, *next(iter(where.items())))
        if not free(surface, rect, panel):
            return None
    picture = rendered(text_font, text, tuple(colour), tuple(background))
    rect = picture.get_rect(**where)
    surface.blit(picture, rect)
    record(surface, rect, panel, text, text_font.point_size, colour, background)
    return rect


def show(
    surface: pygame.Surface, picture: pygame.Surface, position: tuple[int, int], clip: pygame.Rect | None = None
) -> None:
    """Blit a picture kept between frames at position, with the records of its texts (moved there)."""
    surface.blit(picture, position)
    for taken in _TAKEN.get(picture, ()):
        reserve(surface, taken.move(position))
    for entry in _DRAWN.get(picture, ()):
        moved = entry.rect.move(position)
        if clip is not None and not clip.contains(moved):
            continue
        record(surface, moved, entry.panel.move(position), entry.text, entry.size, entry.colour, entry.background)


def fit(text_font: pygame.font.Font, text: str, width: int) -> str:
    """The text, shortened in the middle with an ellipsis if it is wider than width pixels ("" if nothing fits)."""
    if text_font.size(text)[0] <= width:
        return text

    def shortened(keep: int) -> str:
        return text[: keep // 2] + "…" + text[len(text) - keep // 2 :]

    # the most characters kept that fit: a binary search, as the width only grows with what is kept
    low, high = 2, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if text_font.size(shortened(middle))[0] <= width:
            low = middle
        else:
            high = middle - 1
    short = shortened(low)
    return short if text_font.size(short)[0] <= width else ""


def number(value: float, digits: int = 2) -> str:
    """value with digits decimals; a value that rounds to zero reads 0.00, never -0.00."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def signed(value: float, digits: int = 2) -> str:
    """value with an explicit sign (+1.25, −0.50 as -0.50); one that rounds to zero reads 0.00, unsigned."""
    text = f"{value:+.{digits}f}"
    return text[1:] if float(text) == 0 else text


def reading(value: float) -> str:
    """A signed sensor reading in at most six characters: +1.25, -12.50, +123, and ±9999 beyond."""
    if abs(value) < 99.995:
        return signed(value, 2)
    return signed(max(min(value, 9999.0), -9999.0), 0)
