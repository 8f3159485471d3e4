"""Several runs' generations raced as one: every run's population on the training track in one race, and
every run's extra tracks in one stacked race, split back run by run (a sweep's batches, a headless
comparison). The network and the physics work dot by dot, so each run's numbers are its numbers alone.
"""

from __future__ import annotations

import numpy as np

from .evolve import Evolution, ExtraResults
from .history import GenerationStats
from .race import StackedRace, finished_race
from .track import Track


def generation_together(evolutions: list[Evolution]) -> list[GenerationStats]:
    """Race and close one generation of every run, the races of all of them at once where they can be."""
    races = [evolution.next_race() for evolution in evolutions]
    first = races[0]
    if any(not same_track(race.track, first.track) or race.network.layers != first.network.layers for race in races):
        for race in races:  # runs on other tracks or with other networks (the lab's changes) race apart
            race.run()
        return [evolution.close_generation_now(race) for evolution, race in zip(evolutions, races)]
    joint = StackedRace([race.genomes for race in races], [first.track] * len(races), first.network)
    joint.run()
    scores = joint.per_track_values(joint.scores)
    done = [finished_race(race, part) for race, part in zip(races, scores)]
    extras = extra_tracks_together(evolutions)
    return [evolution.close_generation_now(race, extra) for evolution, race, extra in zip(evolutions, done, extras)]


def same_track(a: Track, b: Track) -> bool:
    """True when a and b are one track (the same object, or equal barriers)."""
    return a is b or (np.array_equal(a.top, b.top) and np.array_equal(a.bottom, b.bottom))


def extra_tracks_together(evolutions: list[Evolution]) -> list[ExtraResults | None]:
    """Every run's extra tracks of the pending generation in one stacked race, split back run by run."""
    tracks = [evolution.pending_extra_tracks() for evolution in evolutions]
    lengths = {each.columns for run_tracks in tracks for each in run_tracks}
    if len(lengths) != 1:  # no extra tracks, or of lengths that differ: each run races its own
        return [None] * len(evolutions)
    safety = any(evolution.config.safety_weight > 0 for evolution in evolutions)
    groups = [evolution.state.pending for evolution, run_tracks in zip(evolutions, tracks) for _ in run_tracks]
    stacked = StackedRace(groups, [each for run_tracks in tracks for each in run_tracks], evolutions[0].network, safety)
    stacked.run()
    scores = stacked.per_track_values(stacked.scores)
    safeties = stacked.per_track_values(stacked.safety()) if safety else []
    results, start = [], 0
    for run_tracks in tracks:
        stop = start + len(run_tracks)
        results.append(ExtraResults(tuple(run_tracks), tuple(scores[start:stop]), tuple(safeties[start:stop])))
        start = stop
    return results
