"""Shared fixtures: golden data taken from the blog's code, and a runner for the command line."""

from __future__ import annotations

import atexit
import csv
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
# Every run makes a folder under runs/: during the tests, in a temporary folder (not the repository), removed
# at the end; a test in its own folder (in_tmp) gets runs/ there, to look into.
RUNS = Path(tempfile.mkdtemp(prefix="neuroracer-test-runs-"))
os.environ["NEURORACER_RUNS"] = str(RUNS)
atexit.register(shutil.rmtree, RUNS, ignore_errors=True)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run in a fresh folder (runs/ lands there); pygame is shut down afterwards."""
    import pygame

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEURORACER_RUNS", "runs")  # relative, as by default: in the test's folder
    yield tmp_path
    pygame.quit()


@pytest.fixture(scope="session")
def golden() -> dict[str, np.ndarray]:
    """Arrays computed by the blog's own code (see tests/data/README.md)."""
    with np.load(DATA / "reference_arrays.npz", allow_pickle=False) as data:
        return {name: data[name] for name in data.files}


@pytest.fixture(scope="session")
def blog_outputs(golden) -> tuple[np.ndarray, bool]:
    """(outputs (6, 1), exact) of the blog's network for the golden genomes and inputs.

    numpy's exp takes SIMD paths that can differ in the last bit between CPUs, and the golden outputs
    were made on one with AVX-512. So where ../shared/reference is present, the blog's own code is run
    here and must be matched bit for bit (exact); elsewhere the golden outputs, matched within 1e-15.
    """
    from bench.common import load_reference

    reference = load_reference()
    if reference is None:
        return golden["outputs"], False
    network = reference.NeuralNetwork((7, 8, 4, 1))
    network.set_genome(golden["genomes"])
    return network.feedforward(golden["inputs"]), True


def assert_blog_equal(actual: np.ndarray, expected: tuple[np.ndarray, bool]) -> None:
    """actual equals the blog's outputs: bit for bit when computed here, else within 1e-15 (see blog_outputs)."""
    outputs, exact = expected
    if exact:
        assert np.array_equal(actual, outputs)
    else:
        np.testing.assert_allclose(actual, outputs, rtol=0, atol=1e-15)


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


def start_cli(*args: str, cwd: Path, **env: str) -> subprocess.Popen:
    """main.py in a fresh interpreter in `cwd`, left running (its output piped, as text); `env` adds variables."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", **env),
    )


def refused_with_peak(load, path, match: str | None = None) -> tuple[pytest.ExceptionInfo, int]:
    """`load(path)` raises InputError (matching `match`, a regex, if given): its ExceptionInfo, and the most
    memory in bytes (tracemalloc) the refusal took."""
    import tracemalloc

    from evolution.errors import InputError

    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=match) as error:
            load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return error, peak


def assert_same_rows(run, other) -> None:
    """Two runs' histories agree in every column but the wall-clock seconds (their test drives finished first)."""
    from evolution.history import COLUMNS

    run.finish_test_drives_now()
    other.finish_test_drives_now()
    columns = [COLUMNS.index(name) for name in ("generation", "best", "mean", "median", "finished", "test_best")]
    assert np.array_equal(run.history.to_arrays()[columns], other.history.to_arrays()[columns])


@pytest.fixture(scope="session", autouse=True)
def compiled_races() -> None:
    """Races in the tests run compiled from the first (the kernel loads in the background in a program)."""
    from evolution import race_kernel

    race_kernel.ready(wait=True)


@pytest.fixture(autouse=True)
def signal_handlers_kept():
    """Each test leaves SIGINT's and SIGTERM's handlers as it found them: one left ignored is inherited by every
    process the suite forks later, and a fork pool's terminate() then waits on its worker for ever."""
    from evolution.interrupts import signals_restored

    with signals_restored():
        yield


@pytest.fixture(autouse=True)
def strategies_kept():
    """Each test leaves the strategy registry as it found it: a strategy registered by a benchmark called in
    process (elitist-before) or by a test would otherwise be listed by every test after it."""
    from evolution.strategies import STRATEGIES, unregister

    before = set(STRATEGIES)
    yield
    for name in [name for name in STRATEGIES if name not in before]:
        unregister(name)
