"""Draws a race: the corridor as in the blog's figures, every dot with its trail, the sensors of the followed dot."""

from __future__ import annotations

import math

import numpy as np
import pygame

from evolution.racing.race import Race
from evolution.racing.track import SENSORS
from game.drawing import palette
from game.drawing.camera import Camera
from game.drawing.scale import Scale, as_scale
from game.drawing.text import around, draw, fit, reserve, spot, taken

FEW_DOTS = 300  # up to this many, dots are anti-aliased circles and trails are lines; beyond, pixels
DOT_RADIUS = 4  # pixels at 1280×720
FOLLOWED_RADIUS = 6  # the followed dot, drawn last and larger
PICK_REACH = 14.0  # pixels at 1280×720: a click this near a dot picks it
HINT_ROWS = 9  # dots of a stack listed at once beside it
STACK = 6.0  # pixels at 1280×720: dots this much farther than the nearest count as one stack under the click


def draw_corridor(surface: pygame.Surface, camera: Camera, race: Race) -> None:
    track = race.track
    view = camera.view
    surface.fill(palette.OUTSIDE, view)
    first, last = camera.columns_in_view(track)
    columns = np.arange(first, last + 1)
    xs = camera.x(columns)
    tops = np.clip(camera.y(track.top[first : last + 1]), view.top - 4, view.bottom + 4)
    bottoms = np.clip(camera.y(track.bottom[first : last + 1]), view.top - 4, view.bottom + 4)
    top_line = np.column_stack([xs, tops])
    bottom_line = np.column_stack([xs, bottoms])
    if len(columns) >= 2:
        pygame.draw.polygon(surface, palette.CORRIDOR, np.concatenate([top_line, bottom_line[::-1]]).tolist())
        pygame.draw.aalines(surface, palette.BARRIER, False, top_line.tolist())
        pygame.draw.aalines(surface, palette.BARRIER, False, bottom_line.tolist())
    finish_x = float(camera.x(track.finish))
    if view.left <= finish_x <= view.right:
        for row, y in enumerate(range(view.top, view.bottom, 8)):
            colour = palette.TEXT if row % 2 else palette.CORRIDOR
            pygame.draw.rect(surface, colour, (finish_x - 3, y, 6, 8))


def draw_sensors(surface: pygame.Surface, camera: Camera, race: Race, index: int, scale: Scale | float = 1.0) -> None:
    """The columns ahead that the followed dot reads, and what it reads there."""
    s = as_scale(scale)
    if not race.alive[index] or race.done:
        return
    track = race.track
    position = race.positions[index]
    dot = (float(camera.x(race.column)), float(camera.y(position)))
    for offset in SENSORS:
        column = min(race.column + offset, track.columns - 1)
        x = float(camera.x(column))
        top, bottom = float(camera.y(track.top[column])), float(camera.y(track.bottom[column]))
        pygame.draw.line(surface, (200, 205, 230), (x, top), (x, bottom), max(1, s.px(1)))
        for y in (top, bottom):
            if s.px(1) > 1:
                pygame.draw.line(surface, (150, 160, 210), dot, (x, y), s.px(1))
            else:
                pygame.draw.aaline(surface, (150, 160, 210), dot, (x, y))
            pygame.draw.circle(surface, palette.SELECTED, (x, y), s.px(3))


