"""Several runs' generations raced as one: every run's population on the training track in one race, and
every run's extra tracks in one stacked race, split back run by run (a Lockstep's rounds: a sweep's batches,
runs side by side headless or in turbo). The network and the physics work dot by dot, so each run's numbers
are its numbers alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evolution.racing.race import Race, StackedRace, finished_race
from evolution.racing.track import Track
from evolution.run.evolve import Evolution, ExtraResults


def same_track(a: Track, b: Track) -> bool:
    """True when a and b are one track (the same object, or equal barriers)."""
    return a is b or (np.array_equal(a.top, b.top) and np.array_equal(a.bottom, b.bottom))


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


def joint_race(races: list[Race]) -> StackedRace:
    """One race of every dot of `races` (fresh, see can_join): a group of dots per race, on its one track."""
    first = races[0]
    return StackedRace([race.genomes for race in races], [first.track] * len(races), first.network)


def split(joint: StackedRace, races: list[Race]) -> list[Race]:
    """The done joint race of `races` as one done race per run: each with that run's genomes (the very array, so
    its Evolution takes it as the pending generation's race), scores, final positions and speeds (P_k,)."""
    if not joint.done:
        raise ValueError("split() takes a done race")
    scores, positions, speeds = (
        joint.per_track_values(values) for values in (joint.scores, joint.positions, joint.speeds)
    )
    parts = []
    for index, race in enumerate(races):
        part = Race(race.genomes, race.track, race.network)
        parts.append(finished_race(part, scores[index], positions[index], speeds[index]))
    return parts


@dataclass(frozen=True)
class JointExtras:
    """Every run's extra tracks of the pending generation in one stacked race (not yet run): the tracks run by run,
    the race, and whether it measures safety (a run weighs it)."""

    tracks: list[list[Track]]
    race: StackedRace
    safety: bool

    def results(self) -> list[ExtraResults]:
        """The done race split back run by run: each run's tracks, scores (P,) and safety (P,) per track."""
        if not self.race.done:
            raise ValueError("results() takes a done race")
        race = self.race
        scores = race.per_track_values(race.scores)
        safeties = race.per_track_values(race.safety()) if self.safety else []
        results, start = [], 0
        for run_tracks in self.tracks:
            stop = start + len(run_tracks)
            results.append(ExtraResults(tuple(run_tracks), tuple(scores[start:stop]), tuple(safeties[start:stop])))
            start = stop
        return results


def joint_extras(evolutions: list[Evolution]) -> JointExtras | None:
    """Every run's extra tracks of the pending generation as one stacked race; None when there are none, or of
    lengths that differ (each run races its own then)."""
    tracks = [evolution.pending_extra_tracks() for evolution in evolutions]
    lengths = {each.columns for run_tracks in tracks for each in run_tracks}
    if len(lengths) != 1:
        return None
    safety = any(evolution.config.safety_weight > 0 for evolution in evolutions)
    groups = [evolution.state.pending for evolution, run_tracks in zip(evolutions, tracks) for _ in run_tracks]
    flat = [each for run_tracks in tracks for each in run_tracks]
    return JointExtras(tracks, StackedRace(groups, flat, evolutions[0].network, safety), safety)
