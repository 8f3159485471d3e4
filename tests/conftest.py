"""Shared fixtures: golden data taken from the blog's code, and a runner for the command line."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


@pytest.fixture(scope="session")
def golden() -> dict[str, np.ndarray]:
    """Arrays computed by the blog's own code (see tests/data/README.md)."""
    with np.load(DATA / "reference_arrays.npz", allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


def reference_rows(seed: int) -> list[dict[str, str]]:
    """The blog code's per-generation rows for a seed: generation, best, mean, finished."""
    lines = (DATA / f"reference_seed_{seed}.csv").read_text().splitlines()
    return list(csv.DictReader(line for line in lines if not line.startswith("#")))


def reference_test_scores(seed: int) -> list[int]:
    """The blog code's top-20 scores on the test track after 120 generations."""
    last = (DATA / f"reference_seed_{seed}.csv").read_text().splitlines()[-1]
    return [int(x) for x in last.split("[")[1].rstrip("]").split(",")]


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """main.py in a fresh interpreter, as a user runs it."""
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env=env,
    )
