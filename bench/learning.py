"""How reliably each strategy learns and how well its drivers generalise, over many seeds: a Markdown table.

python -m bench.learning [--seeds 20] [--generations 150] [--jobs 2] [--only NAME[+K],...]

For every strategy, with and without multi-track training, and every seed: evolve on the training track,
note the first generation with a genome that finishes it, then drive the saved top 20 on the blog's test
track and the champion on 50 unseen random tracks.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evolution.evolve import Evolution, RunConfig
from evolution.flag_types import whole
from evolution.race import race_scores
from evolution.strategies import STRATEGIES
from evolution.track import blog_test_track, random_track, training_track

UNSEEN_SEEDS = range(900_000, 900_050)  # tracks no run trains on (theirs are drawn from the run's seed)
KEEP = 20


@dataclass(frozen=True)
class Outcome:
    first_finisher: int | None  # generation
    seconds_to_first: float | None
    top20_all_finish_test: bool
    unseen_share: float


def run_one(strategy: str, tracks: int, seed: int, generations: int, **overrides) -> Outcome:
    """One run with the strategy's own defaults; overrides are other RunConfig settings, for experiments."""
    defaults = STRATEGIES[strategy]
    settings = {
        "mutation_rate": defaults.default_mutation_rate,
        "safety_weight": defaults.default_safety_weight,
        **overrides,
    }
    config = RunConfig(
        strategy=strategy, seed=seed, generations=generations, extra_tracks=tracks, test_curve=False, **settings
    )
    evolution = Evolution(config, training_track())
    first, first_seconds = None, None
    started = time.perf_counter()
    while not evolution.raced_all:
        stats = evolution.run_generation()
        if first is None and stats.finished > 0:
            first, first_seconds = stats.generation, time.perf_counter() - started
    best = evolution.best(KEEP)
    test = blog_test_track()
    all_finish = bool((race_scores(best.genomes, test, best.network) >= test.finish).all())
    champion = best.genomes[:1]
    finished = [race_scores(champion, t, best.network)[0] >= t.finish for t in map(random_track, UNSEEN_SEEDS)]
    return Outcome(first, first_seconds, all_finish, float(np.mean(finished)))


def _task(args: tuple[str, int, int, int]) -> tuple[str, int, int, Outcome]:
    strategy, tracks, seed, generations = args
    return strategy, tracks, seed, run_one(strategy, tracks, seed, generations)


def configurations(only: str | None) -> list[tuple[str, int]]:
    if only:
        chosen = []
        for item in only.split(","):
            name, _, tracks = item.partition("+")
            chosen.append((name, int(tracks or 0)))
        return chosen
    return [(name, tracks) for name in STRATEGIES for tracks in (0, 2)]


def table(results: dict[tuple[str, int], list[Outcome]], seeds: int, generations: int) -> str:
    rows = [
        f"| strategy | training tracks | seeds with a finisher within {generations} generations | within 60 "
        f"| median generation of the first finisher | median seconds to it "
        f"| seeds whose saved top {KEEP} all finish the test track | champion's share of 50 unseen tracks |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for (strategy, tracks), outcomes in results.items():
        firsts = [o.first_finisher if o.first_finisher is not None else np.inf for o in outcomes]
        seconds = [o.seconds_to_first if o.seconds_to_first is not None else np.inf for o in outcomes]
        found = sum(o.first_finisher is not None for o in outcomes)
        median_first = np.median(firsts)
        median_seconds = np.median(seconds)
        rows.append(
            f"| {strategy} | {'training' if not tracks else f'training + {tracks} random'} | {found} of {seeds} "
            f"| {sum(f <= 60 for f in firsts)} of {seeds} "
            f"| {'never' if np.isinf(median_first) else f'{median_first:g}'} "
            f"| {'—' if np.isinf(median_seconds) else f'{median_seconds:.2f}'} "
            f"| {sum(o.top20_all_finish_test for o in outcomes)} of {seeds} "
            f"| {100 * np.mean([o.unseen_share for o in outcomes]):.1f}% |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.learning", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=whole(1, 100_000), default=20, help="seeds 0..N-1 (default 20)")
    parser.add_argument(
        "--generations", type=whole(1, 1_000_000), default=150, help="generations per run (default 150)"
    )
    parser.add_argument("--jobs", type=whole(1, 256), default=2, help="worker processes (default 2)")
    parser.add_argument("--only", help="configurations to run, e.g. classic,snes+2 (default: all, with 0 and 2)")
    args = parser.parse_args(argv)
    configs = configurations(args.only)
    tasks = [(name, tracks, seed, args.generations) for name, tracks in configs for seed in range(args.seeds)]
    results: dict[tuple[str, int], list[Outcome]] = {config: [None] * args.seeds for config in configs}
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for done, (name, tracks, seed, outcome) in enumerate(pool.map(_task, tasks), start=1):
            results[(name, tracks)][seed] = outcome
            print(
                f"\r{done}/{len(tasks)} runs · {time.perf_counter() - started:.0f} s",
                end="",
                file=sys.stderr,
                flush=True,
            )
    print(file=sys.stderr)
    print(table(results, args.seeds, args.generations))
    print(
        f"\n{args.seeds} seeds × {args.generations} generations, population 50; {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
