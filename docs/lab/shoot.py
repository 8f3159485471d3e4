"""The lab's screenshots, under a real X server (writes docs/lab/*.png; from the repository root):

xvfb-run -a -s "-screen 0 1280x720x24" python -m docs.lab.shoot

A run (seed 3) in turbo, changed as it goes through the panel's own actions (game/lab_actions.change, what
its controls call), G and B: the mutation rate at generation 5, a new random track at 10 (G), the population at
15, the training track again at 20 (B), the strategy (snes) at 25; at 30, with the population and a new hidden
layer pending, the panel is shown over the race (1280×720 and 800×500), and the chart with its change markers
with the panel closed.
"""

import os
import tempfile
from pathlib import Path

import pygame

import main
from game.frame_runner import key_event, open_window, run_frames
from game.panels import lab_actions

HERE = Path(__file__).resolve().parent


def until(app, generation: int) -> None:
    while app.view.evolution.generation < generation:
        run_frames(app, 1)


def shoot(size: tuple[int, int], panel: bool, name: str) -> None:
    app = open_window(main.parse(["--seed", "3", "--speed", "turbo"]), size)
    evolution = app.view.evolution
    until(app, 5)
    lab_actions.change(evolution, "mutation_rate", 0.5)
    until(app, 10)
    app.view.do_new_track()
    until(app, 15)
    lab_actions.change(evolution, "population", 60)
    until(app, 20)
    app.view.do_training_track()
    until(app, 25)
    lab_actions.change(evolution, "strategy", "snes")
    until(app, 30)
    app.speed = 2
    run_frames(app, 60)
    while evolution.state.pending is None or app.view.race.column < 3:  # a race under way
        run_frames(app, 1)
    lab_actions.change(evolution, "population", 80)  # pending: the race under way finishes as it started
    lab_actions.change(evolution, "layers", (7, 8, 4, 4, 1))
    app.speed = 1  # the changes stay pending while the picture is taken, 6 columns later
    if panel:
        run_frames(app, 1, lambda frame: [key_event(pygame.K_p, "p")])
    run_frames(app, 5)
    pygame.image.save(app.screen, str(HERE / name))
    app.view.close()
    pygame.quit()


if __name__ == "__main__":
    os.chdir(tempfile.mkdtemp())  # the run's saves go there, not into the repository
    shoot((1280, 720), True, "panel-1280x720.png")
    shoot((800, 500), True, "panel-800x500.png")
    shoot((1280, 720), False, "chart-markers-1280x720.png")
