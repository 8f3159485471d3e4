"""The lesson screenshots of docs/lesson: python -m docs.lesson.lesson_screenshots WxH OUTDIR, from the repository's
root under `xvfb-run -a` (a lesson card, the first finisher's banner, a caption, a hover on a neuron, then and now,
and the help)."""

from __future__ import annotations

import sys
from pathlib import Path

import pygame

import main
from game.frame_runner import key_event, open_window, run_frames
from game.window import Window


def press(app: Window, key: int) -> None:
    run_frames(app, 1, lambda frame: [key_event(key)] if frame == 0 else [])


def take(size: tuple[int, int], out: Path) -> None:
    """Every screenshot at one window size, into out as NAME-WxH.png."""
    tag = f"{size[0]}x{size[1]}"

    def shot(app: Window, name: str) -> None:
        pygame.image.save(app.screen, str(out / f"{name}-{tag}.png"))

    app = open_window(main.parse(["--lesson", "blog"]), size=size)
    run_frames(app, 30, paced=True)
    shot(app, "card")
    app.card = None
    app.speed = 0  # turbo until the first finisher
    while "first_finisher" not in app.view.narrator.milestones:
        run_frames(app, 1)
    app.speed = 4
    run_frames(app, 20, paced=True)
    shot(app, "first-finisher")
    run_frames(app, 200, paced=True)
    shot(app, "caption")
    app.paused = True
    run_frames(app, 1)
    x, y = app.view.scene.netview._nodes[1][4]
    motion = pygame.event.Event(pygame.MOUSEMOTION, pos=(int(x) + 2, int(y) + 1), rel=(0, 0), buttons=(0, 0, 0))
    run_frames(app, 1, lambda frame: [motion] if frame == 0 else [])
    shot(app, "hover-neuron")
    app.pointer, app.paused = None, False
    app.speed = 0
    while app.view.evolution.generation < 61:
        run_frames(app, 1)
    app.speed = 8
    press(app, pygame.K_y)
    run_frames(app, 28, paced=True)
    shot(app, "then-and-now")
    press(app, pygame.K_y)
    press(app, pygame.K_h)
    run_frames(app, 2)
    shot(app, "help")


if __name__ == "__main__":
    width, height = (int(v) for v in sys.argv[1].split("x"))
    take((width, height), Path(sys.argv[2]))
