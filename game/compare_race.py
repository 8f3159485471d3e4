"""Runs side by side in turbo: every run's generation raced as one race, then split back, run by run.

At small populations a race step costs about the same for twice the dots, so two runs of 50 race in
little more time than one run of 50. Every dot's arithmetic is that of its own run's race alone (the
network and the physics work dot by dot), so the scores, and so every run's numbers, are unchanged.
"""

from __future__ import annotations

import numpy as np

from evolution.race import Race, finished_race
from evolution.together import same_track


def can_join(races: list[Race]) -> bool:
    """True when the races can be raced as one: all fresh (column 0), on one track, with one network shape."""
    first = races[0]
    return all(
        race.column == 0
        and not race.done
        and same_track(race.track, first.track)
        and race.network.layers == first.network.layers
        for race in races
    )


def joint_race(races: list[Race]) -> Race:
    """One race of every dot of `races` (fresh, see can_join), their genomes one after another."""
    genomes = np.concatenate([race.genomes for race in races])
    return Race(genomes, races[0].track, races[0].network)


def split(joint: Race, races: list[Race]) -> list[Race]:
    """The done joint race as one done race per run: each with that run's genomes (the very array, so its
    Evolution takes it as the pending generation's race), scores, final positions and speeds."""
    if not joint.done:
        raise ValueError("split() takes a done race")
    positions, speeds = joint.positions, joint.speeds
    parts, start = [], 0
    for race in races:
        stop = start + race.count
        part = Race(race.genomes, race.track, race.network)
        parts.append(finished_race(part, joint.scores[start:stop], positions[start:stop], speeds[start:stop]))
        part.column = joint.column
        start = stop
    return parts
