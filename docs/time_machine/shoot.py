"""The time machine's screenshots, under a real X server (1280×720), from the repository root:

xvfb-run -a -s "-screen 0 1280x720x24" python -m docs.time_machine.shoot

(without a display, SDL's dummy driver draws them.)

replay.png: an early generation (the first that set a new best of at least 60 columns) replayed whole,
still racing; replay-checked.png: at its end, its scores checked against the history;
ghosts.png: the live population at column 130 with the champions of generations 2, 7 and 10 as ghosts (two
of them already out); lineage.png: a mutated child followed, the network panel naming its parent;
lineage-parent.png: after U, the parent's generation replayed, following the parent.
"""

from __future__ import annotations

import os
from pathlib import Path

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
ROOT = Path(__file__).resolve().parents[2]

import pygame  # noqa: E402

import main  # noqa: E402
from evolution.breeding.lineage import CHILD  # noqa: E402
from game.frame_runner import key_event, open_window, run_frames  # noqa: E402

HERE = Path(__file__).parent
GHOSTS = (2, 7, 10)  # champions that went different distances (seed 3)
GHOSTS_COLUMN = 130


def keys(window, *pressed: int, frames: int = 1) -> None:
    run_frames(window, frames, lambda frame: [key_event(key) for key in pressed] if frame == 0 else ())


def select(window, generation: int) -> None:
    """Select a generation with [ from the present."""
    keys(window, pygame.K_HOME)
    latest = len(window.view.evolution.history) - 1
    keys(window, *([pygame.K_LEFTBRACKET] * (latest - generation + 1)))


def main_() -> None:
    window = open_window(main.parse(["--seed", "3", "--speed", "turbo"]))
    print(f"SDL video driver: {pygame.display.get_driver()}")
    while len(window.view.evolution.history) < 30:
        run_frames(window, 10)
    window.speed = 1
    evolving = window.view
    for generation in GHOSTS:
        select(window, generation)
        keys(window, pygame.K_o)
    keys(window, pygame.K_HOME)
    racing = evolving.shown_race
    while evolving.shown_race is racing:
        run_frames(window, 1)
    for _ in range(1000):  # bounded: ×1 moves a column a frame
        if evolving.shown_race.column >= GHOSTS_COLUMN:
            break
        run_frames(window, 1)
    pygame.image.save(window.screen, str(HERE / "ghosts.png"))
    archive, history = evolving.evolution.state.archive, evolving.evolution.history
    select(window, min(g for g in archive.records if history.row(g).best >= 60))
    keys(window, pygame.K_RETURN, frames=45)
    pygame.image.save(window.screen, str(HERE / "replay.png"))
    run_frames(window, 400)
    pygame.image.save(window.screen, str(HERE / "replay-checked.png"))
    keys(window, pygame.K_HOME)
    keys(window, pygame.K_x, frames=12)
    origins = archive.origins[evolving.evolution.generation]
    race = evolving.shown_race
    children = sorted((i for i in range(race.count) if origins.kind[i] == CHILD), key=lambda i: not race.alive[i])
    evolving.scene.followed, evolving.scene.picked = children[0], True
    run_frames(window, 2)
    pygame.image.save(window.screen, str(HERE / "lineage.png"))
    keys(window, pygame.K_u, frames=60)
    pygame.image.save(window.screen, str(HERE / "lineage-parent.png"))
    window.view.close()
    pygame.quit()


if __name__ == "__main__":
    main_()
