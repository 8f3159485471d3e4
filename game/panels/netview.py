"""A view of one dot's network: neurons coloured by live activation, weights by sign and size, the force as an arrow,
and a legend that says what the colours mean. NetworkPanel is the network slot's panel of a race view; in turbo
its update redraws it at most every NETWORK_SECONDS_THROTTLED into a picture its drawing shows."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pygame

from evolution.breeding.lineage import brief
from evolution.racing.network import Network
from game.drawing import palette
from game.drawing.frame import PAD, TITLE_SIZE, content_rect, draw_panel
from game.drawing.frame import picture as new_picture
from game.drawing.race_scene import Subject
from game.drawing.scale import Scale, as_scale
from game.drawing.text import draw, reading, reserve, show, signed
from game.panels.panel import Panel

# the inputs in words, short: the barrier and how many columns ahead it is read (hover one for the whole line)
INPUT_LABELS = (
    "speed",
    "top, here",
    "bottom, here",
    "top, 5 ahead",
    "bottom, 5 ahead",
    "top, 9 ahead",
    "bottom, 9 ahead",
)
WIDEST_LABEL = "bottom, 9 ahead -00.00"  # the input column sits right of this, so labels stay inside the panel
CRASHED_MARK = "✗ "
LABEL_SIZE = 10
NETWORK_SECONDS_THROTTLED = 0.1


def squash_inputs(values: np.ndarray) -> np.ndarray:
    """(N,) unbounded input readings mapped to [0, 1] for colour only: 0 → 0.5, ±2 → about 0.02 / 0.98."""
    return 0.5 + 0.5 * np.tanh(np.asarray(values, dtype=np.float64))


def network_title(title: str, crashed: bool) -> str:
    """The panel's title: a crashed dot's gets a ✗ in front and "(crashed)" after, unless it says so already."""
    if not crashed:
        return title
    return CRASHED_MARK + (title if "crashed" in title else f"{title} (crashed)")


def fitting_title(title: str, crashed: bool, title_font: pygame.font.Font, room: int) -> str:
    """network_title(), without the size of the mutation (lineage.brief) if it does not fit room pixels
    whole; the panel shortens what still does not fit."""
    full = network_title(title, crashed)
    if title_font.size(full)[0] <= room:
        return full
    short = network_title(brief(title), crashed)
    if title_font.size(short)[0] <= room or ": " not in title:
        return short
    # text large for its panel: the dot's number goes ("#50" is in the panel's own words elsewhere: the marker)
    return network_title(brief(title).split(": ", 1)[1], crashed)


def network_area(rect: pygame.Rect, scale: Scale | float = 1.0) -> pygame.Rect:
    """Where the neurons go in a network panel at rect: inside its frame, under its title, above its legend."""
    s = as_scale(scale)
    inner = content_rect(rect, s)
    legend_h = (s.font(LABEL_SIZE).get_linesize() + s.px(2)) * legend_lines(rect.width - 2 * s.px(PAD), s)
    return pygame.Rect(inner.x, inner.y, inner.width, max(inner.height - legend_h, 1))


class NetworkView:
    """Caches the weights picture of the genome shown; draws the activations over it. The caches only
    memoise rendering: where the neurons are is node_centres(), a function of the panel's rect."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._weights: pygame.Surface | None = None
        self._nodes: list[np.ndarray] = []
        # the panel's frame, title, weights and legend, drawn once per genome and size (opaque: a fast blit)
        self._static_key: tuple | None = None
        self._static: pygame.Surface | None = None
        self._area = pygame.Rect(0, 0, 1, 1)

    def node_centres(self, rect: pygame.Rect, network: Network, scale: Scale | float = 1.0) -> list[np.ndarray]:
        """(size, 2) window pixels of each layer's neurons in a network panel at rect (what the pointer reads)."""
        return self._layout(network, network_area(rect, as_scale(scale)), as_scale(scale))

    def _layout(self, network: Network, area: pygame.Rect, s: Scale) -> list[np.ndarray]:
        """(size, 2) pixel centres of each layer's neurons inside the area left for them."""
        left = area.x + s.px(10) + s.font(LABEL_SIZE).size(WIDEST_LABEL)[0] + s.px(6)
        if area.right - s.px(62) - left < area.width * 0.3:  # text too large for the labels and the network:
            left = area.x + s.px(16)  # the network keeps its shape, the inputs' labels are left out
        right = max(area.right - s.px(62), left + 1)
        xs = np.linspace(left, right, len(network.layers))
        nodes = []
        for x, size in zip(xs, network.layers):
            # the inputs' labels need a line each; where the panel has no room for it, some are left out
            line = s.font(LABEL_SIZE).get_linesize() if len(nodes) == 0 else s.fpx(20)
            gap = min(max(s.fpx(20), line), area.height / max(size, 1))
            ys = area.centery + (np.arange(size) - (size - 1) / 2) * gap
            nodes.append(np.column_stack([np.full(size, x), ys]))
        return nodes

    def _render_weights(self, network: Network, genome: np.ndarray, rect: pygame.Rect, s: Scale) -> pygame.Surface:
        picture = pygame.Surface(rect.size, pygame.SRCALPHA)
        offset = np.array(rect.topleft)
        for (weights, _), a_nodes, b_nodes in zip(network.unpack(genome[None]), self._nodes, self._nodes[1:]):
            weights = weights[0]
            largest = max(float(np.abs(weights).max()), 1e-9)
            for i, start in enumerate(a_nodes - offset):
                for j, end in enumerate(b_nodes - offset):
                    w = weights[i, j]
                    strength = abs(w) / largest
                    colour = (*(palette.POSITIVE if w > 0 else palette.NEGATIVE), int(40 + 200 * strength))
                    pygame.draw.line(picture, colour, start, end, max(1, s.px(1 + 3 * strength)))
        return picture

    def draw(
        self,
        surface: pygame.Surface,
        rect: pygame.Rect,
        network: Network,
        genome: np.ndarray,
        activations: list[np.ndarray] | None,
        title: str,
        scale: Scale | float = 1.0,
        crashed: bool = False,
    ) -> None:
        """The network of genome (G,) in a panel at rect; activations: per layer (1, size), or None.

        crashed: the dot shown has crashed; its title is drawn in the warning colour with a ✗.
        Draws only inside rect.
        """
        s = as_scale(scale)
        if rect.width <= 0 or rect.height <= 0:  # folded away by the layout
            return
        colour = palette.WARNING if crashed else palette.TEXT
        room = rect.width - 2 * s.px(PAD)
        title = fitting_title(title, crashed, s.font(TITLE_SIZE, bold=True), room)
        small = s.font(LABEL_SIZE)
        legend_h = (small.get_linesize() + s.px(2)) * legend_lines(rect.width - 2 * s.px(PAD), s)
        key = (genome.tobytes(), rect.topleft, rect.size, network.layers, s)
        static_key = (key, title, colour)
        if static_key != self._static_key:
            # the frame, title, weights and legend change only with the genome, the title or the size
            picture = new_picture(rect.size)
            local = picture.get_rect()
            inner = draw_panel(picture, local, title, s, title_colour=colour)
            self._area = network_area(rect, s)  # where the neurons go, in the surface's pixels
            if key != self._key:
                self._nodes = self._layout(network, self._area, s)
                self._weights = self._render_weights(network, genome, rect, s)
                self._key = key
            picture.set_clip(local.inflate(-2, -2))
            picture.blit(self._weights, (0, 0))
            # the legend first: the inputs' labels are left out where they would cover it
            legend = pygame.Rect(inner.x, inner.bottom - legend_h, inner.width, legend_h)
            draw_network_legend(picture, legend, s, local)
            picture.set_clip(None)
            self._static, self._static_key = picture, static_key
        show(surface, self._static, rect.topleft)
        area = self._area
        clip = surface.get_clip()
        surface.set_clip(rect.inflate(-2, -2).clip(clip) if clip else rect.inflate(-2, -2))
        radius = max(2, min(s.px(6), round(min(s.fpx(20), area.height / max(network.layers)) * 0.4)))
        for layer, nodes in enumerate(self._nodes):
            values = None if activations is None else activations[layer][0]
            if values is not None and layer == 0:
                values = squash_inputs(values)  # inputs are unbounded; squashed for colour only
            # weights near the largest double overflow a neuron's sum to inf - inf: no activation, drawn as none
            known = np.isfinite(values) if values is not None else None
            colours = palette.viridis(np.where(known, values, 0.0)) if values is not None else None
            for n, (x, y) in enumerate(nodes):
                fill = tuple(colours[n]) if colours is not None and known[n] else palette.PANEL_EDGE
                pygame.draw.circle(surface, fill, (x, y), radius)
                pygame.draw.circle(surface, palette.TEXT_DIM, (x, y), radius, max(1, s.px(1)))
                if layer == 0 and n < len(INPUT_LABELS):
                    label = INPUT_LABELS[n]
                    if activations is not None:
                        label += f" {reading(float(activations[0][0][n]))}"
                    at = (x - radius - s.px(4), y)
                    draw(surface, small, label, palette.TEXT_DIM, rect, palette.PANEL, only_if_free=True, midright=at)
        for nodes in self._nodes:  # the labels below cover no neuron
            for x, y in nodes:
                reserve(surface, pygame.Rect(round(x) - radius, round(y) - radius, 2 * radius + 1, 2 * radius + 1))
        if activations is not None and np.isfinite(activations[-1][0][0]):
            self._draw_force(surface, area, float(activations[-1][0][0]) - 0.5, radius, s, rect)
        surface.set_clip(clip)

    def _draw_force(
        self, surface: pygame.Surface, area: pygame.Rect, force: float, radius: int, s: Scale, panel: pygame.Rect
    ) -> None:
        """The output minus 0.5, the push up (+) or down (−), as an arrow beside the output neuron."""
        x, y = self._nodes[-1][0]
        length = force * 2 * min(s.fpx(34), area.height / 3)
        colour = palette.POSITIVE if force > 0 else palette.NEGATIVE
        shaft = x + radius + s.px(14)
        tip = (shaft, y - length)
        pygame.draw.line(surface, colour, (shaft, y), tip, max(1, s.px(3)))
        head, direction = s.fpx(5), (-1 if force > 0 else 1)
        if abs(length) >= head:
            pygame.draw.polygon(
                surface,
                colour,
                [(tip[0] - head, tip[1]), (tip[0] + head, tip[1]), (tip[0], tip[1] + direction * 1.4 * head)],
            )
        label_font = s.font(LABEL_SIZE)
        label = f"force {signed(force)}"
        width, height = label_font.size(label)
        top = y + radius + s.px(6) if force >= 0 else y - radius - s.px(6) - height
        left = min(x - radius, area.right - width)
        other = y - radius - s.px(6) - height if force >= 0 else y + radius + s.px(6)  # the arrow's other side
        for corner in ((left, top), (left, other), (area.right - width, top), (area.right - width, other)):
            if draw(surface, label_font, label, palette.TEXT, panel, palette.PANEL, only_if_free=True, topleft=corner):
                break


