"""Endless mode: each time half the population finishes the track, a new random track one level harder.

A level's track is named endless:SEED:LEVEL and is built from the run's seed alone (the generator
seeds.change_generator(SEED, "endless", LEVEL)), so the same seed gives the same road. Level 1 is like
a random track (1000 columns, one unit wide); each level after it is longer, narrower and sharper
(LEVEL_* below, chosen on seeds 0..4; bench.learning measures on others): from level 19 the corridor
narrows more gently (to a quarter of a unit at level 53), from level 21 the bends stop getting sharper, and
the track grows to 10,000 columns at level 91; after that the levels are new tracks of the hardest shape.
A track that the exact check of evolution/racing/drivable.py finds undrivable is drawn again from the same
generator, so every level can be passed.

A run is endless while it races an endless track: when a generation closes with half its population
at the finish, the next level is scheduled as a track change for the next generation, an ordinary
settings change; so the log's '# set G track endless:S:1 -> endless:S:2' line, the checkpoint's events
and its scheduled changes carry the level, a --replay applies the same changes, and the window, which
closes generations the same way, climbs at the same generations as a headless run.
"""

from __future__ import annotations

import functools
import math
import re

import numpy as np
from scipy import ndimage

from evolution import budget
from evolution.breeding.seeds import SEEDS, change_generator
from evolution.errors import InputError
from evolution.racing.drivable import check_drivable
from evolution.racing.track import MAX_COLUMNS, Track

PATTERN = re.compile(r"^endless:(\d{1,10}):(\d{1,6})$")
MAX_LEVEL = 999_999
LEVEL_COLUMNS = (1000, 100, 10_000)  # level 1's columns, added per level, the most
# level 1's corridor width, its factor per level down to the knee, then the factor per level, the least
LEVEL_WIDTH = (1.0, 0.96, 0.5, 0.98, 0.25)
LEVEL_SMOOTHING = (10.0, 0.2, 6.0)  # level 1's smoothing (columns), taken off per level, the least
LEVEL_HEIGHT = (20.0, 1.0, 40.0)  # level 1's height scale, added per level, the most
DRAWS = 20  # attempts at a drivable track before the last one drawn is kept


def endless_name(seed: int, level: int) -> str:
    """The name of level `level` of the road of `seed`."""
    return f"endless:{seed}:{level}"


def parse_name(name: str) -> tuple[int, int] | None:
    """(seed, level) of an endless track's name; None for any other track."""
    match = PATTERN.match(name)
    return (int(match[1]), int(match[2])) if match else None


def level_of(name: str) -> int | None:
    """The level of a track's name, or None if it is not an endless track."""
    found = parse_name(name)
    return found[1] if found else None


def check_name(name: str) -> tuple[int, int]:
    """(seed, level) of an endless track's name, or InputError naming what is wrong."""
    found = parse_name(name)
    if found is None or not 0 <= found[0] < SEEDS or not 1 <= found[1] <= MAX_LEVEL:
        raise InputError(f"track {name[:40]!r}: expected endless:SEED:LEVEL, SEED in 0..{SEEDS - 1}, LEVEL from 1")
    return found


def level_shape(level: int) -> tuple[int, float, float, float]:
    """(columns, width, smoothing, height scale) of a level."""
    steps = level - 1
    columns = min(LEVEL_COLUMNS[0] + LEVEL_COLUMNS[1] * steps, LEVEL_COLUMNS[2])
    first, factor, knee, late_factor, least = LEVEL_WIDTH
    width = first * factor**steps
    if width < knee:  # past the knee the corridor narrows more gently, so that levels go on getting harder
        knee_steps = math.ceil(math.log(knee / first) / math.log(factor))
        width = max(knee * late_factor ** (steps - knee_steps), least)
    smoothing = max(LEVEL_SMOOTHING[0] - LEVEL_SMOOTHING[1] * steps, LEVEL_SMOOTHING[2])
    return columns, width, smoothing, min(LEVEL_HEIGHT[0] + LEVEL_HEIGHT[1] * steps, LEVEL_HEIGHT[2])


@functools.lru_cache(maxsize=8)
def endless_track(seed: int, level: int) -> Track:
    """Level `level` of the road of `seed`: the first of its draws that a dot can drive (the DRAWS-th if none)."""
    columns, width, smoothing, height = level_shape(level)
    name = endless_name(seed, level)
    budget.check(f"track {name}", budget.track_bytes(min(columns, MAX_COLUMNS)))
    rng = change_generator(seed, "endless", level)
    for _ in range(DRAWS):
        top = ndimage.gaussian_filter1d(rng.random(columns), smoothing) * height
        top = top - top[0] + width / 2
        track = Track(name, top, top - width)
        if check_drivable(track).drivable:
            break
    return track


def resolve(name: str) -> Track:
    """The track called endless:SEED:LEVEL, or InputError."""
    return endless_track(*check_name(name))


def finishers(scores: np.ndarray, finish: int) -> int:
    """How many dots reached the finish."""
    return int(np.count_nonzero(np.asarray(scores) >= finish))


def climbs(scores: np.ndarray, finish: int) -> bool:
    """True when at least half the dots reached the finish: the next level comes."""
    return 2 * finishers(scores, finish) >= len(scores)
