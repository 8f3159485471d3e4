"""Drawing ghosts: past champions racing beside the live population, outlined, translucent and labelled,
and the small table of their scores in the track view's corner. Drawing never changes state."""

from __future__ import annotations

import pygame

from evolution.many.ghosts import GhostRace
from game.drawing import palette
from game.drawing.camera import Camera
from game.drawing.frame import draw_panel, header_height
from game.drawing.scale import Scale, as_scale
from game.drawing.text import around, draw, fit, place, reserve, spot

GHOST_COLOUR = palette.GHOST  # dark magenta: a pale lilac ring on grey was unseen on a projector
GHOST_ALPHA = 230
RADIUS = 6  # pixels at 1280×720
TABLE_ROWS = 12  # ghosts listed in the table at most
_CACHE: dict[tuple, pygame.Surface] = {}  # rings and labels, drawn once (text is the costly part of a frame)
CACHE_LIMIT = 512


def _cached(key: tuple, make) -> pygame.Surface:
    """A surface drawn once per key (the cache is emptied when it grows past CACHE_LIMIT)."""
    surface = _CACHE.get(key)
    if surface is None:
        if len(_CACHE) >= CACHE_LIMIT:
            _CACHE.clear()
        surface = _CACHE[key] = make()
    return surface


def _ring(radius: int, width: int, alive: bool) -> pygame.Surface:
    size = 2 * radius + 2
    ring = pygame.Surface((size, size), pygame.SRCALPHA)
    alpha = GHOST_ALPHA if alive else GHOST_ALPHA // 2
    pygame.draw.circle(ring, (*GHOST_COLOUR, 40), (size // 2, size // 2), radius)
    # a white halo under the ring, so it reads on the grey outside and over dots; a crashed ghost's ring is dashed
    pygame.draw.circle(ring, (*palette.PANEL, 200), (size // 2, size // 2), radius + 1, width + 2)
    pygame.draw.circle(ring, (*GHOST_COLOUR, alpha), (size // 2, size // 2), radius, width)
    if not alive:
        for angle in range(0, 360, 60):
            pygame.draw.arc(
                ring, (0, 0, 0, 0), ring.get_rect().inflate(-1, -1), angle / 57.3, (angle + 25) / 57.3, width + 2
            )
    return ring


def _label(font: pygame.font.Font, text: str, colour, alpha: int | None = None) -> pygame.Surface:
    def make() -> pygame.Surface:
        label = font.render(text, True, colour, palette.PANEL)  # on its white plate: an opaque, fast blit
        if alpha is not None:
            label.set_alpha(alpha)
        return label

    return _cached(("label", font, text, colour, alpha), make)  # the font itself: its id may be reused


def draw_ghosts(surface: pygame.Surface, camera: Camera, ghosts: GhostRace, scale: Scale | float = 1.0) -> None:
    """Every ghost as a translucent ring with its label; a crashed ghost where it crashed, fainter."""
    s = as_scale(scale)
    radius = s.px(RADIUS)
    small = s.font(11, bold=True)
    alive, positions, scores = ghosts.alive, ghosts.positions, ghosts.scores
    column = ghosts.column
    clip = surface.get_clip()
    surface.set_clip(camera.view)
    width = max(1, s.px(2))
    for index, ghost in enumerate(ghosts.ghosts):
        at = column if alive[index] else int(scores[index]) + 1
        x, y = float(camera.x(at)), float(camera.y(positions[index]))
        if not camera.view.inflate(4 * radius, 4 * radius).collidepoint(x, y):
            continue
        living = bool(alive[index])
        ring = _cached(("ring", radius, width, living), lambda living=living: _ring(radius, width, living))
        surface.blit(ring, (x - ring.get_width() / 2, y - ring.get_height() / 2))
        reserve(surface, pygame.Rect(0, 0, 2 * radius + 2, 2 * radius + 2).move_to(center=(round(x), round(y))))
        # the label at the first free place around the ring; "ghost N" (its row in the table) if the whole
        # label finds none; none if that does not either
        for name in (ghost.label, f"ghost {index + 1}"):
            name = name if living else f"{name} ✗"
            label = _label(small, name, GHOST_COLOUR)
            rect = spot(surface, label.get_size(), around(x, y, radius + s.px(3), *label.get_size()), camera.view)
            if rect is not None:
                pygame.draw.rect(surface, palette.PANEL, rect)
                place(surface, label, rect.topleft, name, small, GHOST_COLOUR, camera.view, palette.PANEL)
                break
    surface.set_clip(clip)


def ghost_table_rect(view: pygame.Rect, count: int, scale: Scale | float = 1.0) -> pygame.Rect:
    """Where the table of count ghosts goes: the track view's top left (the messages have its top right), as
    many rows as the view has room for."""
    s = as_scale(scale)
    small = s.font(11)
    row = small.get_linesize()
    rows = min(count, TABLE_ROWS, (view.height - s.px(16) - header_height(s)) // row - 1)
    if rows < 1:  # no room in the view: the table is left out
        return pygame.Rect(view.x, view.y, 0, 0)
    width = min(max(s.px(190), small.size("generation 000 0000 ✓")[0] + s.px(20)), view.width // 2)
    return pygame.Rect(view.x + s.px(8), view.y + s.px(8), width, header_height(s) + row * (rows + 1))


def draw_ghost_table(
    surface: pygame.Surface,
    view: pygame.Rect,
    ghosts: GhostRace,
    scale: Scale | float = 1.0,
    rect: pygame.Rect | None = None,
) -> None:
    """A small table of the ghosts' scores so far (✓ finished, ✗ out), at the track view's top left (or at
    rect, from ghost_table_rect, where the view's messages leave room)."""
    s = as_scale(scale)
    small = s.font(11)
    row = small.get_linesize()
    rect = ghost_table_rect(view, len(ghosts.ghosts), s) if rect is None else rect
    if rect.height < header_height(s) + row:
        return
    count = min(len(ghosts.ghosts), (rect.height - header_height(s)) // row - 1)
    if len(ghosts.ghosts) <= count + 1:
        count = len(ghosts.ghosts)
    inner = draw_panel(surface, rect, "ghosts", s)
    now, alive, finish = ghosts.current_scores, ghosts.alive, ghosts.track.finish
    room = inner.width - small.size("0000 ✓")[0] - s.px(8)
    for line, index in enumerate(range(count)):
        mark = "✓" if now[index] >= finish else ("" if alive[index] and not ghosts.done else "✗")
        text = f"{int(now[index])} {mark}"
        y = inner.y + line * row
        name = ghosts.ghosts[index].label
        shown = fit(small, f"{index + 1} {name}", room)  # the number a ghost whose label has no room goes by
        label = _label(small, shown, GHOST_COLOUR)
        place(surface, label, (inner.x + s.px(2), y), shown, small, GHOST_COLOUR, rect, palette.PANEL)
        value = _label(small, text, palette.TEXT)
        place(
            surface,
            value,
            (inner.right - value.get_width() - s.px(2), y),
            text,
            small,
            palette.TEXT,
            rect,
            palette.PANEL,
        )
    if len(ghosts.ghosts) > count:
        more = f"and {len(ghosts.ghosts) - count} more"
        draw(
            surface,
            small,
            more,
            palette.TEXT_DIM,
            rect,
            palette.PANEL,
            topleft=(inner.x + s.px(2), inner.y + count * row),
        )
