"""Memory: the peak resident size of a 10,000-dot live run, and whether 1,000 headless generations stay flat.

python -m bench.memory [--frames 600] [--generations 1000]

Each part runs in a fresh process, so one does not inherit the other's peak.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys

from app.flag_types import whole

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


def resident_mib() -> float:
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def live(frames: int) -> None:
    from app import options as cli
    from game.frame_runner import open_window, run_frames

    app = open_window(cli.parse(["--seed", "1", "--population", "10000", "--speed", "turbo"]))
    run_frames(app, frames)
    generation = app.view.evolution.generation
    print(f"live, 10,000 dots, {frames} frames in turbo ({generation} generations): peak resident {peak_mib():.0f} MiB")


def headless(generations: int) -> None:
    from evolution.racing.track import training_track
    from evolution.run.evolve import Evolution, RunConfig

    evolution = Evolution(RunConfig(strategy="classic", seed=1, generations=generations), training_track())
    marks = {}
    while not evolution.raced_all:
        evolution.run_generation()
        if evolution.generation in (100, generations // 2, generations + 1):
            marks[evolution.generation - 1] = resident_mib()
    text = ", ".join(f"generation {g}: {mib:.1f} MiB" for g, mib in marks.items())
    print(f"headless, default strategy, {generations} generations: resident {text}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=whole(1, 1_000_000), default=600, help="live frames (default 600)")
    parser.add_argument(
        "--generations", type=whole(1, 1_000_000), default=1000, help="headless generations (default 1000)"
    )
    parser.add_argument("--part", choices=("live", "headless"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.part == "live":
        live(args.frames)
    elif args.part == "headless":
        headless(args.generations)
    else:
        for part in ("live", "headless"):
            command = [
                sys.executable,
                "-m",
                "bench.memory",
                "--part",
                part,
                "--frames",
                str(args.frames),
                "--generations",
                str(args.generations),
            ]
            subprocess.run(command, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
