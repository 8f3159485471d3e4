"""The screenshots of runs side by side in this folder, under a real X server.

xvfb-run -a -s "-screen 0 1280x720x24" python -m docs.compare.shoot   (from the repository root)

classic against elitist, seed 3, on the training track: turbo up to generation 30, then ×1 from the next
generation's start: 30 frames in one track view and in lanes (V), and 150 frames in one view.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pygame

ROOT = Path(__file__).resolve().parents[2]

import main  # noqa: E402
from game.frame_runner import key_event, open_window, run_frames  # noqa: E402
from game.window import save_screenshot  # noqa: E402

OUT = Path(__file__).resolve().parent


def shoot(name: str, lanes: bool, frames: int) -> None:
    """Turbo to generation 30, then ×1 from the start of the next generation for `frames` frames."""
    app = open_window(main.parse(["--seed", "3", "--speed", "turbo", "--compare", "classic", "elitist"]))
    while min(run.evolution.generation for run in app.view.runs) < 30:
        run_frames(app, 1, paced=True)
    app.speed = 1
    if lanes:
        app.frame([key_event(pygame.K_v)])
    generation = min(run.evolution.generation for run in app.view.runs)
    while min(run.evolution.generation for run in app.view.runs) == generation:
        run_frames(app, 1, paced=True)
    run_frames(app, frames, paced=True)
    save_screenshot(app.screen, OUT / name)
    app.view.close()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as folder:
        import os

        os.chdir(folder)
        shoot("compare-1280x720-x1.png", lanes=False, frames=30)
        shoot("compare-lanes-1280x720-x1.png", lanes=True, frames=30)
        shoot("compare-late-1280x720-x1.png", lanes=False, frames=150)
    print(f"screenshots in {OUT}")