def legend_lines(width: int, scale: Scale | float = 1.0) -> int:
    """Lines the legend needs in width pixels to show its three main items (weights +, −, the activation ramp)."""
    s = as_scale(scale)
    small = s.font(LABEL_SIZE)
    main = [small.size(text)[0] + s.px(19) for text in ("weight +", "weight −")]
    main.append(small.size("activation 0")[0] + s.px(40) + small.size("1")[0] + s.px(6))
    return 1 if sum(main) + 2 * s.px(10) <= width else 2


def draw_network_legend(
    surface: pygame.Surface, rect: pygame.Rect, scale: Scale | float = 1.0, panel: pygame.Rect | None = None
) -> None:
    """A line (two where one has no room: rect's height says) saying what the colours mean: weights red + /
    blue −, thicker = larger; neurons by activation on the viridis ramp from 0 to 1 (inputs squashed from −
    to +). Items that do not fit are left out."""
    s = as_scale(scale)
    panel = rect if panel is None else panel
    small = s.font(LABEL_SIZE)
    sample, gap = s.px(16), s.px(10)
    line_h = small.get_linesize() + s.px(2)
    cy = rect.y + line_h // 2
    ramp_w = s.px(40)

    def line_item(colour, text):
        return sample + s.px(3) + small.size(text)[0], ("line", colour, text)

    items = [
        line_item(palette.POSITIVE, "weight +"),
        line_item(palette.NEGATIVE, "weight −"),
        (small.size("activation 0")[0] + ramp_w + small.size("1")[0] + s.px(6), ("ramp", None, None)),
        (small.size("thicker = larger")[0], ("text", palette.TEXT_DIM, "thicker = larger")),
        (small.size("(inputs: − to +)")[0], ("text", palette.TEXT_DIM, "(inputs: − to +)")),
    ]
    x = rect.x
    for width, (kind, colour, text) in items:
        if x + width > rect.right and x > rect.x and cy + line_h <= rect.bottom:
            x, cy = rect.x, cy + line_h  # the next line
        if x + width > rect.right:
            continue
        if kind == "line":
            pygame.draw.line(surface, colour, (x, cy), (x + sample, cy), max(2, s.px(3)))
            draw(surface, small, text, palette.TEXT_DIM, panel, palette.PANEL, midleft=(x + sample + s.px(3), cy))
        elif kind == "ramp":
            label = draw(surface, small, "activation 0", palette.TEXT_DIM, panel, palette.PANEL, midleft=(x, cy))
            ramp_x = x + label.width + s.px(3)
            ramp = palette.viridis(np.linspace(0, 1, ramp_w))
            bar_h = max(3, small.get_height() // 2)
            for i, c in enumerate(ramp):
                pygame.draw.line(surface, tuple(c), (ramp_x + i, cy - bar_h // 2), (ramp_x + i, cy + bar_h // 2))
            draw(surface, small, "1", palette.TEXT_DIM, panel, palette.PANEL, midleft=(ramp_x + ramp_w + s.px(3), cy))
        else:
            draw(surface, small, text, colour, panel, palette.PANEL, midleft=(x, cy))
        x += width + gap


class NetworkPanel(Panel):
    """The followed dot's network in the layout's network slot. subject() says what to show (None: nothing);
    throttle() (turbo) lets the update redraw it at most every NETWORK_SECONDS_THROTTLED into a picture kept in
    between, which drawing shows, so that drawing leaves more of each frame to racing."""

    slot = "network"

    def __init__(self, subject: Callable[[], Subject | None], throttle: Callable[[], bool] = lambda: False) -> None:
        self.subject = subject
        self.throttle = throttle
        self.netview = NetworkView()
        self._picture: pygame.Surface | None = None  # the panel kept between redraws in turbo
        self._until = 0.0
        self._throttled = False  # this frame shows the picture kept

    def node_centres(self, rect: pygame.Rect, scale: Scale | float = 1.0) -> list[np.ndarray]:
        """(size, 2) window pixels of each layer's neurons of the subject's network in the panel at rect."""
        subject = self.subject()
        return [] if subject is None else self.netview.node_centres(rect, subject.network, scale)

    def update(self, rect: pygame.Rect, scale: Scale) -> None:
        self._throttled = self.throttle() and rect.width > 0 and rect.height > 0
        if not self._throttled:
            return
        now, picture = time.perf_counter(), self._picture
        if picture is None or picture.get_size() != rect.size or now >= self._until:
            picture = new_picture(rect.size)
            subject = self.subject()
            if subject is not None:
                self.netview.draw(picture, picture.get_rect(), *subject[:4], scale, subject.crashed)
            self._picture, self._until = picture, now + NETWORK_SECONDS_THROTTLED

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, scale: Scale) -> None:
        if rect.width <= 0 or rect.height <= 0:  # folded away (the projector layout)
            return
        if self._throttled and self._picture is not None:
            show(surface, self._picture, rect.topleft)
            return
        subject = self.subject()
        if subject is not None:
            self.netview.draw(surface, rect, *subject[:4], scale, subject.crashed)
