"""The whole-track strip: the corridor compressed to the window's width, where every dot is, what the view shows."""

from __future__ import annotations

import numpy as np
import pygame

from evolution.racing.race import Race
from evolution.racing.track import Track
from game.drawing import palette
from game.drawing.camera import Camera
from game.drawing.frame import picture as new_picture
from game.drawing.scale import Scale, as_scale


class Overview:
    """Caches the strip's picture of a track; draws the dots over it each frame."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._picture: pygame.Surface | None = None

    def _render(self, track: Track, size: tuple[int, int]) -> pygame.Surface:
        width, height = size
        picture = new_picture(size)
        picture.fill(palette.OUTSIDE)
        edges = np.linspace(0, track.columns, width + 1).astype(np.int64)
        low, high = float(track.bottom.min()), float(track.top.max())
        scale = (height - 4) / max(high - low, 1e-9)
        for x in range(width):
            a, b = edges[x], max(edges[x + 1], edges[x] + 1)
            top = float(track.top[a:b].max())
            bottom = float(track.bottom[a:b].min())
            pygame.draw.line(picture, palette.CORRIDOR, (x, 2 + (high - top) * scale), (x, 2 + (high - bottom) * scale))
        self._to_y = lambda heights: 2 + (high - heights) * scale
        return picture

    def draw(
        self, surface: pygame.Surface, rect: pygame.Rect, race: Race, camera: Camera, scale: Scale | float = 1.0
    ) -> None:
        """The strip at rect: the whole track, the part the view shows, every dot (a sample of thousands)."""
        s = as_scale(scale)
        track = race.track
        key = (id(track), rect.size)
        if key != self._key:
            self._picture = self._render(track, rect.size)
            self._key = key
        surface.blit(self._picture, rect)
        first, last = camera.columns_in_view(track)
        scale = rect.width / track.columns
        pygame.draw.rect(
            surface,
            palette.SELECTED,
            (rect.x + first * scale, rect.y, (last - first) * scale + 2, rect.height),
            max(1, s.px(1)),
        )
        columns = np.where(race.alive, race.column, race.scores + 1)
        xs = rect.x + columns * scale
        ys = rect.y + self._to_y(race.positions)
        ys = np.clip(ys, rect.top + 1, rect.bottom - 2)
        for alive, colour, size in ((False, palette.TEXT_DIM, s.px(3)), (True, palette.BEST_LINE, s.px(5))):
            chosen = race.alive == alive
            # thousands of dots in a strip this thin overlap; a few hundred show where they are
            step = max(1, int(chosen.sum()) // 300)
            for x, y in zip(xs[chosen][::step], ys[chosen][::step]):
                if alive:  # the racing dots, bolder and ringed so they stand out on the corridor
                    surface.fill(palette.PANEL, (x - size // 2 - 1, y - size // 2 - 1, size + 2, size + 2))
                surface.fill(colour, (x - size // 2, y - size // 2, size, size))
        pygame.draw.rect(surface, palette.PANEL_EDGE, rect, 1)
