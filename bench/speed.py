"""Headless generations per second of two strategies side by side, in one process: a Markdown table.

python -m bench.speed [--strategies elitist-before,elitist] [--seeds 0-4] [--generations 150] [--population 50]

Each strategy runs with its own defaults (extra tracks, rate, safety), as main.py --headless does (test
curve on), on the same seeds, alternating strategy by strategy within each seed, so drifts in the
machine's speed fall on both alike. The rate is a whole run's generations over its seconds.
`elitist-before` is the default before the learning work (noise 0.3, first generation in ±1).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from app.flag_types import seed_list, whole
from app.options import flag_type
from bench.common import BEFORE, config_for, register_before
from evolution.breeding.strategies import STRATEGIES
from evolution.racing.track import training_track
from evolution.run.evolve import Evolution
from evolution.run.settings import RUN_SETTINGS


def rate(strategy: str, seed: int, generations: int, population: int) -> float:
    """Generations per second of one headless run with the strategy's defaults."""
    config = config_for(strategy, seed=seed, generations=generations, population=population)
    evolution = Evolution(config, training_track())
    started = time.perf_counter()
    while not evolution.raced_all:
        evolution.run_generation()
    evolution.finish_test_drives_now()
    return (generations + 1) / (time.perf_counter() - started)


def strategy_names(text: str) -> list[str]:
    """A comma list of strategies, the old default (BEFORE) among them."""
    register_before()
    names = text.split(",")
    for name in names:
        if name not in STRATEGIES:
            raise argparse.ArgumentTypeError(f"{name!r} is not a strategy: choose from {', '.join(STRATEGIES)}")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.speed", description=__doc__.splitlines()[0])
    parser.add_argument("--strategies", type=strategy_names, default=[BEFORE, "elitist"])
    parser.add_argument("--seeds", type=seed_list, default=seed_list("0-4"))
    parser.add_argument("--generations", type=whole(1, 1_000_000), default=150)
    parser.add_argument("--population", type=flag_type(RUN_SETTINGS["population"]), default=50)
    args = parser.parse_args(argv)
    names = args.strategies
    rates: dict[str, list[float]] = {name: [] for name in names}
    for seed in args.seeds:
        for name in names:
            rates[name].append(rate(name, seed, args.generations, args.population))
    first = np.median(rates[names[0]])
    print("| strategy | median generations/s | per seed | against " + names[0] + " |")
    print("| --- | --- | --- | --- |")
    for name in names:
        median = np.median(rates[name])
        each = ", ".join(f"{value:.1f}" for value in rates[name])
        print(f"| {name} | {median:.1f} | {each} | {median / first:.0%} |")
    print(f"\nseeds {args.seeds}, {args.generations} generations, population {args.population}, test curve on")
    return 0


if __name__ == "__main__":
    sys.exit(main())
