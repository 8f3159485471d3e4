"""The one lockstep scheduler (evolution/many/lockstep.py): stepped a slice at a time (the window's frames), joined or
side by side, with or without the champions' joint drives, it gives every run the numbers it makes run to the
end (headless) and alone; no run races ahead of another; after_round comes when every run has raced the same
generations."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import pytest

from evolution.breeding.strategies import NotFinite
from evolution.many.lockstep import Lockstep
from evolution.racing.race import SLICE_SECONDS
from evolution.racing.track import training_track
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.history import COLUMNS

GENERATIONS = 6
CONFIGS = (
    RunConfig(strategy="classic", seed=4, generations=GENERATIONS, population=20),
    RunConfig(strategy="elitist", seed=4, generations=GENERATIONS, population=30, extra_tracks=1, mutation_rate=0.2),
    RunConfig(strategy="snes", seed=9, generations=GENERATIONS, population=16, extra_tracks=2),
)
NO_SECONDS = [index for index, name in enumerate(COLUMNS) if name != "seconds"]


def runs() -> list[Evolution]:
    return [Evolution(config, training_track()) for config in CONFIGS]


def numbers(evolutions: list[Evolution]) -> list[tuple[np.ndarray, np.ndarray]]:
    """What each run made: its history without the seconds (columns × generations), and its last ranked genomes."""
    return [(e.history.to_arrays()[NO_SECONDS], e.state.ranked_genomes) for e in evolutions]


def same(a: list[tuple[np.ndarray, np.ndarray]], b: list[tuple[np.ndarray, np.ndarray]]) -> bool:
    return all(np.array_equal(x, y) for one, other in zip(a, b) for x, y in zip(one, other))


@pytest.fixture(scope="module")
def to_the_end() -> list[tuple[np.ndarray, np.ndarray]]:
    """The runs in lockstep, run to the end in one call (headless), checked against each run made alone."""
    evolutions = runs()
    Lockstep(evolutions).run()
    assert all(e.complete for e in evolutions)
    alone = runs()
    for evolution in alone:
        while not evolution.raced_all:
            evolution.run_generation()
        evolution.finish_test_drives_now()
    assert same(numbers(evolutions), numbers(alone))
    return numbers(evolutions)


@pytest.mark.parametrize("joined", [True, False])
@pytest.mark.parametrize("columns", [1, 37])
def test_stepped_a_few_columns_at_a_time_it_gives_what_it_gives_run_to_the_end(to_the_end, joined, columns):
    evolutions = runs()
    lockstep = Lockstep(evolutions)
    for _ in range(100_000):
        if lockstep.complete:
            break
        lockstep.step(columns, joined=joined)
    assert lockstep.complete
    assert same(numbers(evolutions), to_the_end)


def test_stepped_as_the_window_steps_it_turbo_toggled_it_gives_the_same(to_the_end):
    """Frames of a few milliseconds, the runs' races raced as one in some and side by side in others (turbo on and
    off), the closing in slices, the champions' drives as one batch while joined."""
    evolutions = runs()
    lockstep = Lockstep(evolutions, trail_length=48, slice_seconds=SLICE_SECONDS, share_drives=True)
    frame = 0
    while not lockstep.complete and frame < 100_000:
        joined = (frame // 3) % 2 == 0  # turbo on for 3 frames, off for 3: joint races cut short, side by side
        lockstep.step(10**9 if joined else 8, time.perf_counter() + 0.0003, joined=joined)
        if frame % 11 == 10:
            lockstep.step_one()  # → while paused
        frame += 1
    assert lockstep.complete
    assert same(numbers(evolutions), to_the_end)


def test_no_run_races_ahead_and_side_by_side_the_races_go_column_for_column():
    evolutions = runs()
    lockstep = Lockstep(evolutions, trail_length=48, slice_seconds=SLICE_SECONDS)
    while not lockstep.complete:
        lockstep.step(5, joined=False)
        generations = [e.generation for e in evolutions]
        assert max(generations) - min(generations) <= 1
        for run in lockstep.runs:  # a run ahead has closed its generation and waits: its next race not started
            if run.evolution.generation > min(generations) and not run.evolution.raced_all:
                assert run.race.done and not run.racing
        racing = [run.race.column for run in lockstep.runs if run.racing]
        if len(racing) == len(lockstep.runs):
            assert max(racing) == min(racing)


def test_after_round_comes_when_every_run_has_raced_the_same_generations(to_the_end):
    """Also for runs resumed a generation apart (a checkpoint written in the middle of a round): the run behind
    races alone first."""
    evolutions = runs()
    evolutions[1].run_generation()  # run 1 is a generation ahead
    seen: list[list[int]] = []
    lockstep = Lockstep(evolutions, after_round=lambda: seen.append([e.generation for e in evolutions]))
    lockstep.run()
    assert seen == [[generation] * len(evolutions) for generation in range(1, GENERATIONS + 2)]
    assert same(numbers(evolutions), to_the_end)


def test_runs_on_other_tracks_race_side_by_side_and_give_their_numbers_alone():
    """A round whose races cannot be joined (another track, another network shape) races them side by side."""
    from evolution.racing.track import random_track

    configs = [replace(CONFIGS[0], generations=3), replace(CONFIGS[1], generations=3, layers=(7, 6, 1))]
    tracks = [training_track(), random_track(5)]
    evolutions = [Evolution(config, track) for config, track in zip(configs, tracks)]
    Lockstep(evolutions).run()
    alone = [Evolution(config, track) for config, track in zip(configs, tracks)]
    for evolution in alone:
        while not evolution.raced_all:
            evolution.run_generation()
        evolution.finish_test_drives_now()
    assert same(numbers(evolutions), numbers(alone))


def test_a_sweeps_lockstep_drives_at_the_end_and_a_run_that_overflows_stops_alone(to_the_end):
    """drives_at_end: every champion's test drive waits for the end and races in one batch; stop_alone: a run whose
    numbers overflow stops at its last finite state and the others give their numbers alone (a sweep's batch)."""
    evolutions = runs()
    tell = evolutions[1].strategy.tell

    def overflowing_tell(state, genomes, scores) -> None:
        if evolutions[1].state.generation == 3:
            raise NotFinite("the weights grew past what a number can hold")
        tell(state, genomes, scores)

    evolutions[1].strategy.tell = overflowing_tell
    rounds: list[list[int]] = []
    lockstep = Lockstep(
        evolutions,
        after_round=lambda: rounds.append([e.generation for e in evolutions]),
        drives_at_end=True,
        stop_alone=True,
    )
    lockstep.run()
    assert lockstep.stopped == {1: "generation 3: the weights grew past what a number can hold"}
    assert [run.evolution for run in lockstep.runs] == [evolutions[0], evolutions[2]]
    assert rounds[:3] == [[1, 1, 1], [2, 2, 2], [3, 3, 3]] and rounds[3:] == [[g, 3, g] for g in range(4, 8)]
    evolutions[1].finish_test_drives_now()  # a stopped run's last test drives are its caller's (the sweep's)
    mine = numbers(evolutions)
    assert same([mine[0], mine[2]], [to_the_end[0], to_the_end[2]])
    assert len(evolutions[1].history) == 3 and not evolutions[1].raced_all  # generations 0 to 2, its last finite
    assert np.array_equal(mine[1][0], to_the_end[1][0][:, :3])


def test_without_stop_alone_an_overflow_stops_every_run():
    evolutions = runs()
    evolutions[0].strategy.tell = lambda *args: (_ for _ in ()).throw(NotFinite("too big"))
    with pytest.raises(NotFinite, match="too big"):
        Lockstep(evolutions).run()
