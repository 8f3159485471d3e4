"""Runs the App frame by frame with scripted events: for tests, benchmarks and screenshots."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import pygame

from .app import FPS, App
from .assets import start_pygame


def open_app(options, size: tuple[int, int] = (1280, 720)) -> App:
    """The app in a window (the SDL dummy driver under tests), without entering its loop."""
    start_pygame()
    screen = pygame.display.set_mode(size, pygame.RESIZABLE)
    return App(options, screen)


def key_event(key: int, unicode: str = "") -> pygame.event.Event:
    return pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode=unicode, scancode=0)


def run_frames(
    app: App,
    frames: int,
    events_at: Callable[[int], Iterable[pygame.event.Event]] = lambda frame: (),
    paced: bool = False,
) -> list[float]:
    """Draw `frames` frames, handling the events given for each; returns each frame's seconds of work."""
    clock = pygame.time.Clock()
    times = []
    for frame in range(frames):
        started = time.perf_counter()
        app.frame([*events_at(frame), *pygame.event.get()])
        if not app.running:
            break
        times.append(time.perf_counter() - started)
        app.tick_fps(clock.tick(FPS) / 1000 if paced else times[-1])
    return times
