"""A view of one dot's network: neurons coloured by live activation, weights by sign and size, the force as an arrow."""

from __future__ import annotations

import numpy as np
import pygame

from evolution.network import Network

from . import palette
from .assets import font

INPUT_LABELS = ("speed", "top +0", "bottom +0", "top +5", "bottom +5", "top +9", "bottom +9")
WIDEST_LABEL = "bottom +9 -00.00"  # the input column sits right of this, so labels stay inside the panel


class NetworkView:
    """Caches the weights picture of the genome shown; draws the activations over it."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._weights: pygame.Surface | None = None
        self._nodes: list[np.ndarray] = []

    def _layout(self, network: Network, rect: pygame.Rect) -> list[np.ndarray]:
        left, right = rect.x + 24 + font(10).size(WIDEST_LABEL)[0], rect.right - 70
        xs = np.linspace(left, right, len(network.layers))
        nodes = []
        for x, size in zip(xs, network.layers):
            gap = min(20.0, (rect.height - 40) / max(size, 1))
            ys = rect.y + 28 + (rect.height - 40) / 2 + (np.arange(size) - (size - 1) / 2) * gap
            nodes.append(np.column_stack([np.full(size, x), ys]))
        return nodes

    def _render_weights(self, network: Network, genome: np.ndarray, rect: pygame.Rect) -> pygame.Surface:
        picture = pygame.Surface(rect.size, pygame.SRCALPHA)
        offset = np.array(rect.topleft)
        for (weights, _), a_nodes, b_nodes in zip(network.unpack(genome[None]), self._nodes, self._nodes[1:]):
            weights = weights[0]
            scale = max(float(np.abs(weights).max()), 1e-9)
            for i, start in enumerate(a_nodes - offset):
                for j, end in enumerate(b_nodes - offset):
                    w = weights[i, j]
                    strength = abs(w) / scale
                    colour = (*(palette.POSITIVE if w > 0 else palette.NEGATIVE), int(40 + 200 * strength))
                    pygame.draw.line(picture, colour, start, end, 1 + int(3 * strength))
        return picture

    def draw(
        self,
        surface: pygame.Surface,
        rect: pygame.Rect,
        network: Network,
        genome: np.ndarray,
        activations: list[np.ndarray] | None,
        title: str,
    ) -> None:
        pygame.draw.rect(surface, palette.PANEL, rect)
        pygame.draw.rect(surface, palette.PANEL_EDGE, rect, 1)
        surface.blit(font(13, bold=True).render(title, True, palette.TEXT), (rect.x + 8, rect.y + 5))
        key = (id(genome), genome.tobytes()[:64], rect.topleft, rect.size, network.layers)
        if key != self._key:
            self._nodes = self._layout(network, rect)
            self._weights = self._render_weights(network, genome, rect)
            self._key = key
        surface.blit(self._weights, rect)
        small = font(10)
        clip = surface.get_clip()
        surface.set_clip(rect.inflate(-2, -2))  # a huge reading must not spill into the next panel
        for layer, nodes in enumerate(self._nodes):
            values = None if activations is None else activations[layer][0]
            if values is not None and layer == 0:
                values = 0.5 + 0.5 * np.tanh(values)  # inputs are unbounded; squash for colour only
            colours = palette.viridis(values) if values is not None else None
            for n, (x, y) in enumerate(nodes):
                fill = tuple(colours[n]) if colours is not None else palette.PANEL_EDGE
                pygame.draw.circle(surface, fill, (x, y), 6)
                pygame.draw.circle(surface, palette.TEXT_DIM, (x, y), 6, 1)
                if layer == 0 and n < len(INPUT_LABELS):
                    label = INPUT_LABELS[n]
                    if activations is not None:
                        label += f" {activations[0][0][n]:+.2f}"
                    text = small.render(label, True, palette.TEXT_DIM)
                    surface.blit(text, (x - 10 - text.get_width(), y - text.get_height() / 2))
        if activations is not None:
            force = float(activations[-1][0][0]) - 0.5
            x, y = self._nodes[-1][0]
            length = force * 2 * min(34, rect.height / 3)
            colour = palette.POSITIVE if force > 0 else palette.NEGATIVE
            tip = (x + 22, y - length)
            pygame.draw.line(surface, colour, (x + 22, y), tip, 3)
            direction = -1 if force > 0 else 1
            pygame.draw.polygon(
                surface,
                colour,
                [(tip[0] - 5, tip[1] - direction * 0), (tip[0] + 5, tip[1]), (tip[0], tip[1] + direction * 7)],
            )
            text = small.render(f"force {force:+.2f}", True, palette.TEXT)
            surface.blit(text, (x + 8, y + 14))
        surface.set_clip(clip)
