"""Frame times of the live window (SDL dummy driver, 1280×720, HUD, chart and network view on).

python -m bench.fps [--seconds 5] [--strategy NAME] [--sizes 50 1000 10000] [--ghosts 10] [--size 1920x1080]
python -m bench.fps --compare [--seconds 5] [--repeats 3] [--strategy NAME]

For 50, 1,000 and 10,000 dots, at ×1 and in turbo: the median and 99th percentile of the work in a
frame (events, simulation, drawing), and in turbo the generations per second against a headless run
of the same generations. --ghosts N: N ghosts (genomes of bench/data/evolved.json) race beside the run.
--size WxH: the window's size in pixels (default 1280x720). The last two columns are each frame's CPU time,
which the other processes of a busy machine change little (the wall time also counts the waits for a core).
With --compare: turbo's generations per second of one run of 100 dots against two runs of 50 side by
side (--compare, in lockstep), measured alternately in one process.
python -m bench.fps --record mp4 [--seconds 5] [--repeats 3] [--sizes 50]: the window at 1280×720, ×1,
without and with a recording (M; I for gif), alternately: frames per second, frame work, frames skipped.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import numpy as np

import bench.common
from app import options as cli
from app.flag_types import number, whole, window_size
from evolution.breeding.strategies import STRATEGIES
from evolution.many.ghosts import ghosts_from_file
from evolution.run.evolve import Evolution
from evolution.run.genome_file import load_genomes
from evolution.run.settings import RUN_SETTINGS
from game.frame_runner import open_window, run_frames

SIZES = (50, 1_000, 10_000)


def measure(
    size: int,
    speed: str,
    seconds: float,
    strategy: str,
    ghosts: int = 0,
    window: tuple[int, int] = (1280, 720),
) -> tuple[np.ndarray, int, float, int, cli.Options, np.ndarray]:
    """Frame times (wall), generations raced, seconds, the first generation, the options, and each frame's CPU
    time (time.process_time: what the frame cost this process, little changed by other processes on a busy
    machine, where the wall time also counts the waits for a core)."""
    options = cli.parse(["--seed", "1", "--population", str(size), "--speed", speed, "--strategy", strategy])
    app = open_window(options, window)
    if ghosts:
        app.view.time_machine.ghosts = evolved_ghosts(ghosts)
    run_frames(app, 20, paced=True)  # warm up: fonts, caches, the first generations
    cpu: list[float] = []
    frame = app.frame

    def timed(events) -> None:
        started = time.process_time()
        frame(events)
        cpu.append(time.process_time() - started)

    app.frame = timed
    start_generation = app.view.evolution.generation
    started = time.perf_counter()
    times = run_frames(app, int(seconds * 60), paced=True)
    elapsed = time.perf_counter() - started
    generations = app.view.evolution.generation - start_generation
    return np.array(times), generations, elapsed, start_generation, options, np.array(cpu)


def evolved_ghosts(count: int) -> list:
    """`count` ghosts: the genomes of bench/data/evolved.json, repeated to size."""
    path = Path(__file__).parent / "data" / "evolved.json"
    ghosts = ghosts_from_file(load_genomes(path), path)
    return [ghosts[index % len(ghosts)] for index in range(count)]


def headless_rate(options, first: int, count: int) -> float:
    evolution = Evolution(options.run.config, options.run.track)
    for _ in range(first):
        evolution.run_generation()
    started = time.perf_counter()
    for _ in range(count):
        evolution.run_generation()
    return count / (time.perf_counter() - started)


def turbo_rate(argv: list[str], seconds: float) -> float:
    """Generations per second of the window in turbo (for runs side by side, generations of every run)."""
    app = open_window(cli.parse([*argv, "--seed", "1", "--speed", "turbo"]))
    run_frames(app, 20, paced=True)  # warm up
    first = min(run.evolution.generation for run in app.view.runs)
    started = time.perf_counter()
    run_frames(app, int(seconds * 60), paced=True)
    elapsed = time.perf_counter() - started
    app.view.close()
    return (min(run.evolution.generation for run in app.view.runs) - first) / elapsed


def compare_table(seconds: float, repeats: int, strategy: str) -> None:
    """One run of 100 dots against two of 50 side by side, alternately; medians of the repeats."""
    one = ["--population", "100", "--strategy", strategy]
    two = ["--population", "50", "--compare", strategy, strategy + ":seed=2"]
    rates: dict[str, list[float]] = {"one": [], "two": []}
    for _ in range(repeats):
        rates["one"].append(turbo_rate(one, seconds))
        rates["two"].append(turbo_rate(two, seconds))
    single, double = float(np.median(rates["one"])), float(np.median(rates["two"]))
    print("| runs | dots each | turbo generations/s (median) | each repeat | share of one run's |")
    print("| --- | --- | --- | --- | --- |")
    for name, count, dots, rate in (("one", 1, 100, single), ("two", 2, 50, double)):
        each = ", ".join(f"{value:.1f}" for value in rates[name])
        print(f"| {count} | {dots} | {rate:.1f} | {each} | {rate / single:.0%} |", flush=True)


def recording_rate(size: int, seconds: float, strategy: str, kind: str | None, folder: Path) -> tuple:
    """(frames per second, median and p99 frame work in ms, frames recorded, frames skipped) of the window at
    1280×720, ×1, paced at 60 a second, recording to an MP4 or GIF in folder (kind None: not recording)."""
    from game.takeaway.recorder import Recorder

    app = open_window(cli.parse(["--seed", "1", "--population", str(size), "--strategy", strategy]))
    run_frames(app, 20, paced=True)  # warm up
    recorder = None
    if kind is not None:
        recorder = app.takeaway.recorder = Recorder(folder / f"bench-{time.perf_counter_ns()}.{kind}", (1280, 720))
    frames = int(seconds * 60)
    started = time.perf_counter()
    times = np.array(run_frames(app, frames, paced=True))
    elapsed = time.perf_counter() - started
    recorded = dropped = 0
    if recorder is not None:
        app.takeaway.recorder = None
        recorder.stop()
        recorded, dropped = recorder.frames, recorder.dropped
    app.view.close()
    return frames / elapsed, np.median(times) * 1e3, np.percentile(times, 99) * 1e3, recorded, dropped


def record_table(sizes: list[int], seconds: float, repeats: int, strategy: str, kind: str) -> None:
    """The window without and with a recording, measured alternately; the median of the repeats."""
    import tempfile

    print(f"| dots | recording | frames/s (median) | each repeat | frame median ms | frame p99 ms | {kind} frames "
          "| skipped |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory(prefix="neuroracer-bench-") as folder:
        for size in sizes:
            results: dict[str | None, list[tuple]] = {None: [], kind: []}
            for _ in range(repeats):
                for case in (None, kind):
                    results[case].append(recording_rate(size, seconds, strategy, case, Path(folder)))
            for case in (None, kind):
                rows = np.array(results[case])
                each = ", ".join(f"{value:.1f}" for value in rows[:, 0])
                print(
                    f"| {size:,} | {case or 'off'} | {np.median(rows[:, 0]):.1f} | {each} "
                    f"| {np.median(rows[:, 1]):.1f} | {np.median(rows[:, 2]):.1f} "
                    f"| {int(np.median(rows[:, 3])) if case else ''} | {int(np.median(rows[:, 4])) if case else ''} |",
                    flush=True,
                )


def main(argv: list[str] | None = None) -> int:
    bench.common.register_before()  # --strategy elitist-before: the default before the learning work
    parser = argparse.ArgumentParser(prog="python -m bench.fps", description=__doc__.splitlines()[0])
    seconds = number(0.1, 3600)
    parser.add_argument("--seconds", type=seconds, default=5.0, help="measured seconds per case (default 5)")
    parser.add_argument(
        "--strategy",
        choices=sorted(STRATEGIES),
        default=RUN_SETTINGS["strategy"].default,
        help=f"the run's strategy (default {RUN_SETTINGS['strategy'].default})",
    )
    sizes = cli.flag_type(RUN_SETTINGS["population"])
    parser.add_argument("--sizes", type=sizes, nargs="+", default=list(SIZES), help="populations (default 50 1000 10k)")
    parser.add_argument(
        "--compare", action="store_true", help="one run of 100 dots against two of 50 side by side, in turbo"
    )
    parser.add_argument("--repeats", type=whole(1, 100), default=3, help="with --compare: repeats (default 3)")
    parser.add_argument("--ghosts", type=whole(0, 200), default=0, help="ghosts racing beside the run (default 0)")
    parser.add_argument(
        "--record",
        choices=("mp4", "gif"),
        help="the window at ×1 without and with a recording: frames per second (sizes default 50)",
    )
    parser.add_argument(
        "--size", type=window_size, default=(1280, 720), help="the window's size, WxH pixels (default 1280x720)"
    )
    args = parser.parse_args(argv)
    if args.record:
        sizes = args.sizes if argv is not None and "--sizes" in argv else [50]
        record_table(sizes, args.seconds, args.repeats, args.strategy, args.record)
        return 0
    if args.compare:
        compare_table(args.seconds, args.repeats, args.strategy)
        return 0
    print(
        "| dots | speed | frame median ms | frame p99 ms | generations/s | headless generations/s "
        "| CPU median ms | CPU p99 ms |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for size in args.sizes:
        for speed in ("1", "turbo"):
            times, generations, elapsed, first, options, cpu = measure(
                size, speed, args.seconds, args.strategy, args.ghosts, args.size
            )
            rate = generations / elapsed
            headless = headless_rate(options, first, max(generations, 1)) if speed == "turbo" else None
            headless_text = "" if headless is None else f"{headless:.1f}"
            print(
                f"| {size:,} | {'×1' if speed == '1' else speed} | {np.median(times) * 1e3:.1f} "
                f"| {np.percentile(times, 99) * 1e3:.1f} | {rate:.1f} | {headless_text} "
                f"| {np.median(cpu) * 1e3:.1f} | {np.percentile(cpu, 99) * 1e3:.1f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
