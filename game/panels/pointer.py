"""Point and learn: what is under the mouse (a neuron, an input, a weight, a chart point, a dot), in one line.

The words come from evolution/run/narration.py; this module only finds what is under the pointer in the evolving
view and draws the line beside it.
"""

from __future__ import annotations

import numpy as np
import pygame

from evolution.run.narration import dot_words, generation_words, neuron_words, weight_words
from game.drawing import palette
from game.drawing.race_scene import RaceScene
from game.drawing.scale import Scale, as_scale
from game.drawing.text import fit
from game.drawing.track_view import pick_dot
from game.panels.netview import NetworkPanel
from game.panels.timeline import generation_at

NEURON_REACH = 9  # pixels at 1280×720: how near a neuron the pointer must be
WEIGHT_REACH = 3  # and how near a weight's line


def point_at(view, position: tuple[int, int], layout) -> str | None:
    """The line about what is under `position` in an evolving view, or None."""
    if layout.network.collidepoint(position):
        return _network(view, position, layout)
    if layout.chart.collidepoint(position):
        history = view.evolution.history
        generation = generation_at(layout.chart, view.chart.time_axis, position, len(history))
        return None if generation is None else generation_words(history.row(generation))
    if layout.view.collidepoint(position) and isinstance(view.scene, RaceScene):
        race = view.shown_race
        index = pick_dot(view.scene.camera, race, position, None, layout.scale)
        if index is None:
            return None
        ranks, _ = race.ranking()
        score = int(race.current_scores[index])
        return dot_words(index, bool(race.alive[index]), score, race.track.finish, int(ranks[index]) + 1, race.count)
    return None


def _network(view, position: tuple[int, int], layout) -> str | None:
    scene = view.scene
    if not isinstance(scene, RaceScene):
        return None
    panel = view.part(NetworkPanel)
    if panel is None or scene.followed is None:
        return None
    race = view.shown_race
    followed = scene.followed
    network = race.network
    nodes = panel.node_centres(layout.network, layout.scale)
    point = np.asarray(position, dtype=np.float64)
    s = layout.scale
    genome = race.genomes[followed]
    best = min(
        (
            (float(np.hypot(*(node - point))), layer, index)
            for layer, xy in enumerate(nodes)
            for index, node in enumerate(xy)
        ),
        default=None,
    )
    if best is not None and best[0] <= s.fpx(NEURON_REACH):
        _, layer, index = best
        values = network.activations(genome[None], race.inputs_of(followed)[None])
        return neuron_words(layer, index, network.layers, float(values[layer][0][index]))
    for layer, (weights, _) in enumerate(network.unpack(genome[None])):
        starts, ends = nodes[layer], nodes[layer + 1]
        if not (min(starts[:, 0]) <= point[0] <= max(ends[:, 0])):
            continue
        for i, start in enumerate(starts):
            for j, end in enumerate(ends):
                if _distance(point, start, end) <= s.fpx(WEIGHT_REACH):
                    return weight_words(layer, i, j, network.layers, float(weights[0, i, j]))
    return None


def _distance(point: np.ndarray, start: np.ndarray, end: np.ndarray) -> float:
    """The distance from a point to the segment start-end."""
    line = end - start
    t = float(np.clip(np.dot(point - start, line) / max(float(np.dot(line, line)), 1e-9), 0.0, 1.0))
    return float(np.hypot(*(start + t * line - point)))


def draw_pointer_line(surface: pygame.Surface, position: tuple[int, int], text: str, scale: Scale | float) -> None:
    """The line beside the pointer, kept inside the window."""
    s = as_scale(scale)
    text_font = s.font(13, bold=True)
    screen = surface.get_rect()
    rendered = text_font.render(fit(text_font, text, screen.width - s.px(20)), True, palette.TEXT)
    box = rendered.get_rect(topleft=(position[0] + s.px(14), position[1] + s.px(14))).inflate(s.px(12), s.px(8))
    if box.right > screen.right:
        box.right = screen.right - s.px(2)
    if box.bottom > screen.bottom:
        box.bottom = position[1] - s.px(8)
    box.left = max(box.left, 0)
    pygame.draw.rect(surface, palette.PANEL, box, border_radius=s.px(4))
    pygame.draw.rect(surface, palette.ACCENT, box, max(1, s.px(1)), border_radius=s.px(4))
    surface.blit(rendered, rendered.get_rect(center=box.center))
