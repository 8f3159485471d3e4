"""Measure one configuration over many seeds: a Markdown row for docs/learning-notes.md.

python -m bench.tune --strategy NAME [--mutation-rate R] [--tracks K] [--track-columns C] [--safety W]
                     [--set KNOB=VALUE ...] [--seeds 0-39] [--generations 60] [--jobs 2] [--no-judge]

--set overrides a class attribute of the strategy (a knob such as ELITE_SHARE) for this measurement
only, through a subclass registered under a temporary name (the worker processes are forked, so they
see it). Settings are chosen on the tuning seeds (0-99) only; see evolution/many/sweep.py.
"""

from __future__ import annotations

import argparse
import ast
import sys
import time

from app.flag_types import seed_list, whole
from app.options import flag_type
from evolution.breeding.strategies import STRATEGIES
from evolution.many.sweep import summarise, sweep
from evolution.run.evolve import RunConfig
from evolution.run.settings import RUN_SETTINGS


def variant(strategy: str, knobs: list[str]) -> str:
    """The row's name: strategy with its class attributes overridden by knobs ('NAME=VALUE'), set on the class
    itself (this process measures nothing else; the sweep's workers are forked after)."""
    if not knobs:
        return strategy
    base = STRATEGIES[strategy]
    values = {}
    for knob in knobs:
        name, _, value = knob.partition("=")
        if not hasattr(base, name):
            raise ValueError(f"{strategy} has no knob {name!r}")
        try:
            values[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            raise ValueError(f"{knob!r}: the value is not a Python literal") from None
    for name, value in values.items():
        setattr(base, name, value)
    return f"{strategy}[{','.join(knobs)}]"


def seed_text(text: str) -> str:
    """--seeds as typed (it names the row), once checked."""
    seed_list(text)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tune", description=__doc__.splitlines()[0])
    table = RUN_SETTINGS
    parser.add_argument("--strategy", choices=sorted(STRATEGIES), default=table["strategy"].default)
    parser.add_argument("--mutation-rate", type=flag_type(table["mutation_rate"]))
    parser.add_argument("--tracks", type=flag_type(table["extra_tracks"]))
    columns = table["extra_track_columns"]
    parser.add_argument("--track-columns", type=flag_type(columns), default=columns.default)
    parser.add_argument("--safety", type=flag_type(table["safety_weight"]))
    parser.add_argument("--population", type=flag_type(table["population"]), default=table["population"].default)
    parser.add_argument("--set", action="append", default=[], metavar="KNOB=VALUE")
    parser.add_argument("--seeds", type=seed_text, default="0-39")
    parser.add_argument("--generations", type=whole(1, 1_000_000), default=60)
    parser.add_argument("--jobs", type=whole(1, 256), default=2)
    parser.add_argument("--no-judge", action="store_true", help="skip the test-track and unseen-track drives")
    args = parser.parse_args(argv)
    try:
        name = variant(args.strategy, args.set)
    except ValueError as exc:
        parser.error(f"argument --set: {exc}")
    config = RunConfig(
        population=args.population,
        strategy=args.strategy,
        mutation_rate=args.mutation_rate,  # None (not given): the strategy's default, as below
        extra_tracks=args.tracks,
        extra_track_columns=args.track_columns,
        safety_weight=args.safety,
        generations=args.generations,
        test_curve=False,
    )
    seeds = seed_list(args.seeds)
    started = time.perf_counter()
    outcomes = sweep(config, seeds, jobs=args.jobs, judge=not args.no_judge)
    wall = time.perf_counter() - started
    s = summarise(outcomes)
    never = [o.seed for o in outcomes if o.first_finisher is None]
    late = [o.seed for o in outcomes if o.first_finisher is not None and o.first_finisher > 60]
    print(
        f"| {name} R={config.mutation_rate} K={config.extra_tracks}x{config.extra_track_columns} "
        f"W={config.safety_weight} | {args.seeds} x{args.generations} | {s.within_40} | {s.within_60} "
        f"| {s.found} | {s.median_first:g} | {s.top_all_finish_test} | {100 * s.mean_unseen_share:.1f}% "
        f"| {wall:.0f} s | never {never} late {late} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
