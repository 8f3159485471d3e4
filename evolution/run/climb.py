"""An endless run's climb: the next level scheduled when half the dots finish the level they race, the level a
run has reached, and how it climbed, for the summary. The levels themselves are evolution/racing/endless.py's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from evolution.racing.endless import MAX_LEVEL, climbs, endless_name, level_of, parse_name
from evolution.racing.track import Track, start_track

if TYPE_CHECKING:
    from evolution.run.evolve import Evolution


def level_up(evolution: Evolution, track: Track, scores: np.ndarray) -> str | None:
    """After a generation raced on `track` closed: if the run is endless (races an endless track) and half its
    dots finished, schedule the next level for the next generation; returns its name (None if none). A change
    of track already scheduled then (a --replay's, a --set) is left as it is."""
    found = parse_name(track.name)
    if found is None or evolution.track.name != track.name or not climbs(scores, track.finish):
        return None
    seed, level = found
    new = endless_name(seed, min(level + 1, MAX_LEVEL))
    generation = evolution.next_change_generation
    if new == track.name or any(
        change.setting == "track" and change.generation == generation for change in evolution.scheduled_changes()
    ):
        return None
    evolution.schedule("track", new, generation, expect_old=track.name)
    return new


def level_reached(evolution: Evolution) -> int | None:
    """The level a run is at now (its track's, or a level scheduled and not yet raced), or None if not endless."""
    names = [evolution.track.name] + [c.new for c in evolution.scheduled_changes() if c.setting == "track"]
    levels = [level for level in map(level_of, names) if level is not None]
    return max(levels) if levels else None


def levels_by_generation(evolution: Evolution) -> list[tuple[int, int]]:
    """(generation, level) for every level the run started or has earned for its next generation, from its
    events and scheduled changes (the first level at generation 0)."""
    out = []
    first = level_of(start_track(evolution.track.name, evolution.state.events))
    if first is not None:
        out.append((0, first))
    for event in [*evolution.state.events, *evolution.scheduled_changes()]:  # a level earned, not yet raced, too
        if event.setting == "track" and level_of(event.new) is not None:
            out.append((event.generation, level_of(event.new)))
    return out


def climb_text(evolution: Evolution) -> str:
    """How far a run climbed, for the summary: 'level 4 (levels 2, 3, 4 at generations 12, 30, 51)'; '' if the
    run is not endless."""
    level = level_reached(evolution)
    if level is None:
        return ""
    steps = levels_by_generation(evolution)[1:]
    if not steps:
        return f"level {level} (no level passed)"
    levels = ", ".join(str(step[1]) for step in steps)
    generations = ", ".join(str(step[0]) for step in steps)
    return f"level {level} (levels {levels} from generations {generations})"
