"""One UI scale for the whole window, so text and lines stay readable on a large screen or a projector.

The factor is 1.0 at 1280×720 and grows with the window (in proportion to the smaller of width/1280 and
height/720, clamped to [0.75, 3.0]), times a user multiplier that a key can step through USER_STEPS.
Every font size, line width, dot radius and padding of the drawing modules goes through px() or font().

Text has a floor of its own: no font of a window is smaller than 1/40 of the window's height (TEXT_SHARE), so
the back of a room reads it; sizes designed above the body's keep their lead over it. Where the panels have
no room for text that large, the layout shows fewer rows, never smaller text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pygame

from game.drawing.assets import font as _font

BASE_SIZE = (1280, 720)
WINDOW_RANGE = (0.75, 3.0)  # the factor from the window size alone stays within this
USER_STEPS = (1.0, 1.25, 1.5, 2.0)  # the user multiplier: a key steps through these
PROJECTOR_FROM = 1.5  # from this multiplier on the window trades panels for size (Layout's projector layout)
# below PROJECTOR_FROM the user multiplier makes the window at most as crowded as a window of this size at the
# design scale: beyond, the panels would have no room for their text
MOST_CROWDED = (1024, 576)
MIN_FONT = 8  # pixels: smaller text is unreadable anyway
TEXT_SHARE = 40  # no text is smaller than 1/40 of the window's height (the "back of the room")
BODY = 12  # the body text's size at the design scale: larger sizes keep their lead over it above the floor


def text_floor(height: int, user: float = 1.0) -> int:
    """The smallest font, in pixels, of a window height pixels high: 1/TEXT_SHARE of it, times the user's
    multiplier (Z enlarges text even where the floor is what sets it)."""
    return max(MIN_FONT, math.ceil(height * user / TEXT_SHARE - 1e-9))


@dataclass(frozen=True)
class Scale:
    """A UI scale factor: lengths designed for 1280×720 times factor."""

    factor: float = 1.0
    floor: int = MIN_FONT  # the smallest font in pixels (text_floor of the window)

    @classmethod
    def for_window(cls, width: int, height: int, user: float = 1.0) -> Scale:
        """The scale for a window of width×height pixels, times the user's multiplier. Below PROJECTOR_FROM the
        multiplier stops where the window would be more crowded than one of MOST_CROWDED at the design scale
        (never below the window's own scale); from PROJECTOR_FROM on the panels make way (the projector
        layout) and it applies whole. The text floor grows with the multiplier."""
        window = min(max(min(width / BASE_SIZE[0], height / BASE_SIZE[1]), WINDOW_RANGE[0]), WINDOW_RANGE[1])
        most = max(window, min(width / MOST_CROWDED[0], height / MOST_CROWDED[1]))
        factor = window * user if user >= PROJECTOR_FROM - 1e-9 else min(window * user, most)
        return cls(factor, text_floor(height, user))

    def px(self, length: float) -> int:
        """A length in pixels designed for 1280×720, scaled; a positive length stays at least 1 pixel."""
        scaled = round(length * self.factor)
        return max(scaled, 1) if length > 0 else scaled

    def fpx(self, length: float) -> float:
        """A length scaled without rounding, for geometry that is not drawn in whole pixels."""
        return length * self.factor

    def font_size(self, size: int) -> int:
        """A font's pixel size designed for 1280×720, scaled, never below the floor; a size designed above
        the body's (BODY) keeps its lead over the floor (a title stays larger than the text under it)."""
        lead = round((size - BODY) * self.factor) if size > BODY else 0
        return max(self.floor + lead, round(size * self.factor))

    def line(self, size: int, bold: bool = False, at_least: float = 0) -> int:
        """Pixels from one line of text at a designed size to the next: the font's line, or at_least scaled."""
        return max(self.font(size, bold).get_linesize(), self.px(at_least) if at_least else 0)

    def font(self, size: int, bold: bool = False) -> pygame.font.Font:
        """The shipped font at a size designed for 1280×720, scaled."""
        return _font(self.font_size(size), bold)


ONE = Scale(1.0)


def as_scale(scale: Scale | float | None) -> Scale:
    """A Scale from a Scale, a plain factor (1.0 is the design size) or None (1.0)."""
    if scale is None:
        return ONE
    if isinstance(scale, Scale):
        return scale
    return Scale(float(scale))


def next_user_step(user: float) -> float:
    """The user multiplier after user in USER_STEPS, back to the first after the last (the key's cycle)."""
    larger = [step for step in USER_STEPS if step > user + 1e-9]
    return larger[0] if larger else USER_STEPS[0]
