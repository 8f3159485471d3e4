"""The camera of the track view: locked to the race's head column, easing vertically per race step.

The horizontal position is locked: the column the living dots are at is always HEAD_AT of the view's
width from its left edge. Vertically the camera eases, per race step (not per second, so a frame rate or
a speed changes nothing but how many steps pass between frames), towards the middle between the
followed dot and the corridor a few columns ahead, and zooms to fit the barriers in sight. Whatever
the speed, it is then clamped so that the followed dot and the corridor the sensors read ahead are
inside the view with a margin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pygame

from evolution.racing.track import SENSORS, Track

HEAD_AT = 0.38  # share of the view's width left of the column the dots are at
EASE_PER_STEP = 0.05  # share of the way to the target per race step; at ×1 and 60 fps as the old 3/s
LOOK_AHEAD = SENSORS[-1] + 1  # columns ahead (from the head) that must stay in view: what the sensors read
MARGIN = 0.08  # share of the view's height kept free above and below what must be seen
SOFT_MARGIN = 0.15  # the eased-to target already keeps this much free, and SOFT_AHEAD columns in view,
SOFT_AHEAD = 4 * LOOK_AHEAD  # so the camera turns early and the hard clamp rarely has to act
FRAME_STEPS = 60.0  # race steps per second at ×1, for the old follow(..., seconds)


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
        """First and last column (inclusive, clamped to the track) that the view shows; a view past the track's
        end (another run's longer track followed, in lanes) gets its last column."""
        left = self.head - self.view.width * HEAD_AT / self.pixels_per_column
        right = self.head + self.view.width * (1 - HEAD_AT) / self.pixels_per_column
        last = min(track.columns - 1, math.ceil(right))
        return min(max(0, math.floor(left)), last), last

    def follow(self, track: Track, head: float, seconds: float) -> None:
        """The old interface: follow the head column with no particular dot, easing as over seconds at ×1."""
        self.follow_dot(track, head, None, seconds * FRAME_STEPS)

    def follow_dot(self, track: Track, column: float, height: float | None, steps: float | None = None) -> None:
        """Move to the race's column and ease towards the followed dot and the corridor ahead.

        column: the race's head column; height: the followed dot's height in track units (None: follow
        the corridor only; pass None for a crashed dot left behind); steps: race steps since the last call
        (None: the change of column, or 0 when paused; pass a small number while paused to let the camera
        settle on a newly followed dot). A new race or another track (the head jumps by more than half
        the view) places the camera at once rather than panning across.
        """
        self.pixels_per_column = max(3.0, self.view.width / 190)
        jump = not self._placed or abs(column - self.head) * self.pixels_per_column > self.view.width / 2
        if steps is None:
            steps = max(column - self.head, 0.0)
        self.head = float(column)
        if height is not None and not math.isfinite(height):
            height = None
        target_scale, target_centre, must_low, must_high = self._targets(track, height, LOOK_AHEAD)
        _, _, soft_low, soft_high = self._targets(track, height, SOFT_AHEAD)
        ease = 1.0 if jump else 1 - (1 - EASE_PER_STEP) ** max(steps, 0.0)
        self.pixels_per_unit += (target_scale - self.pixels_per_unit) * ease
        target_centre = self._clamped(target_centre, soft_low, soft_high, SOFT_MARGIN)
        self.centre += (target_centre - self.centre) * ease
        self._keep_in_view(must_low, must_high)
        self._placed = True

    def _targets(self, track: Track, height: float | None, ahead: int) -> tuple[float, float, float, float]:
        """(scale, centre) the camera eases to, and the lowest and highest heights that must be in view: the
        followed dot's and the barriers' over the next `ahead` columns."""
        first, last = self.columns_in_view(track)
        top = float(track.top[first : last + 1].max())
        bottom = float(track.bottom[first : last + 1].min())
        target_scale = min(self.view.height / (max(top - bottom, 1.0) * 1.15), self.view.height / 1.6)
        start = min(max(int(self.head), 0), track.columns - 1)
        stop = min(start + ahead, track.columns)
        ahead_top = float(track.top[start:stop].max())
        ahead_bottom = float(track.bottom[start:stop].min())
        near = min(start + LOOK_AHEAD, track.columns)
        middle = float(np.mean((track.top[start:near] + track.bottom[start:near]) / 2))
        if height is None:
            return target_scale, middle, ahead_bottom, ahead_top
        return target_scale, (height + middle) / 2, min(ahead_bottom, height), max(ahead_top, height)

    def _clamped(self, centre: float, low: float, high: float, margin: float) -> float:
        """The centre nearest to centre that shows heights low..high with margin (a share of the height) free
        above and below, at the current zoom; their middle if they do not fit."""
        half = (self.view.height / 2 - self.view.height * margin) / self.pixels_per_unit
        if high - low > 2 * half:
            return (low + high) / 2
        return min(max(centre, high - half), low + half)

    def _keep_in_view(self, low: float, high: float) -> None:
        """Zoom out and shift, if need be, so heights low..high are inside the view with the margin."""
        usable = max(self.view.height * (1 - 2 * MARGIN), 1.0)
        self.pixels_per_unit = min(self.pixels_per_unit, usable / max(high - low, 1e-9))
        self.centre = self._clamped(self.centre, low, high, MARGIN)

    def x(self, columns: np.ndarray | float) -> np.ndarray:
        """Pixel x of columns (any shape)."""
        return (
            self.view.x
            + self.view.width * HEAD_AT
            + (np.asarray(columns, dtype=np.float64) - self.head) * (self.pixels_per_column)
        )

    def y(self, heights: np.ndarray | float) -> np.ndarray:
        """Pixel y of track heights (any shape)."""
        return self.view.centery - (np.asarray(heights, dtype=np.float64) - self.centre) * self.pixels_per_unit

    def to_screen(self, column: float, height: float) -> tuple[float, float]:
        """The pixel (x, y) of one point of the track."""
        return float(self.x(column)), float(self.y(height))
