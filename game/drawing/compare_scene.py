"""What the window draws of runs racing side by side: one track view (or a lane per run) and the strip; and which
dot is followed, whose network the network panel shows (game/panels/netview.py's NetworkPanel, in the layout's
network slot).

Every run's dots race the same track, each run in its colour family (palette.FAMILIES), ranked dark (the
best) to light within it. The followed dot is (run, dot): it changes only when it crashes (its run's leader
takes over), when its run starts a new race (its run's heir: last generation's best), or on a click, which
picks among every run's dots (in lanes, the dots of the lane clicked). The camera follows the followed dot;
in lanes every lane shows the same columns, each keeping its own run's leader in view.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pygame

from evolution.racing.race import Race
from game.drawing import palette
from game.drawing.camera import Camera
from game.drawing.layout import Layout
from game.drawing.overview import Overview
from game.drawing.race_scene import Subject
from game.drawing.scale import Scale
from game.drawing.text import draw, fit
from game.drawing.track_view import (
    PICK_REACH,
    STACK,
    dot_screen_positions,
    draw_corridor,
    draw_dots,
    draw_followed,
    draw_marker,
    draw_sensors,
)

DefaultSubject = Callable[[int, Race], "tuple[int, str] | None"]  # (run, race) -> (dot, why) or None
LANE_GAP = 4  # pixels at 1280×720 between lanes


def lane_rects(view: pygame.Rect, count: int, scale: Scale) -> list[pygame.Rect]:
    """The track view split into `count` stacked lanes, top to bottom, a small gap between them."""
    gap = scale.px(LANE_GAP)
    height = max((view.height - gap * (count - 1)) // count, 1)
    return [pygame.Rect(view.x, view.y + index * (height + gap), view.width, height) for index in range(count)]


class CompareScene:
    """The cameras and strip of several runs' races on one track, and the dot followed (network_subject: its
    network)."""

    def __init__(self, names: list[str], default_subject: DefaultSubject) -> None:
        self.names = names
        self.camera = Camera(pygame.Rect(0, 0, 1, 1))
        self.lane_cameras = [Camera(pygame.Rect(0, 0, 1, 1)) for _ in names]
        self.overview = Overview()
        self.default_subject = default_subject
        self.lanes = False
        self.run = 0  # the followed dot's run
        self.followed = 0  # and its index in that run's race
        self.picked = False
        self.why = ""
        self._races: list[Race | None] = [None] * len(names)
        self._ranks: list[np.ndarray] = [np.zeros(0, dtype=np.int64) for _ in names]
        self._leaders = [0] * len(names)

    @property
    def selected(self) -> tuple[int, int] | None:
        """(run, dot) the user picked, or None."""
        return (self.run, self.followed) if self.picked else None

    @selected.setter
    def selected(self, chosen: tuple[int, int] | None) -> None:
        if chosen is None:
            self.picked, self.why = False, ""
            self._races[self.run] = None  # the default subject again, from the next frame
            return
        self.run, self.followed = chosen
        self.picked, self.why = True, "picked"

    def colours(self, run: int, race: Race) -> np.ndarray:
        """(P, 3) the colours of run `run`'s dots this frame."""
        return palette.family_colours(self._ranks[run], race.count, run)

    def arrange(self, layout: Layout, races: list[Race]) -> None:
        """For this frame: the standings of every run, the subject, and the cameras on them."""
        for run, race in enumerate(races):
            self._ranks[run], self._leaders[run] = race.ranking()
        for run, race in enumerate(races):
            if race is not self._races[run]:
                self._races[run] = race
                if run == self.run:  # the followed run starts a new race: its heir, or its leader
                    chosen = self.default_subject(run, race)
                    self.picked = False
                    self.followed, self.why = chosen if chosen is not None else (self._leaders[run], "leader")
        race = races[self.run]
        if not self.picked and not race.alive[self.followed] and race.alive_count:
            self.followed, self.why = self._leaders[self.run], "leader"  # the subject crashed
        racing = [run for run, other in enumerate(races) if other.alive_count and not other.done and other.column]
        if not self.picked and (race.done or not race.column) and racing and self.run not in racing:
            # its run's race is over (or waits for the others): the leader of a run still racing takes over
            self.run = max(racing, key=lambda run: races[run].alive_count)
            self.followed, self.why = self._leaders[self.run], "leader"
            race = races[self.run]
        alive = race.alive[self.followed] and not race.done
        height = float(race.positions[self.followed]) if alive else None
        self.camera.view = layout.view
        self.camera.follow_dot(race.track, race.column, height)
        for run, (camera, rect) in enumerate(zip(self.lane_cameras, lane_rects(layout.view, len(races), layout.scale))):
            camera.view = rect
            if run == self.run:
                camera.follow_dot(race.track, race.column, height)
                continue
            other = races[run]
            leader = self._leaders[run]
            lead = float(other.positions[leader]) if other.alive[leader] and not other.done else None
            camera.follow_dot(other.track, race.column, lead)  # the followed run's columns, in every lane

    def _cameras(self, races: list[Race]) -> list[tuple[Camera, list[int]]]:
        """(camera, the runs it shows) for each part of the track view."""
        if self.lanes:
            return [(camera, [run]) for run, camera in enumerate(self.lane_cameras)]
        return [(self.camera, list(range(len(races))))]

    def click(self, races: list[Race], position: tuple[int, int], layout: Layout) -> None:
        """Pick the dot under the click among every run's dots shown there (again at one place: the next of a
        stack); empty track: back to the default subject."""
        if not layout.view.collidepoint(position):
            return
        s = layout.scale
        for camera, runs in self._cameras(races):
            if not camera.view.collidepoint(position):
                continue
            near: list[tuple[float, float, int, int]] = []  # (distance, y, run, dot)
            for run in runs:
                xs, ys = dot_screen_positions(camera, races[run])
                distance = np.hypot(xs - position[0], ys - position[1])
                near += [
                    (float(distance[i]), float(ys[i]), run, int(i))
                    for i in np.flatnonzero(distance <= s.fpx(PICK_REACH))
                ]
            if not near:
                self.selected = None
                return
            nearest = min(item[0] for item in near)
            stack = sorted((y, run, dot) for d, y, run, dot in near if d <= nearest + s.fpx(STACK))
            members = [(run, dot) for _, run, dot in stack]
            previous = self.selected
            if previous in members:
                self.selected = members[(members.index(previous) + 1) % len(members)]
            else:
                self.selected = min(((d, run, dot) for d, _, run, dot in near))[1:]
            return

    def draw(self, surface: pygame.Surface, layout: Layout, races: list[Race]) -> None:
        """The track view (one, or a lane per run) and the strip (arrange() ran this frame)."""
        s = layout.scale
        clip = surface.get_clip()
        if self.lanes:  # the gaps between the lanes are the view's too
            surface.fill(palette.BACKGROUND, layout.view)
        for camera, runs in self._cameras(races):
            surface.set_clip(camera.view)
            draw_corridor(surface, camera, races[self.run])
            if self.run in runs:
                draw_sensors(surface, camera, races[self.run], self.followed, s)
            placed = {}
            for run in runs:
                race = races[run]
                xs, ys = dot_screen_positions(camera, race)
                placed[run] = (xs, ys)
                draw_dots(surface, camera, race, self._ranks[run], xs, ys, s, self.colours(run, race))
            for run in runs:
                xs, ys = placed[run]
                leader = self._leaders[run]
                label = f"{self.names[run]} leader"
                centre, colour = (float(xs[leader]), float(ys[leader])), palette.family_colour(run)
                below = run % 2 == 1  # leaders side by side: labels above and below, not on top of each other
                draw_marker(surface, centre, colour, label, below=below and not self.lanes, scale=s)
            if self.run in runs:
                xs, ys = placed[self.run]
                race = races[self.run]
                centre = (float(xs[self.followed]), float(ys[self.followed]))
                colour = palette.family_colour(self.run, 0.3)
                draw_followed(surface, centre, colour, not race.alive[self.followed], s)
                if self.picked:
                    crashed = "" if race.alive[self.followed] else " (crashed)"
                    text = f"{self.names[self.run]} #{self.followed + 1}{crashed}"
                    draw_marker(surface, centre, palette.SELECTED, text, below=True, scale=s)
            if self.lanes:
                race = races[runs[0]]
                label = f"{self.names[runs[0]]} · {race.alive_count} of {race.count} racing"
                name_font = s.font(12, bold=True)
                at = (camera.view.x + s.px(8), camera.view.y + s.px(4))
                shown = fit(name_font, label, camera.view.width - 2 * s.px(8))
                size = name_font.size(shown)
                pygame.draw.rect(surface, palette.PANEL, (*at, *size))
                colour = palette.family_colour(runs[0])
                draw(surface, name_font, shown, colour, camera.view, palette.PANEL, only_if_free=True, topleft=at)
        surface.set_clip(clip)
        self.overview.draw(surface, layout.overview, races[self.run], self.camera, s)

    def network_subject(self, races: list[Race]) -> Subject:
        """What the network panel shows: the followed dot's network, genome, activations and title (its run's
        name, its number and what it is), and whether it crashed."""
        race = races[self.run]
        genome = race.genomes[self.followed]
        activations = race.network.activations(genome[None], race.inputs_of(self.followed)[None])
        title = f"{self.names[self.run]} · dot #{self.followed + 1} · {self.why}"
        return Subject(race.network, genome, activations, title, not race.alive[self.followed])