def _screen_points(camera: Camera, columns: np.ndarray, heights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return camera.x(columns), camera.y(heights)


def dot_screen_positions(camera: Camera, race: Race) -> tuple[np.ndarray, np.ndarray]:
    """(P,) x and y pixels of every dot: the living at the head, the crashed where they crashed."""
    columns = np.where(race.alive, race.column, race.scores + 1)
    return _screen_points(camera, columns, race.positions)


def draw_dots(
    surface: pygame.Surface,
    camera: Camera,
    race: Race,
    ranks: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    scale: Scale | float = 1.0,
    colours: np.ndarray | None = None,
) -> None:
    """Every dot at its screen position (xs, ys (P,) from dot_screen_positions), with its trail; colours (P, 3)
    default to viridis by rank."""
    s = as_scale(scale)
    radius = s.px(DOT_RADIUS)
    colours = palette.rank_colours(ranks, race.count) if colours is None else colours
    alive = race.alive
    if race.count <= FEW_DOTS:
        _draw_trails_as_lines(surface, camera, race, colours)
        faint = palette.fade(colours, 0.7)
        edge = max(1, s.px(1))
        for i in np.flatnonzero(~alive):  # a crashed dot: its faded colour in a grey edge that reads on white
            pygame.draw.circle(surface, palette.TEXT_DIM, (xs[i], ys[i]), max(radius - 1, 1) + edge)
            pygame.draw.circle(surface, faint[i], (xs[i], ys[i]), max(radius - 1, 1))
        for i in np.flatnonzero(alive)[np.argsort(-ranks[alive])]:  # the best drawn last, on top
            pygame.draw.circle(surface, palette.DOT_EDGE, (xs[i], ys[i]), radius + edge)  # pale ones read on white
            pygame.draw.circle(surface, colours[i], (xs[i], ys[i]), radius)
    else:
        _splat_trails(surface, camera, race, colours)
        _splat(surface, xs[~alive], ys[~alive], palette.fade(colours[~alive], 0.7), s.px(1) - 1)
        order = np.flatnonzero(alive)[np.argsort(-ranks[alive])]
        _splat(surface, xs[order], ys[order], colours[order], s.px(1))


def _trail_window(race: Race) -> tuple[np.ndarray, np.ndarray]:
    """Columns of the trail still in the ring buffer, oldest first, and their rows in it."""
    length = race.trail.shape[0]
    columns = np.arange(max(0, race.column - length + 1), race.column + 1)
    return columns, columns % length


def _draw_trails_as_lines(surface: pygame.Surface, camera: Camera, race: Race, colours: np.ndarray) -> None:
    if race.trail is None or race.column < 1:
        return
    columns, rows = _trail_window(race)
    xs = camera.x(columns)
    for i in np.flatnonzero(race.alive):
        ys = camera.y(race.trail[rows, i])
        trail = palette.fade(colours[i : i + 1], 0.45)[0]
        pygame.draw.aalines(surface, trail, False, np.column_stack([xs, ys]).tolist())


def _splat_trails(surface: pygame.Surface, camera: Camera, race: Race, colours: np.ndarray) -> None:
    if race.trail is None or race.column < 1:
        return
    columns, rows = _trail_window(race)
    alive = np.flatnonzero(race.alive)
    if alive.size == 0:
        return
    stride = max(1, alive.size // 2000)  # thousands of trails read as a haze; a sample of them suffices
    alive = alive[::stride]
    heights = race.trail[np.ix_(rows, alive)]
    xs = np.broadcast_to(camera.x(columns)[:, None], heights.shape)
    trail_colours = np.broadcast_to(palette.fade(colours[alive], 0.55)[None], (*heights.shape, 3))
    _splat(surface, xs.ravel(), camera.y(heights).ravel(), trail_colours.reshape(-1, 3), 0)


def _splat(surface: pygame.Surface, xs: np.ndarray, ys: np.ndarray, colours: np.ndarray, radius: int) -> None:
    """Write square dots of side 2*radius+1 straight into the pixels, clipped to the surface."""
    if xs.size == 0:
        return
    xs = np.round(xs).astype(np.int64)
    ys = np.round(ys).astype(np.int64)
    width, height = surface.get_size()
    shifts, losses = surface.get_shifts(), surface.get_losses()
    colours = colours.astype(np.int64)
    mapped = sum((colours[:, c] >> losses[c]) << shifts[c] for c in range(3)) | surface.get_masks()[3]
    pixels = pygame.surfarray.pixels2d(surface)  # one mapped integer per pixel
    try:
        for dx in range(-radius, radius + 1):
            for dy in range(-radius, radius + 1):
                px, py = xs + dx, ys + dy
                inside = (px >= 0) & (px < width) & (py >= 0) & (py < height)
                pixels[px[inside], py[inside]] = mapped[inside]
    finally:
        del pixels


def draw_marker(
    surface: pygame.Surface,
    centre: tuple[float, float],
    colour,
    label: str,
    below: bool = False,
    scale: Scale | float = 1.0,
    view: pygame.Rect | None = None,
) -> None:
    """A labelled ring around the dot at centre. The label, on a white plate, goes to the first free place
    around the ring (above or below it first, as asked, then the other side, then to the left) that covers
    no other label or ring and stays inside the view; shortened to "#12"-like brevity, or left out, where
    none is free."""
    s = as_scale(scale)
    view = surface.get_clip() if view is None else view
    ring = s.px(DOT_RADIUS + 5)
    if not (math.isfinite(centre[0]) and math.isfinite(centre[1])):  # a dot whose network gave no position
        return
    pygame.draw.circle(surface, colour, centre, ring, max(2, s.px(2)))
    reserve(surface, pygame.Rect(0, 0, 2 * ring + 2, 2 * ring + 2).move_to(center=(round(centre[0]), round(centre[1]))))
    label_font = s.font(12, bold=True)
    x, y = centre
    gap = s.px(10)
    short = next((word for word in label.split() if word.startswith("#")), label.split()[0])
    for text in dict.fromkeys((label, short)):
        width, height = label_font.size(text)
        above, under = y - s.px(8) - height, y + s.px(8)
        rows = (under, above) if below else (above, under)
        candidates = [(x + gap, row) for row in rows] + [(x - gap - width, row) for row in rows]
        candidates += around(x, y, ring + s.px(4), width + 2 * s.px(2), height)
        rect = spot(surface, (width + 2 * s.px(2), height), candidates, view)
        if rect is not None:
            pygame.draw.rect(surface, palette.PANEL, rect)
            draw(surface, label_font, text, colour, view, palette.PANEL, center=rect.center)
            return


def draw_followed(
    surface: pygame.Surface,
    centre: tuple[float, float],
    colour: tuple[int, int, int],
    crashed: bool,
    scale: Scale | float = 1.0,
) -> None:
    """The followed dot on top of the others: larger, in its rank colour, with a ring; a crashed one as a red ✗
    at its crash point."""
    s = as_scale(scale)
    radius = s.px(FOLLOWED_RADIUS)
    if crashed:
        arm = radius + s.px(2)
        x, y = centre
        for dx in (-arm, arm):
            pygame.draw.line(surface, palette.PANEL, (x - dx, y - arm), (x + dx, y + arm), max(3, s.px(5)))
        for dx in (-arm, arm):
            pygame.draw.line(surface, palette.WARNING, (x - dx, y - arm), (x + dx, y + arm), max(2, s.px(3)))
        return
    pygame.draw.circle(surface, palette.PANEL, centre, radius + max(1, s.px(1)))
    pygame.draw.circle(surface, colour, centre, radius)


def draw_race(
    surface: pygame.Surface,
    camera: Camera,
    race: Race,
    ranks: np.ndarray,
    leader: int,
    followed: int,
    selected: bool,
    scale: Scale | float = 1.0,
    colours: np.ndarray | None = None,
) -> None:
    """The whole track view: dots coloured by ranks (from race.ranking()), or `colours` ((N, 3) uint8) if given,
    the leader (while a dot lives) and the followed dot marked.

    The followed dot is drawn last, larger and ringed (a red ✗ where it crashed, if it has).
    """
    s = as_scale(scale)
    clip = surface.get_clip()
    surface.set_clip(camera.view)
    draw_corridor(surface, camera, race)
    draw_sensors(surface, camera, race, followed, s)
    xs, ys = dot_screen_positions(camera, race)  # once a frame: it reads every dot's position
    draw_dots(surface, camera, race, ranks, xs, ys, s, colours)
    if colours is None:
        colours = palette.rank_colours(ranks[followed : followed + 1], race.count)
        followed_colour = colours[0]
    else:
        followed_colour = colours[followed]
    colour = tuple(int(c) for c in followed_colour)
    centre = (float(xs[followed]), float(ys[followed]))
    draw_followed(surface, centre, colour, not race.alive[followed], s)
    if race.alive[leader]:  # the living dot doing best; once every dot has crashed there is none
        draw_marker(
            surface, (float(xs[leader]), float(ys[leader])), palette.ACCENT, "leader", scale=s, view=camera.view
        )
    if selected:
        crashed = "" if race.alive[followed] else " (crashed)"
        label = f"selected #{followed + 1}{crashed}"
        draw_marker(surface, centre, palette.SELECTED, label, below=True, scale=s, view=camera.view)
    surface.set_clip(clip)


def stack_at(
    camera: Camera, race: Race, point: tuple[int, int], scale: Scale | float = 1.0
) -> tuple[np.ndarray, int | None]:
    """The dots under a click, spread for picking: (indices (K,) of the dots within STACK pixels of the nearest
    dot's distance, ordered top to bottom on screen then by index; the nearest dot), or (empty, None) when no
    dot is within PICK_REACH pixels."""
    s = as_scale(scale)
    xs, ys = dot_screen_positions(camera, race)
    distance = np.hypot(xs - point[0], ys - point[1])
    nearest = int(np.argmin(distance))
    if distance[nearest] > s.fpx(PICK_REACH):
        return np.zeros(0, dtype=np.int64), None
    stack = np.flatnonzero(distance <= distance[nearest] + s.fpx(STACK))
    return stack[np.lexsort((stack, ys[stack]))], nearest


def pick_dot(
    camera: Camera, race: Race, pos: tuple[int, int], previous: int | None, scale: Scale | float = 1.0
) -> int | None:
    """The dot a click at pos picks: the nearest one, or, when previous is one of a stack of dots under
    the click (dots a few pixels apart, as forty living dots of one column are), the next one of that
    stack after previous, top to bottom and round again, so repeated clicks at one place reach every dot.
    None when no dot is near."""
    stack, nearest = stack_at(camera, race, pos, scale)
    if nearest is None:
        return None
    if previous is not None and previous in stack:
        place = int(np.flatnonzero(stack == previous)[0])
        return int(stack[(place + 1) % stack.size])
    return nearest


def draw_stack_hint(
    surface: pygame.Surface,
    camera: Camera,
    race: Race,
    ranks: np.ndarray,
    stack: np.ndarray,
    chosen: int | None,
    scale: Scale | float = 1.0,
    dry: bool = False,
    avoid: list[pygame.Rect] | None = None,
) -> pygame.Rect | None:
    """The dots of a stack under a click (stack: indices (K,) from stack_at), spread out in a small box beside
    it, top to bottom (at most HINT_ROWS around the chosen one), each in its colour with its number, the chosen
    one ringed, and how to reach the next:
    so a teacher sees that clicking again at the same place picks the next dot. Nothing for fewer than 2.
    Returns the box (dry: only the box, nothing drawn, so that the labels drawn before it keep out of it).
    avoid: the places to keep below (default: those reserved on surface so far: the banner, the messages)."""
    if stack.size < 2:
        return None
    s = as_scale(scale)
    label_font = s.font(11)
    xs, ys = dot_screen_positions(camera, race)
    colours = palette.rank_colours(ranks, race.count)
    row = max(s.px(15), label_font.get_linesize())
    view = camera.view
    rows = max(1, min(HINT_ROWS, (view.height - 4 * row) // row))
    place = int(np.flatnonzero(stack == chosen)[0]) if chosen in stack else 0
    first = min(max(place - rows // 2, 0), max(stack.size - rows, 0))
    shown = stack[first : first + rows]  # a window of the stack around the chosen dot
    footer = (
        f"{place + 1} of {stack.size} · click again: next"
        if chosen in stack
        else f"{stack.size} dots here · click: next"
    )
    width = max(label_font.size(footer)[0], label_font.size(f"#{race.count}")[0] + s.px(20)) + 2 * s.px(6)
    height = (len(shown) + 1) * row + 2 * s.px(4)
    anchor_x = float(np.max(xs[stack])) + s.px(18)
    box = pygame.Rect(int(anchor_x), int(float(np.mean(ys[stack])) - height / 2), width, height)
    if box.right > view.right:
        box.right = int(float(np.min(xs[stack])) - s.px(18))
    box.clamp_ip(view)
    # the banner and the messages over the track view (drawn later) stay clear: the list goes below them, or
    # is not shown while they are there (they go after a few seconds)
    avoid = taken(surface) if avoid is None else avoid
    for other in sorted(avoid, key=lambda rect: rect.bottom):
        if box.colliderect(other):
            box.top = other.bottom + s.px(4)
    if box.bottom > view.bottom or box.collidelist(avoid) >= 0:
        return None
    if dry:
        return box
    pygame.draw.rect(surface, palette.PANEL, box, border_radius=s.px(4))
    pygame.draw.rect(surface, palette.PANEL_EDGE, box, max(1, s.px(1)), border_radius=s.px(4))
    y = box.y + s.px(4)
    for index in shown:
        centre = (box.x + s.px(6) + s.px(DOT_RADIUS), y + row // 2)
        pygame.draw.circle(surface, tuple(int(c) for c in colours[index]), centre, s.px(DOT_RADIUS))
        if index == chosen:
            pygame.draw.circle(surface, palette.SELECTED, centre, s.px(DOT_RADIUS + 3), max(1, s.px(2)))
        colour = palette.TEXT if race.alive[index] else palette.WARNING
        name = f"#{index + 1}" + ("" if race.alive[index] else " ✗")
        draw(
            surface,
            label_font,
            name,
            colour,
            box,
            palette.PANEL,
            midleft=(centre[0] + s.px(DOT_RADIUS + 6), y + row // 2),
        )
        y += row
    shown = fit(label_font, footer, box.width - 2 * s.px(6))
    draw(surface, label_font, shown, palette.TEXT_DIM, box, palette.PANEL, midleft=(box.x + s.px(6), y + row // 2))
    return box
