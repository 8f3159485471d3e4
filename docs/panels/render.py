"""Render the panels into PNGs under docs/panels/ to look at them (not part of the app)."""

import os
import sys
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pygame  # noqa: E402

from evolution.files.genome_file import load_genomes  # noqa: E402
from evolution.racing.network import Network  # noqa: E402
from evolution.racing.race import Race  # noqa: E402
from evolution.racing.track import blog_test_track  # noqa: E402
from evolution.run.history import GenerationStats, History  # noqa: E402
from game import palette  # noqa: E402
from game.drawing.assets import start_pygame  # noqa: E402
from game.drawing.layout import Layout  # noqa: E402
from game.panels.chart import draw_chart  # noqa: E402
from game.panels.drive_panel import draw_drive_scores  # noqa: E402
from game.panels.hud import draw_panel_lines  # noqa: E402
from game.panels.netview import NetworkView  # noqa: E402

OUT = Path(__file__).resolve().parent


def fake_history(count: int, seed: int = 0) -> History:
    """A run that learns: best climbs from a few % to finishing, the test curve lags and ends 3 short."""
    rng = np.random.default_rng(seed)
    history = History()
    best = 4.0
    for g in range(count):
        best = min(391, max(1, best * rng.uniform(0.97, 1.15) + rng.normal(0, 2)))
        mean = best * rng.uniform(0.1, 0.4)
        median = mean * rng.uniform(0.5, 1.1)
        test = -1 if g >= count - 3 else int(min(3991, best / 391 * 3991 * rng.uniform(0.3, 1.0)))
        history.append(GenerationStats(g, int(best), mean, median, int(best >= 391), 0.1 * g, test, 391, 3991))
    return history


def main() -> None:
    start_pygame()
    events = [
        (5, "track: test", palette.ACCENT),
        (40, "restart", palette.SELECTED),
        (1200, "track: random:7", palette.GOOD),
    ]
    for w, h in ((800, 500), (1280, 720), (1920, 1080)):
        layout = Layout.for_size(w, h)
        rect = layout.chart
        for count in (0, 3, 60, 2000):
            for mode in ("linear", "log", "zoom"):
                surface = pygame.Surface((rect.width + 20, rect.height + 20))
                surface.fill(palette.BACKGROUND)
                draw_chart(
                    surface,
                    pygame.Rect(10, 10, rect.width, rect.height),
                    fake_history(count),
                    layout.scale,
                    mode,
                    events,
                )
                pygame.image.save(surface, str(OUT / f"chart-{w}x{h}-{count}-{mode}.png"))

    saved = load_genomes(ROOT / "bench/data/evolved.json")
    network = Network(tuple(saved.layers))
    for w, h in ((800, 500), (1280, 720), (1920, 1080)):
        layout = Layout.for_size(w, h)
        genomes = np.vstack([saved.genomes[:14], np.random.default_rng(1).uniform(-1, 1, (6, network.genome_size))])
        race = Race(genomes, blog_test_track(), network)
        race.run(1500 if w != 800 else None)
        surface = pygame.Surface((w, layout.stats.height + 20))
        surface.fill(palette.BACKGROUND)
        y = 10
        stats = layout.stats.move(0, y - layout.stats.y)
        lines = [
            ("generation", "57"),
            ("alive", "31 of 50"),
            ("this gen", "best 212 · mean 97.3"),
            ("last gen", "best 3991 · mean 2985"),
            ("best ever", "391 (gen 40)"),
            ("strategy", "elitist"),
            ("seed", "4035077131"),
            ("column", "212 of 391"),
            ("track", "training"),
            ("speed", "×64"),
            ("fps", "60"),
        ]
        draw_panel_lines(surface, stats, "evolving", lines, layout.scale)
        chart = layout.chart.move(0, y - layout.chart.y)
        draw_drive_scores(surface, chart, race, layout.scale, followed=3)
        net = layout.network.move(0, y - layout.network.y)
        index = int(np.flatnonzero(~race.alive)[0]) if (~race.alive).any() else 3
        genome = race.genomes[index]
        activations = network.activations(genome[None], race.inputs_of(index)[None])
        crashed = not race.alive[index]
        NetworkView().draw(
            surface, net, network, genome, activations, f"network of dot #{index + 1}", layout.scale, crashed
        )
        pygame.image.save(surface, str(OUT / f"panels-{w}x{h}.png"))


if __name__ == "__main__" and len(sys.argv) == 1:
    main()


