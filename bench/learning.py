"""How reliably a strategy learns and how well its drivers generalise, on held-out seeds: a Markdown table.

python -m bench.learning [--seeds 10000-10099] [--generations 150] [--jobs N] [--only NAME[+K],...]
python -m bench.learning --endless [--seeds 10000-10009] [--generations 300]

Rows: the blog's classic (the baseline, on the training track alone), the old default (elitist with 2
extra tracks) and the new default (the program's default strategy with its own settings). For every
seed (the held-out seeds by default: settings were chosen on seeds 0-99 only): evolve on the training
track, note the first generation with a genome that finishes it, then drive the saved top 20 on the
blog's test track and the champion on 50 unseen random tracks (evolution/many/sweep.py).

--endless: a harder measure. Each strategy (with its own defaults) races endless mode (evolution/racing/endless.py)
from level 1 of each seed's road; the table gives the level each reaches after the generations (the level it
races next: 1 + the levels passed), as the median, the range and the mean over the seeds. The levels' shapes
were chosen on seeds 0-4; the held-out seeds are never used for choosing.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from app.flag_types import seed_list, whole
from bench.common import BEFORE, config_for, register_before
from evolution.many.sweep import HELD_OUT_SEEDS, KEEP, Summary, summarise, sweep
from evolution.racing.endless import endless_track
from evolution.run.climb import level_reached
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.settings import RUN_SETTINGS

# the blog's classic, the default before the learning work, the default now (None: its own extra tracks)
ROWS = [("classic", 0), (BEFORE, 2), (RUN_SETTINGS["strategy"].default, None)]


def configurations(only: str | None) -> list[tuple[str, int | None]]:
    """(strategy, extra tracks) of each row: --only's, or ROWS without repeats."""
    register_before()
    if not only:
        rows: list[tuple[str, int | None]] = []
        for name, tracks in ROWS:
            resolved = RUN_SETTINGS["extra_tracks"].default_for(name) if tracks is None else tracks
            if (name, resolved) not in rows:
                rows.append((name, resolved))
        return rows
    chosen: list[tuple[str, int | None]] = []
    for item in only.split(","):
        name, plus, tracks = item.partition("+")
        chosen.append((name, int(tracks) if plus else None))
    return chosen


def row(strategy: str, tracks: int, summary: Summary, generations: int) -> str:
    """One line of the table."""
    n = summary.seeds
    median = "never" if summary.median_first == float("inf") else f"{summary.median_first:g}"
    late = f"{summary.within_150} of {n}" if generations >= 150 else "—"
    return (
        f"| {strategy} | {'training' if not tracks else f'training + {tracks} random'} | {summary.within_40} of {n} "
        f"| {summary.within_60} of {n} | {late} | {median} | {summary.top_all_finish_test} of {n} "
        f"| {100 * summary.mean_unseen_share:.1f}% |"
    )


ENDLESS_ROWS = ("classic", "elitist", "snes")  # each with its own defaults (classic: the training track alone)


def climb(config: RunConfig) -> int:
    """The level a run of config reaches in endless mode from level 1 of its seed's road (1 + levels passed)."""
    evolution = Evolution(config, endless_track(config.seed, 1))
    while not evolution.raced_all:
        evolution.run_generation()
    return level_reached(evolution) or 1


def endless_table(seeds: list[int], generations: int, jobs: int | None) -> list[str]:
    """The --endless table: per strategy, the level reached after `generations` on each seed."""
    lines = [
        f"| strategy | training tracks | level after {generations} generations: median | range | mean | seeds |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name in ENDLESS_ROWS:
        base = config_for(name, generations=generations, test_curve=False)
        configs = [RunConfig(**{**base.__dict__, "seed": seed}) for seed in seeds]
        print(f"{name}: {len(configs)} seeds", file=sys.stderr, flush=True)
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            levels = np.array(list(pool.map(climb, configs)))
        print(f"{name}: levels {levels.tolist()}", file=sys.stderr, flush=True)
        tracks = "endless" if not base.extra_tracks else f"endless + {base.extra_tracks} random"
        spread = f"{levels.min()}–{levels.max()}"
        lines.append(f"| {name} | {tracks} | {np.median(levels):g} | {spread} | {levels.mean():.1f} | {len(levels)} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.learning", description=__doc__.splitlines()[0])
    held_out = f"{HELD_OUT_SEEDS.start}-{HELD_OUT_SEEDS.stop - 1}"
    parser.add_argument("--seeds", type=seed_list, default=seed_list(held_out), help=f"default {held_out}")
    parser.add_argument(
        "--generations", type=whole(1, 1_000_000), default=150, help="generations per run (default 150)"
    )
    parser.add_argument("--jobs", type=whole(1, 256), default=None, help="worker processes (default: every core)")
    parser.add_argument("--only", help="rows to run, e.g. classic+0,snes+2 (default: classic, old and new default)")
    parser.add_argument("--endless", action="store_true", help="the level reached in endless mode, per strategy")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.endless:
        print("\n".join(endless_table(args.seeds, args.generations, args.jobs)))
        seeds = args.seeds
        print(f"\nseeds {seeds[0]}–{seeds[-1]} ({len(seeds)}) × {args.generations} generations, population 50; "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        return 0
    lines = [
        "| strategy | training tracks | first finisher within 40 generations | within 60 "
        f"| within 150 | median generation of the first finisher | seeds whose saved top {KEEP} all finish the "
        "test track | champion's share of 50 unseen tracks |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for strategy, tracks in configurations(args.only):
        config = config_for(strategy, tracks, generations=args.generations, test_curve=False)
        print(f"{strategy} + {config.extra_tracks} tracks", file=sys.stderr, flush=True)
        summary = summarise(sweep(config, args.seeds, jobs=args.jobs))
        lines.append(row(strategy, config.extra_tracks, summary, args.generations))
    print("\n".join(lines))
    seeds = args.seeds
    print(
        f"\nseeds {seeds[0]}–{seeds[-1]} ({len(seeds)}) × {args.generations} generations, population 50; "
        f"{time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
