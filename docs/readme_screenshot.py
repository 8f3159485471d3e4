"""The README's screenshot, from a run at a given generation: python -m docs.readme_screenshot [SEED GEN FRAMES FILE].

Races in turbo up to generation GEN, then shows FRAMES frames at ×2 and saves the last one (SDL dummy driver).
"""

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")

import pygame

import main
from game.frame_runner import open_window, run_frames


def shoot(seed: str = "3", generation: str = "45", frames: str = "110", file: str = "docs/screenshot.png") -> None:
    target = Path(file).resolve()
    os.chdir(tempfile.mkdtemp())  # the run's saves go there, not into the repository
    app = open_window(main.parse(["--seed", seed, "--speed", "turbo"]), (1280, 720))
    while app.view.evolution.generation < int(generation):
        run_frames(app, 10)
    app.speed = 2
    run_frames(app, int(frames))
    pygame.image.save(app.screen, str(target))


if __name__ == "__main__":
    shoot(*sys.argv[1:])
