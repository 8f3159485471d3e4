"""Genome-steps per second of one generation on the training track: the blog's run() against ours.

python -m bench.throughput [--repeats 5] [--sizes 50 1000 10000]

Both run in this process on the same genomes, alternating, and each figure is a median of repeats.
A genome-step is one genome driven one column; both codes are credited the same count (the columns
each genome survives), so the ratio is the ratio of times. Each case also checks that both codes give
every genome the same score. Ours is timed twice: the compiled race (what the program runs) and the
numpy race (its reference). The last columns give the compiled race's nanoseconds per dot-column (of the
clock, and of this process's processor time, which other work on a busy machine disturbs less) beside the
floor, measured here: a dot-column costs at least 13 of numpy's exponentials (timed on the very sums
the network computes, which the numbers require) and about 105 multiply-adds (timed compiled).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time

import numpy as np

from app.flag_types import whole
from app.options import flag_type
from bench.common import load_reference, population
from evolution.racing import network as network_module
from evolution.racing import race_kernel
from evolution.racing.network import Network
from evolution.racing.race import Race
from evolution.racing.track import training_track
from evolution.run.settings import RUN_SETTINGS

SIZES = (50, 1_000, 10_000)
EXPONENTIALS = 13  # per dot-column of the 7-8-4-1 network: 8 + 4 + 1
MULTIPLY_ADDS = 7 * 8 + 8 + 8 * 4 + 4 + 4 + 1  # the products and biases of its three layers (105)


def race_scores(genomes: np.ndarray, track, network: Network, compiled: bool) -> np.ndarray:
    """The scores of one whole race, compiled or with numpy."""
    return Race(genomes, track, network, compiled=compiled).run()


def network_sums(genomes: np.ndarray, track, network: Network) -> np.ndarray:
    """Every value the numpy race hands to exp in one race of these genomes (the network's sums)."""
    seen: list[np.ndarray] = []
    exp = network_module._exp

    def recording(values, out=None):
        seen.append(values.copy())
        return exp(values, out=out)

    network_module._exp = recording
    try:
        race_scores(genomes, track, network, compiled=False)
    finally:
        network_module._exp = exp
    return np.concatenate([values.ravel() for values in seen])


def exp_seconds_per_value(sums: np.ndarray, repeats: int = 20) -> float:
    """numpy's exp per value on these sums, in calls of 4,096 values (about what a block of dots makes)."""
    chunks = [sums[start : start + 4096].copy() for start in range(0, min(sums.size, 2_000_000), 4096)]
    out = np.empty(4096)
    best = np.inf
    with np.errstate(over="ignore", under="ignore"):
        for _ in range(repeats):
            started = time.perf_counter()
            for chunk in chunks:
                np.exp(chunk, out=out[: chunk.size])
            best = min(best, time.perf_counter() - started)
    return best / sum(chunk.size for chunk in chunks)


def multiply_add_seconds() -> float:
    """One multiply-add, compiled and vectorised along the dots as the race's are (nan without numba)."""
    if not race_kernel.ready(wait=True):
        return float("nan")
    import numba

    @numba.njit(fastmath=False)
    def multiply_adds(acc, x, w, repeats):
        for _ in range(repeats):
            for i in range(acc.size):
                acc[i] = acc[i] + x[i] * w[i]

    acc, x, w = np.zeros(256), np.full(256, 1e-9), np.full(256, 1e-9)
    multiply_adds(acc, x, w, 1)
    repeats = 20_000
    best = np.inf
    for _ in range(5):
        started = time.perf_counter()
        multiply_adds(acc, x, w, repeats)
        best = min(best, time.perf_counter() - started)
    return best / (repeats * acc.size)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.splitlines()[0])
    repeats = whole(1, 1000)
    parser.add_argument("--repeats", type=repeats, default=5, help="timed runs of each code per case (default 5)")
    parser.add_argument(
        "--sizes",
        type=flag_type(RUN_SETTINGS["population"]),
        nargs="+",
        default=list(SIZES),
        help="populations (default 50 1000 10000)",
    )
    args = parser.parse_args(argv)
    reference = load_reference()
    if reference is None:
        print("../shared/reference/seed_reference.py is absent: timing ours alone")
    compiled = race_kernel.ready(wait=True)
    if not compiled:
        print(f"the compiled race is off ({race_kernel.reason()}): 'ours' is the numpy race")
    track, network = training_track(), Network()
    print(f"{platform.processor() or platform.machine()}, numpy {np.__version__}, python {platform.python_version()}")
    evolved = population("evolved", 50, network.genome_size)
    exp_ns = exp_seconds_per_value(network_sums(evolved, track, network)) * 1e9
    madd_ns = multiply_add_seconds() * 1e9
    floor = EXPONENTIALS * exp_ns + MULTIPLY_ADDS * madd_ns
    print(
        f"floor per dot-column: {EXPONENTIALS} × numpy's exp ({exp_ns:.2f} ns a value on an evolved network's sums)"
        f" + {MULTIPLY_ADDS} × a multiply-add ({madd_ns:.3f} ns) = {floor:.1f} ns"
    )
    print(
        "| population | genomes | finishing | reference genome-steps/s | ours genome-steps/s | ratio | same scores"
        " | numpy race genome-steps/s | compiled / numpy | ns per dot-column | CPU ns per dot-column | floor ns |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    mismatches = 0
    for kind in ("random", "evolved"):
        for size in args.sizes:
            genomes = population(kind, size, network.genome_size)
            scores = race_scores(genomes, track, network, compiled=True)
            steps = int(np.minimum(scores + 1, track.finish).sum())
            ours, ours_cpu, numpy_race, theirs = [], [], [], []
            blog_net = reference.NeuralNetwork([7, 8, 4, 1]) if reference else None
            repeats = args.repeats if size < 10_000 else max(2, args.repeats // 2)
            for _ in range(repeats):
                started, cpu = time.perf_counter(), time.process_time()
                race_scores(genomes, track, network, compiled=True)
                ours.append(time.perf_counter() - started)
                ours_cpu.append(time.process_time() - cpu)
                started = time.perf_counter()
                same_numpy = np.array_equal(race_scores(genomes, track, network, compiled=False), scores)
                numpy_race.append(time.perf_counter() - started)
                mismatches += not same_numpy
                if reference:
                    with np.errstate(over="ignore"):
                        started = time.perf_counter()
                        reference.run(genomes, track.top, track.bottom, blog_net)
                        theirs.append(time.perf_counter() - started)
            our_rate = steps / np.median(ours)
            numpy_rate = steps / np.median(numpy_race)
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
            cells += [f"{numpy_rate:,.0f}", f"{our_rate / numpy_rate:.1f}×", f"{1e9 / our_rate:.1f}"]
            cells += [f"{np.median(ours_cpu) / steps * 1e9:.1f}", f"{floor:.1f}"]
            print("| " + " | ".join(cells) + " |", flush=True)
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
