"""This checkout's default against another checkout's (the program as it was), as a user runs them.

python -m bench.against PATH [--seeds 10000-10002] [--generations 150] [--modes headless,turbo]

For each seed and mode, `python main.py` of each checkout (its own default strategy, population 50,
test curve on) is run as a user would run it, one after the other, alternating which goes first, so
drifts in the machine's speed fall on both alike: `--headless`, or the window in turbo under SDL's dummy
driver. The time is the log's `seconds` at the last generation's row (from the run's start to the close
of that generation: start-up and the window's opening are left out for both). A window of a checkout
that does not quit when its run is complete is stopped once that row is written. Prints a Markdown
table: generations per second of each, per seed and median, and their ratio.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from app.flag_types import seed_list, whole

HERE = Path(__file__).resolve().parent.parent
MODES = ("headless", "turbo")


def last_seconds(log: Path, generation: int) -> float | None:
    """The `seconds` of the log's row for `generation`, or None while it is not written."""
    if not log.is_file():
        return None
    with log.open(newline="") as stream:
        rows = [row for row in csv.reader(line for line in stream if not line.startswith("#"))]
    if not rows:
        return None
    header = rows[0]
    for row in rows[1:]:
        if len(row) == len(header) and row[header.index("generation")] == str(generation):
            return float(row[header.index("seconds")])
    return None


def timed_run(checkout: Path, mode: str, seed: int, generations: int, timeout: float) -> float:
    """Seconds from the start of a run of `checkout`'s main.py to the close of its last generation."""
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "run.csv"
        command = [sys.executable, "main.py", "--seed", str(seed), "--generations", str(generations), "--log", str(log)]
        env = dict(os.environ)
        if mode == "headless":
            command.append("--headless")
        else:
            command += ["--speed", "turbo", "--frames", "100000000"]
            env.update(SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
        process = subprocess.Popen(command, cwd=checkout, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        try:
            while process.poll() is None and time.monotonic() < deadline:
                if last_seconds(log, generations) is not None:
                    break
                time.sleep(0.2)
        finally:
            if process.poll() is None:
                process.terminate()
            _, errors = process.communicate(timeout=60)
        seconds = last_seconds(log, generations)
        if seconds is None:
            tail = errors.decode(errors="replace")[-300:]
            raise SystemExit(f"bench.against: {checkout} {mode} seed {seed} gave no row {generations}: {tail}")
        return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.against", description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="a checkout of the program to compare with")
    parser.add_argument("--seeds", type=seed_list, default=seed_list("10000-10002"))
    parser.add_argument("--generations", type=whole(1, 100_000), default=150)
    parser.add_argument("--modes", default="headless,turbo")
    parser.add_argument("--timeout", type=whole(1, 100_000), default=900, help="seconds allowed for one run")
    args = parser.parse_args(argv)
    modes = args.modes.split(",")
    if not (args.before / "main.py").is_file():
        parser.error(f"{args.before} holds no main.py")
    if any(mode not in MODES for mode in modes):
        parser.error(f"--modes takes {', '.join(MODES)}")
    checkouts = {"before": args.before.resolve(), "now": HERE}
    print(f"before: {checkouts['before']}; now: {HERE}")
    print(f"seeds {args.seeds}, {args.generations} generations, population 50, each checkout's default strategy\n")
    print("| mode | before: generations/s per seed | median | now: per seed | median | now / before |")
    print("| --- | --- | --- | --- | --- | --- |")
    for mode in modes:
        rates: dict[str, list[float]] = {"before": [], "now": []}
        for index, seed in enumerate(args.seeds):
            order = ["before", "now"] if index % 2 == 0 else ["now", "before"]
            for name in order:
                seconds = timed_run(checkouts[name], mode, seed, args.generations, args.timeout)
                rates[name].append((args.generations + 1) / seconds)  # generations 0 to N
        before, now = np.median(rates["before"]), np.median(rates["now"])
        each = {name: ", ".join(f"{value:.1f}" for value in values) for name, values in rates.items()}
        print(f"| {mode} | {each['before']} | {before:.1f} | {each['now']} | {now:.1f} | {now / before:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
