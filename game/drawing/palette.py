"""Colours of the window: the blog's look (white corridor, grey outside) and a viridis ramp.

Every colour text or a mark is drawn in has a contrast of at least 4.5:1 (WCAG AA) against what it is drawn
on (PANEL, BACKGROUND, CORRIDOR or OUTSIDE; tests/test_readable.py checks each pair). Dots, whose ramps
run to pale colours, carry a dark edge (DOT_EDGE). No meaning is carried by red against green alone: errors
also have a bar of their own, the leader and the selected dot a label.
"""

from __future__ import annotations

import numpy as np

BACKGROUND = (246, 246, 244)
PANEL = (255, 255, 255)
PANEL_EDGE = (214, 214, 210)
OUTSIDE = (221, 221, 221)  # the blog's '#dddddd' fill beyond the barriers
CORRIDOR = (255, 255, 255)
BARRIER = (105, 105, 105)
TEXT = (40, 40, 46)
TEXT_DIM = (88, 88, 96)
ACCENT = (172, 32, 28)
ACCENT_TEXT = (170, 30, 30)  # the help's keys
SELECTED = (0, 95, 160)
GOOD = (16, 104, 56)
WARNING = (178, 40, 20)
BEST_LINE = (68, 1, 84)
MEAN_LINE = (0, 110, 120)  # viridis' teal, darkened to read on white
MEDIAN_LINE = (120, 100, 0)  # viridis' yellow-green, darkened (olive) to read on white
TEST_LINE = (172, 32, 28)
POSITIVE = (180, 55, 35)
NEGATIVE = (25, 95, 160)
DOT_EDGE = (40, 40, 46)  # the dark edge of every dot, so a pale one still stands out on white
GHOST = (120, 30, 135)  # ghost rings and labels: a dark magenta (it was a pale lilac, unseen on a projector)
GRID = (236, 236, 232)  # the chart's faint grid lines (not a mark to read: the ticks' labels are)
BACKGROUNDS = {"panel": PANEL, "background": BACKGROUND, "corridor": CORRIDOR, "outside": OUTSIDE}


def luminance(colour: tuple[int, int, int]) -> float:
    """WCAG relative luminance of an sRGB colour."""

    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = colour[:3]
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """WCAG contrast ratio of two colours, 1 to 21 (4.5 is AA for text)."""
    low, high = sorted((luminance(first), luminance(second)))
    return (high + 0.05) / (low + 0.05)


# viridis at 0, 1/8, ..., 1 (matplotlib's values, rounded); interpolated linearly between.
_VIRIDIS = np.array(
    [
        [68, 1, 84],
        [71, 44, 122],
        [59, 81, 139],
        [44, 113, 142],
        [33, 144, 141],
        [39, 173, 129],
        [92, 200, 99],
        [170, 220, 50],
        [253, 231, 37],
    ],
    dtype=np.float64,
)


def viridis(values: np.ndarray) -> np.ndarray:
    """(N, 3) uint8 colours for values in [0, 1]: 0 dark purple, 1 bright yellow."""
    scaled = np.clip(np.asarray(values, dtype=np.float64), 0.0, 1.0) * (len(_VIRIDIS) - 1)
    low = np.minimum(scaled.astype(np.int64), len(_VIRIDIS) - 2)
    frac = (scaled - low)[..., None]
    return (_VIRIDIS[low] * (1 - frac) + _VIRIDIS[low + 1] * frac).round().astype(np.uint8)


def rank_colours(ranks: np.ndarray, count: int) -> np.ndarray:
    """(N, 3) colours by rank as in the blog's plots: the best darkest, the worst brightest."""
    share = ranks / max(count - 1, 1)
    return viridis(0.05 + 0.85 * share)


def fade(colours: np.ndarray, amount: float, towards: tuple[int, int, int] = CORRIDOR) -> np.ndarray:
    """Colours blended `amount` of the way towards a background colour."""
    target = np.array(towards, dtype=np.float64)
    return (colours * (1 - amount) + target * amount).round().astype(np.uint8)


# Runs side by side (--compare): a colour family each, (darkest, lightest); the best dot darkest, as above.
FAMILIES = (
    ((63, 0, 125), (178, 171, 216)),  # purples
    ((140, 45, 4), (253, 174, 107)),  # oranges
    ((0, 90, 50), (150, 212, 140)),  # greens
    ((8, 48, 107), (140, 190, 222)),  # blues
)


def family_colours(ranks: np.ndarray, count: int, family: int) -> np.ndarray:
    """(N, 3) uint8 colours of run `family`'s dots by rank (ranks (N,) of count): the best darkest."""
    dark, light = (np.array(end, dtype=np.float64) for end in FAMILIES[family % len(FAMILIES)])
    share = (np.asarray(ranks, dtype=np.float64) / max(count - 1, 1))[:, None]
    return (dark * (1 - share) + light * share).round().astype(np.uint8)


def family_colour(family: int, amount: float = 0.0) -> tuple[int, int, int]:
    """One colour of run `family`'s ramp: 0 its darkest, 1 its lightest."""
    colour = family_colours(np.array([amount]), 2, family)[0]
    return int(colour[0]), int(colour[1]), int(colour[2])
