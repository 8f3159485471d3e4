"""Genome-steps per second of one generation on the training track: the blog's run() against ours.

python -m bench.throughput [--repeats 5] [--sizes 50 1000 10000]

Both run in this process on the same genomes, alternating, and each figure is a median of repeats.
A genome-step is one genome driven one column; both codes are credited the same count (the columns
each genome survives), so the ratio is the ratio of times. Each case also checks that both codes give
every genome the same score.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time

import numpy as np

from bench.common import load_reference, population
from evolution.flag_types import whole
from evolution.network import Network
from evolution.race import race_scores
from evolution.track import training_track

SIZES = (50, 1_000, 10_000)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.splitlines()[0])
    repeats = whole(1, 1000)
    parser.add_argument("--repeats", type=repeats, default=5, help="timed runs of each code per case (default 5)")
    parser.add_argument(
        "--sizes", type=whole(2, 100_000), nargs="+", default=list(SIZES), help="populations (default 50 1000 10000)"
    )
    args = parser.parse_args(argv)
    reference = load_reference()
    if reference is None:
        print("../shared/reference/seed_reference.py is absent: timing ours alone")
    track, network = training_track(), Network()
    print(f"{platform.processor() or platform.machine()}, numpy {np.__version__}, python {platform.python_version()}")
    print("| population | genomes | finishing | reference genome-steps/s | ours genome-steps/s | ratio | same scores |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    mismatches = 0
    for kind in ("random", "evolved"):
        for size in args.sizes:
            genomes = population(kind, size, network.genome_size)
            scores = race_scores(genomes, track, network)
            steps = int(np.minimum(scores + 1, track.finish).sum())
            ours, theirs = [], []
            blog_net = reference.NeuralNetwork([7, 8, 4, 1]) if reference else None
            repeats = args.repeats if size < 10_000 else max(2, args.repeats // 2)
            for _ in range(repeats):
                started = time.perf_counter()
                race_scores(genomes, track, network)
                ours.append(time.perf_counter() - started)
                if reference:
                    with np.errstate(over="ignore"):
                        started = time.perf_counter()
                        reference.run(genomes, track.top, track.bottom, blog_net)
                        theirs.append(time.perf_counter() - started)
            our_rate = steps / np.median(ours)
            their_rate = steps / np.median(theirs) if theirs else float("nan")
            finishing = int((scores >= track.finish).sum())
            same = "—"
            if reference:
                with np.errstate(over="ignore"):
                    _, their_scores = reference.run(genomes, track.top, track.bottom, blog_net, get_path=True)
                same = "yes" if np.array_equal(their_scores, scores) else "NO"
                mismatches += same == "NO"
            ratio = f"{our_rate / their_rate:.1f}×" if theirs else "—"
            their_text = f"{their_rate:,.0f}" if theirs else "—"
            cells = [kind, f"{size:,}", f"{finishing:,}", their_text, f"{our_rate:,.0f}", ratio, same]
            print("| " + " | ".join(cells) + " |", flush=True)
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
