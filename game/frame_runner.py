"""Runs the window frame by frame with scripted events, without its loop: for tests, benchmarks and screenshots."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import pygame

from game.drawing.assets import start_pygame
from game.window import FPS, Window, first_view


def open_window(options, size: tuple[int, int] = (1280, 720)) -> Window:
    """The window of parsed command-line options (the SDL dummy driver under tests), not yet running."""
    from app.runs import build_reporters, start_evolution

    start_pygame()
    screen = pygame.display.set_mode(size, pygame.RESIZABLE)
    window = Window(screen, options.window.speed)
    if options.window.lesson:
        window.show_card(options.window.lesson)
    if options.compare:  # runs side by side
        from game.views.compare_view import compare_view

        window.show_view(compare_view(window, options, lambda text: window.say(text, error=True)))
        return window
    run = options.run
    reporters, checkpointer = build_reporters(run, progress=False, warn=lambda text: window.say(text, error=True))
    evolution = None if options.load else start_evolution(run, reporters)
    ghosts = getattr(options.window, "ghosts", None)
    seed = run.config.seed
    window.show_view(
        first_view(
            window, evolution, run.keep, checkpointer, options.load, run.track, seed, ghosts, options.window.drive
        )
    )
    if getattr(options.window, "edit", None) is not None:  # --edit
        from game.views.editor_view import open_editor

        open_editor(window, options.window.edit)
    return window


def key_event(key: int, unicode: str = "") -> pygame.event.Event:
    return pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode=unicode, scancode=0)


def click(window: Window, centre: tuple[int, int], frames_after: int) -> None:
    """A real click: the pointer moved there, pressed and let go, each in a frame, then `frames_after` frames for
    the events pygame_gui posts in answer (a button's press; a drop-down's option: the button, the list's
    selection, the menu's change)."""
    pygame.mouse.set_pos(centre)
    clicks = [
        pygame.event.Event(pygame.MOUSEMOTION, pos=centre, rel=(0, 0), buttons=(0, 0, 0), touch=False),
        pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=centre, button=1, touch=False),
        pygame.event.Event(pygame.MOUSEBUTTONUP, pos=centre, button=1, touch=False),
    ]
    for event in clicks:
        run_frames(window, 1, lambda frame, event=event: [event] if frame == 0 else [])
    run_frames(window, frames_after)


def run_frames(
    window: Window,
    frames: int,
    events_at: Callable[[int], Iterable[pygame.event.Event]] = lambda frame: (),
    paced: bool = False,
) -> list[float]:
    """Draw `frames` frames, handling the events given for each; returns each frame's seconds of work."""
    clock = pygame.time.Clock()
    times = []
    for frame in range(frames):
        started = time.perf_counter()
        window.frame([*events_at(frame), *pygame.event.get()])
        if not window.running:
            break
        times.append(time.perf_counter() - started)
        window.tick_fps(clock.tick(FPS if window.drew_last_frame else 0) / 1000 if paced else times[-1])
    return times
