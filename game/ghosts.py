"""Drawing ghosts: past champions racing beside the live population, outlined, translucent and labelled,
and the small table of their scores in the track view's corner. Drawing never changes state."""

from __future__ import annotations

import pygame

from evolution.ghosts import GhostRace

from . import palette
from .camera import Camera
from .panel import draw_panel
from .scale import Scale, as_scale
from .text import fit

GHOST_COLOUR = (150, 60, 170)
GHOST_ALPHA = 170  # clearly visible on a projector (110 faded into the corridor), still not a dot of the race
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
    pygame.draw.circle(ring, (*GHOST_COLOUR, alpha // 2), (size // 2, size // 2), radius)
    pygame.draw.circle(ring, (*GHOST_COLOUR, min(255, 2 * alpha)), (size // 2, size // 2), radius, width)
    return ring


def _label(font: pygame.font.Font, text: str, colour, alpha: int | None = None) -> pygame.Surface:
    def make() -> pygame.Surface:
        label = font.render(text, True, colour)
        if alpha is not None:
            label.set_alpha(alpha)
        return label

    return _cached(("label", id(font), text, colour, alpha), make)


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
        label = _label(small, ghost.label, GHOST_COLOUR, 255 if living else 150)
        surface.blit(label, (x + radius + s.px(2), y - label.get_height() / 2))
    surface.set_clip(clip)


def draw_ghost_table(surface: pygame.Surface, view: pygame.Rect, ghosts: GhostRace, scale: Scale | float = 1.0) -> None:
    """A small table of the ghosts' scores so far (✓ finished, ✗ out), at the track view's top right."""
    s = as_scale(scale)
    small = s.font(11)
    row = small.get_linesize()
    count = min(len(ghosts.ghosts), TABLE_ROWS)
    width = s.px(190)
    rect = pygame.Rect(view.right - width - s.px(8), view.y + s.px(30), width, row * (count + 1) + s.px(26))
    inner = draw_panel(surface, rect, "ghosts", s)
    now, alive, finish = ghosts.current_scores, ghosts.alive, ghosts.track.finish
    room = inner.width - small.size("0000 ✓")[0] - s.px(8)
    for line, index in enumerate(range(count)):
        mark = "✓" if now[index] >= finish else ("" if alive[index] and not ghosts.done else "✗")
        text = f"{int(now[index])} {mark}"
        y = inner.y + line * row
        name = ghosts.ghosts[index].label
        label = _cached(
            ("fit", id(small), name, room), lambda name=name: small.render(fit(small, name, room), True, GHOST_COLOUR)
        )
        surface.blit(label, (inner.x + s.px(2), y))
        value = _label(small, text, palette.TEXT)
        surface.blit(value, (inner.right - value.get_width() - s.px(2), y))
    if len(ghosts.ghosts) > count:
        more = small.render(f"and {len(ghosts.ghosts) - count} more", True, palette.TEXT_DIM)
        surface.blit(more, (inner.x + s.px(2), inner.y + count * row))