def track_views() -> None:
    """The track view at three sizes, the followed dot a crashed one and then a living one."""
    from game.drawing.camera import Camera
    from game.drawing.track_view import dot_screen_positions, draw_race, draw_stack_hint, pick_dot, stack_at

    start_pygame()
    saved = load_genomes(ROOT / "bench/data/evolved.json")
    network = Network(tuple(saved.layers))
    genomes = np.vstack([saved.genomes[:34], np.random.default_rng(1).uniform(-1, 1, (6, network.genome_size))])
    for w, h in ((800, 500), (1920, 1080)):
        layout = Layout.for_size(w, h)
        race = Race(genomes, blog_test_track(), network, trail_length=40)
        camera = Camera(layout.view)
        for _ in range(50):
            race.step()
            camera.follow_dot(race.track, race.column, float(race.positions[0]), 1)
        ranks, leader = race.ranking()
        surface = pygame.Surface((w, layout.view.height))
        crashed = int(np.argmax(np.where(race.alive, -1, race.scores)))
        draw_race(surface, camera, race, ranks, leader, crashed, True, layout.scale)
        pygame.image.save(surface, str(OUT / f"track-{w}x{h}-crashed.png"))
        draw_race(surface, camera, race, ranks, leader, 5, True, layout.scale)
        pygame.image.save(surface, str(OUT / f"track-{w}x{h}.png"))
        xs, ys = dot_screen_positions(camera, race)
        click = (int(xs[5]), int(ys[5]))
        stack, nearest = stack_at(camera, race, click, layout.scale)
        chosen = pick_dot(camera, race, click, nearest, layout.scale)
        draw_race(surface, camera, race, ranks, leader, chosen, True, layout.scale)
        draw_stack_hint(surface, camera, race, ranks, stack, chosen, layout.scale)
        pygame.image.save(surface, str(OUT / f"track-{w}x{h}-stack.png"))


if __name__ == "__main__" and "track" in sys.argv:
    track_views()


def window(width: int = 1920, height: int = 1080, user: float = 1.0) -> None:
    """A whole window put together from the scaled modules, as app.py could once wired."""
    from game.drawing.camera import Camera
    from game.drawing.scale import Scale
    from game.drawing.track_view import draw_race
    from game.panels import hud
    from game.panels.chart import draw_chart
    from game.panels.overview import Overview

    start_pygame()
    saved = load_genomes(ROOT / "bench/data/evolved.json")
    network = Network(tuple(saved.layers))
    genomes = np.vstack([saved.genomes[:40], np.random.default_rng(1).uniform(-1, 1, (10, network.genome_size))])
    layout = Layout.for_size(width, height, Scale.for_window(width, height, user))
    s = layout.scale
    race = Race(genomes, blog_test_track(), network, trail_length=40)
    camera = Camera(layout.view)
    for _ in range(300):
        race.step()
        camera.follow_dot(race.track, race.column, float(race.positions[7]), 1)
    surface = pygame.Surface((width, height))
    surface.fill(palette.BACKGROUND)
    ranks, leader = race.ranking()
    draw_race(surface, camera, race, ranks, leader, 7, True, s)
    Overview().draw(surface, layout.overview, race, camera, s)
    lines = [
        ("generation", "57"),
        ("alive", f"{race.alive_count} of {race.count}"),
        ("this gen", "best 300 · mean 97.3"),
        ("last gen", "best 391 · mean 285"),
        ("best ever", "391 (gen 40)"),
        ("strategy", "elitist"),
        ("seed", "4035077131"),
        ("column", f"{race.column} of {race.track.finish}"),
        ("track", "test"),
        ("speed", "×4"),
        ("fps", "60"),
    ]
    hud.draw_panel_lines(surface, layout.stats, "evolving", lines, s)
    events = [(20, "track: test", palette.ACCENT), (45, "restart", palette.SELECTED)]
    draw_chart(surface, layout.chart, fake_history(57), s, "log", events)
    genome = race.genomes[7]
    activations = network.activations(genome[None], race.inputs_of(7)[None])
    NetworkView().draw(surface, layout.network, network, genome, activations, "network of dot #8 (selected)", s)
    hud.draw_footer(surface, layout.footer, s)
    hud.draw_messages(surface, layout.view, [("track: test (4000 columns)", False)], s)
    pygame.image.save(surface, str(OUT / f"window-{width}x{height}-x{user}.png"))


if __name__ == "__main__" and "window" in sys.argv:
    window(1920, 1080)
    window(1280, 720)
    window(1280, 720, 1.5)
