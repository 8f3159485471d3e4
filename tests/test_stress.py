"""The app under 10,000 random events, and a long headless run that keeps its memory flat and its log whole."""

import csv
import os

import numpy as np
import pygame
import pytest

from app import options as app_options
from evolution.files.checkpoint import load_checkpoint
from evolution.racing.track import training_track
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.genome_file import load_genomes
from evolution.run.reporters import CsvLog
from game.frame_runner import key_event, open_window, run_frames
from game.keys import BINDINGS

TABLE_KEYS = [key for binding in BINDINGS for key in binding.keys if binding.command != "quit"]


def random_event(rng: np.random.Generator, size: tuple[int, int]) -> pygame.event.Event:
    kind = rng.integers(0, 7)
    x, y = int(rng.integers(-50, size[0] + 50)), int(rng.integers(-50, size[1] + 50))
    if kind <= 2:
        key = int(rng.choice(TABLE_KEYS)) if rng.random() < 0.8 else int(rng.integers(0, 1 << 30))
        return key_event(key, unicode=str(rng.choice(["", "+", "-", "x"])))
    if kind == 3:
        return pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=int(rng.integers(1, 6)), pos=(x, y))
    if kind == 4:
        return pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=int(rng.integers(-3, 4)), flipped=False)
    if kind == 5:
        return pygame.event.Event(pygame.WINDOWFOCUSLOST)
    return pygame.event.Event(pygame.MOUSEMOTION, pos=(x, y), rel=(0, 0), buttons=(0, 0, 0))


@pytest.mark.slow  # 10,000 events; the quick set keeps the storm's events through the window and the flat memory
def test_ten_thousand_random_events_leave_a_consistent_app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEURORACER_RUNS", "runs")  # saves, recordings, figures and exports land here
    rng = np.random.default_rng(7)
    options = app_options.parse(
        ["--seed", "3", "--strategy", "classic", "--checkpoint", str(tmp_path / "c.npz"), "--checkpoint-every", "2"]
    )
    app = open_window(options)
    sent = 0
    sizes = [(1, 1), (60, 40), (479, 359), (3840, 2160), (1280, 720), (800, 600)]
    for frame in range(600):
        if frame % 37 == 0:
            size = sizes[int(rng.integers(0, len(sizes)))]
            pygame.display.set_mode(size, pygame.RESIZABLE)
            pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, size=size, w=size[0], h=size[1]))
        events = [random_event(rng, app.screen.get_size()) for _ in range(16)]
        sent += len(events) + 1
        run_frames(app, 1, lambda f, events=events: events)
        assert app.running
    assert sent >= 10_000
    # the final state is consistent
    evolving = app.view
    while getattr(evolving, "back", None) is not None:  # the evolving view, behind a test drive or a list
        evolving = evolving.back
    race = evolving.race
    assert race.alive.sum() == race.alive_count and 0 <= race.column <= race.track.finish
    evolution = evolving.evolution
    assert len(evolution.history) == evolution.generation
    # quit in the middle of a save: S and the window's close button in one frame
    run_frames(app, 1, lambda f: [key_event(pygame.K_s), pygame.event.Event(pygame.QUIT)])
    assert not app.running
    for saved in (tmp_path / "runs").rglob("*.json"):
        assert len(load_genomes(saved).genomes) >= 1
    # every file whole: no temporary or half-written one is left (a recording ends whole on the way out)
    assert not [p for p in (tmp_path / "runs").rglob("*") if p.is_file() and p.name.startswith(".")]
    assert load_checkpoint(evolving.checkpointer.path).state.generation == evolution.generation
    pygame.quit()


def resident_bytes() -> int:
    """This process's resident memory now (Linux)."""
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.parametrize("generations", [5000])
def test_a_long_headless_run_keeps_memory_flat_and_its_log_whole(tmp_path, generations):
    log = CsvLog(tmp_path / "soak.csv")
    config = RunConfig(strategy="classic", seed=1, population=5, generations=generations, test_curve=False)
    evolution = Evolution(config, training_track(), [log])
    try:
        for _ in range(1000):
            evolution.run_generation()
        early = resident_bytes()
        while not evolution.raced_all:
            evolution.run_generation()
        late = resident_bytes()
    finally:
        log.close()
    grown = (late - early) / 2**20
    assert grown < 4, f"resident memory grew by {grown:.1f} MiB over {generations - 1000} generations"
    with open(tmp_path / "soak.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert [int(r["generation"]) for r in rows] == list(range(generations + 1))
