"""Colours of the window: the blog's look (white corridor, grey outside) and a viridis ramp."""

from __future__ import annotations

import numpy as np

BACKGROUND = (246, 246, 244)
PANEL = (255, 255, 255)
PANEL_EDGE = (214, 214, 210)
OUTSIDE = (221, 221, 221)  # the blog's '#dddddd' fill beyond the barriers
CORRIDOR = (255, 255, 255)
BARRIER = (150, 150, 150)
TEXT = (40, 40, 46)
TEXT_DIM = (120, 120, 128)
ACCENT = (214, 69, 65)
SELECTED = (20, 140, 200)
GOOD = (30, 140, 80)
WARNING = (200, 60, 40)
BEST_LINE = (68, 1, 84)
MEAN_LINE = (33, 145, 140)
MEDIAN_LINE = (170, 200, 40)
TEST_LINE = (214, 69, 65)
POSITIVE = (214, 96, 77)
NEGATIVE = (67, 147, 195)

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
