"""Shared fixtures: golden data taken from the blog's code, a folder of the test's own, a tiny disk, and the
process-wide state (signal handlers, memory budget) each test leaves as it found it. Helpers are in helpers.py."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import DATA

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


@pytest.fixture(scope="session", autouse=True)
def compiled_races() -> None:
    """Races in the tests run compiled from the first (the kernel loads in the background in a program)."""
    from evolution.racing import race_kernel

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
    from evolution.breeding.strategies import STRATEGIES, unregister

    before = set(STRATEGIES)
    yield
    for name in [name for name in STRATEGIES if name not in before]:
        unregister(name)


@pytest.fixture(autouse=True)
def default_budget(monkeypatch):
    """Each test starts and ends with the default memory budget, whatever the environment says: --memory-budget
    sets it for the whole process, and a test run after another on the same worker must not inherit it."""
    from evolution import budget

    monkeypatch.delenv(budget.ENVIRONMENT, raising=False)
    budget.set_budget(None)
    yield
    budget.set_budget(None)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 64 KB tmpfs in the test's folder (skipped where mounting is not allowed)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"this machine does not allow mounting a tmpfs ({mounted.stderr.decode().strip()[:80]})")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
