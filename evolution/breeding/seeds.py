"""Every random generator of a run, derived from the run's one seed in this one place.

Each generator has a name and a fixed stream number; the generator for (seed, name) is always the
same, so a run repeats exactly, and two generators of one run never share a stream. The classic
strategy alone uses numpy's legacy RandomState(seed), to draw the blog's numbers.
"""

from __future__ import annotations

import numpy as np

SEEDS = 2**32  # a seed is a whole number in 0..SEEDS-1, as the blog's RandomState takes (a run's, a track's)
# name -> stream number mixed with the seed (SeedSequence([seed, stream])); never change a number,
# or every run's figures move. A strategy adds its own stream under its name when it is registered
# (Strategy.stream, evolution/breeding/strategies.py).
STREAMS: dict[str, int] = {
    "new_track": 1,  # the window's G key: each new random track's seed
    "restart": 2,  # the window's R key: each new run's seed
    "extra_tracks": 0x7AC,  # the seeds of each generation's extra training tracks
    "lab_strategy": 0x1AB5,  # a strategy started mid-run by a settings change: its generator
    "lab_population": 0x1AB9,  # a population grown mid-run: the noise of its new genomes
    "endless": 0xE4D,  # endless mode: each level's track (with the level as a third number)
}


def add_stream(name: str, number: int) -> None:
    """Give the generator `name` its stream; ValueError if the name or the number is taken."""
    if name in STREAMS or number in STREAMS.values():
        raise ValueError(f"the generator {name!r} or the stream {number} is taken")
    STREAMS[name] = number


def remove_stream(name: str) -> None:
    """Take back a stream added by add_stream (a strategy a test registered)."""
    STREAMS.pop(name)


def generator(seed: int, name: str) -> np.random.Generator:
    """The run's generator called `name` (one of STREAMS), freshly seeded."""
    if name not in STREAMS:
        raise ValueError(f"no generator is called {name!r}")
    return np.random.default_rng(np.random.SeedSequence([seed, STREAMS[name]]))


def blog_generator(seed: int) -> np.random.RandomState:
    """The blog's generator: numpy's legacy RandomState(seed), which the classic strategy draws from."""
    return np.random.RandomState(seed)


def change_generator(seed: int, name: str, generation: int) -> np.random.Generator:
    """The generator of a settings change made at `generation` (name one of STREAMS, e.g. lab_strategy)."""
    if name not in STREAMS:
        raise ValueError(f"no generator is called {name!r}")
    return np.random.default_rng(np.random.SeedSequence([seed, STREAMS[name], generation]))


def change_random_state(seed: int, generation: int) -> np.random.RandomState:
    """The classic strategy's legacy generator when a settings change starts it at `generation`."""
    sequence = np.random.SeedSequence([seed, STREAMS["lab_strategy"], generation])
    return np.random.RandomState(np.random.MT19937(sequence))
