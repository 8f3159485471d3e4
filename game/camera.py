"""The camera of the track view: follows the race's head column and eases to fit the barriers in sight."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pygame

from evolution.track import Track

HEAD_AT = 0.38  # share of the view's width left of the column the dots are at


@dataclass
class Camera:
    """Maps (column, height) in track units to pixels inside a view rectangle."""

    view: pygame.Rect
    pixels_per_column: float = 7.0
    centre: float = 0.0  # track height at the view's vertical middle
    pixels_per_unit: float = 120.0
    head: float = 0.0
    _placed: bool = False

    def columns_in_view(self, track: Track) -> tuple[int, int]:
        """First and last column (inclusive, clamped to the track) that the view shows."""
        left = self.head - self.view.width * HEAD_AT / self.pixels_per_column
        right = self.head + self.view.width * (1 - HEAD_AT) / self.pixels_per_column
        return max(0, math.floor(left)), min(track.columns - 1, math.ceil(right))

    def follow(self, track: Track, head: float, seconds: float) -> None:
        """Move to the head column and ease the vertical fit towards the barriers in sight."""
        self.pixels_per_column = max(3.0, self.view.width / 190)
        if abs(head - self.head) * self.pixels_per_column > self.view.width / 2:
            self._placed = False  # a new race or another track: jump there rather than pan across
        self.head = head
        first, last = self.columns_in_view(track)
        top = float(track.top[first : last + 1].max())
        bottom = float(track.bottom[first : last + 1].min())
        span = max(top - bottom, 1.0) * 1.15
        target_scale = min(self.view.height / span, self.view.height / 1.6)
        target_centre = (top + bottom) / 2
        ease = 1.0 if not self._placed else 1 - math.exp(-seconds * 3.0)
        self.pixels_per_unit += (target_scale - self.pixels_per_unit) * ease
        self.centre += (target_centre - self.centre) * ease
        self._placed = True

    def x(self, columns: np.ndarray | float) -> np.ndarray:
        return (
            self.view.x
            + self.view.width * HEAD_AT
            + (np.asarray(columns, dtype=np.float64) - self.head) * (self.pixels_per_column)
        )

    def y(self, heights: np.ndarray | float) -> np.ndarray:
        return self.view.centery - (np.asarray(heights, dtype=np.float64) - self.centre) * self.pixels_per_unit
