"""Logs of a fixed matrix of runs, to check that a change of code moved no number.

python -m bench.same_logs write DIR [--repo PATH] [--quick]
python -m bench.same_logs compare DIR_BEFORE DIR_AFTER

`write` runs, through the command line only (so it works on any commit of the project), classic, elitist and
snes, each with and without extra tracks, at populations 50 and 2,000: headless, headless across a checkpoint
and resume, and in the window (SDL dummy driver) at ×8 and in turbo, and at population 50 at ×1 too: 54 logs
(--quick: the 24 at population 50). The strategies are the three built in, named here so that the matrix is the
same on every commit. `compare` says, for every log, whether its rows equal the other folder's (all columns but
`seconds`; a window log, cut short by its frame limit, must equal the first rows of the headless log of the same
run).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STRATEGIES = ("classic", "elitist", "snes")
WINDOW = ("-turbo", "-x8", "-x1")  # window logs: cut short by their frame limit


def cases(quick: bool) -> list[tuple[str, list[str], int]]:
    """(name, flags, generations) of every run of the matrix."""
    runs = []
    for strategy in STRATEGIES:
        for tracks in ("0", "2"):
            for population in ("50", "2000"):
                generations = 8 if population == "50" else 2
                if quick and population == "2000":
                    continue
                name = f"{strategy}-t{tracks}-p{population}"
                flags = ["--strategy", strategy, "--tracks", tracks, "--population", population, "--seed", "7"]
                runs.append((name, flags, generations))
    return runs


def run(repo: Path, flags: list[str], timeout: float = 900) -> None:
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    done = subprocess.run(
        [sys.executable, "main.py", *flags], cwd=repo, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode not in (0, 130):
        raise SystemExit(f"{' '.join(flags)}: exit {done.returncode}\n{done.stderr}")


def write(folder: Path, repo: Path, quick: bool) -> None:
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for name, flags, generations in cases(quick):
        total = ["--generations", str(generations)]
        run(repo, ["--headless", *flags, *total, "--log", str(folder / f"{name}-headless.csv")])
        checkpoint = folder / f"{name}.npz"
        checkpoint.unlink(missing_ok=True)
        half = ["--generations", str(generations // 2)]
        log = str(folder / f"{name}-resumed.csv")
        run(repo, ["--headless", *flags, *half, "--log", log, "--checkpoint", str(checkpoint)])
        run(repo, ["--headless", "--resume", str(checkpoint), *total, "--log", log])
        checkpoint.unlink(missing_ok=True)
        frames = "900" if flags[5] == "50" else "400"
        run(repo, [*flags, *total, "--speed", "turbo", "--frames", frames, "--log", str(folder / f"{name}-turbo.csv")])
        run(repo, [*flags, *total, "--speed", "8", "--frames", frames, "--log", str(folder / f"{name}-x8.csv")])
        if flags[5] == "50":
            run(repo, [*flags, *total, "--speed", "1", "--frames", "900", "--log", str(folder / f"{name}-x1.csv")])
        print(f"{name}: written", flush=True)


def rows(path: Path) -> list[tuple[str, ...]]:
    with open(path, newline="") as stream:
        table = [row for row in csv.reader(stream) if row and not row[0].startswith("#")]
    header = table[0]
    keep = [i for i, column in enumerate(header) if column != "seconds"]
    return [tuple(row[i] for i in keep) for row in table]


def compare(before: Path, after: Path) -> int:
    failures = 0
    for old in sorted(before.glob("*.csv")):
        new = after / old.name
        if not new.is_file():
            print(f"{old.name}: missing after")
            failures += 1
            continue
        a, b = rows(old), rows(new)
        if old.stem.endswith(WINDOW):
            headless = old.name
            for mode in WINDOW:
                headless = headless.replace(mode, "-headless")
            reference = rows(after / headless)
            same = b == reference[: len(b)] and a == reference[: len(a)] and len(b) > 1
            verdict = f"same ({len(a) - 1} / {len(b) - 1} rows, prefixes of headless)" if same else "DIFFERENT"
        else:
            same = a == b
            verdict = f"same ({len(a) - 1} rows)" if same else "DIFFERENT"
        failures += not same
        print(f"{old.name}: {verdict}")
    print("all the same" if not failures else f"{failures} differ")
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.same_logs", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write", help="write the matrix's logs into DIR")
    w.add_argument("folder", type=Path)
    w.add_argument("--repo", type=Path, default=ROOT, help="the checkout whose main.py runs (default this one)")
    w.add_argument("--quick", action="store_true", help="population 50 only")
    c = sub.add_parser("compare", help="compare two folders written by write")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "write":
        write(args.folder, args.repo.resolve(), args.quick)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
