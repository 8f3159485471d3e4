"""What the race views draw: the track view with its camera and the whole-track strip; and which dot is followed,
whose network the network panel shows (game/panels/netview.py's NetworkPanel, in the layout's network slot).

The dot whose network is shown (the subject) changes only when it crashes, when a new race starts, or
when the user clicks: a new race starts with the view's default subject (last generation's best, in
an evolving run); a subject that crashes hands over to the leader of that moment, unless the user
picked it, in which case it stays, marked as crashed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pygame

from evolution.racing.network import Network
from evolution.racing.race import Race
from game.drawing import palette
from game.drawing.camera import Camera
from game.drawing.layout import Layout
from game.drawing.overview import Overview
from game.drawing.scale import as_scale
from game.drawing.text import reserve, taken
from game.drawing.track_view import DOT_RADIUS, dot_screen_positions, draw_race, draw_stack_hint, pick_dot, stack_at


# (race) -> (index, what it is) of the dot to follow when a race starts, or None for the leader
class Subject(NamedTuple):
    """What a network panel shows: one dot's network, genome (G,), activations (per layer (1, size)), title, and
    whether the dot has crashed."""

    network: Network
    genome: np.ndarray
    activations: list[np.ndarray] | None
    title: str
    crashed: bool = False


DefaultSubject = Callable[[Race], "tuple[int, str] | None"]


class RaceScene:
    """The camera and strip of one race on screen, and the dot followed (network_subject: its network)."""

    def __init__(self, default_subject: DefaultSubject = lambda race: None) -> None:
        self.camera = Camera(pygame.Rect(0, 0, 1, 1))
        self.overview = Overview()
        self.default_subject = default_subject
        self.followed: int | None = None
        self.picked = False  # the user clicked the followed dot
        self.why = ""  # what the followed dot is, for the network panel's title
        self.origin: Callable[[Race, int], str] | None = None  # where a dot's genome came from, for the title
        self.colours: Callable[[Race, np.ndarray], np.ndarray] | None = None  # (race, ranks) -> (N, 3); None: by rank
        self._race: Race | None = None
        self._ranks = np.zeros(0, dtype=np.int64)
        self._leader = 0
        self._stack = np.zeros(0, dtype=np.int64)  # the dots under the last click, while the race lasts

    @property
    def selected(self) -> int | None:
        """The dot the user picked, or None."""
        return self.followed if self.picked else None

    @selected.setter
    def selected(self, index: int | None) -> None:
        self.followed, self.picked = index, index is not None
        self.why = "picked" if index is not None else ""
        if index is None:
            self._race = None  # the default subject again, from the next frame

    def arrange(self, layout: Layout, race: Race) -> None:
        """For this frame: the subject (see the module's docstring), the standings, and the camera on them."""
        self._ranks, self._leader = race.ranking()
        if race is not self._race:
            self._race, self.picked, self._stack = race, False, np.zeros(0, dtype=np.int64)
            chosen = self.default_subject(race)
            self.followed, self.why = chosen if chosen is not None else (self._leader, "leader")
        elif not self.picked and not race.alive[self.followed] and race.alive_count:
            self.followed, self.why = self._leader, "leader"  # the subject crashed: the leader takes over
        self.camera.view = layout.view
        alive = race.alive[self.followed] and not race.done
        self.camera.follow_dot(race.track, race.column, float(race.positions[self.followed]) if alive else None)

    def network_subject(self, race: Race) -> Subject | None:
        """What the network panel shows of race: the followed dot's network, genome, activations and title, and
        whether it crashed (None before arrange has chosen a dot)."""
        followed = self.followed
        if followed is None or not 0 <= followed < race.count:
            return None
        genome = race.genomes[followed]
        activations = race.network.activations(genome[None], race.inputs_of(followed)[None])
        origin = self.origin(race, followed) if self.origin is not None else ""
        title = f"dot #{followed + 1}: {origin}" if origin else f"dot #{followed + 1} · {self.why}"
        return Subject(race.network, genome, activations, title, not bool(race.alive[followed]))

    def click(self, race: Race, position: tuple[int, int], layout: Layout) -> None:
        """Pick the dot under the click (the next of a stack on a repeated click); empty track: back to default."""
        if not layout.view.collidepoint(position):
            return
        previous = self.followed if self.picked else None
        chosen = pick_dot(self.camera, race, position, previous, layout.scale)
        if chosen is None:
            self.selected = None
            return
        self._stack, _ = stack_at(self.camera, race, position, layout.scale)
        self.followed, self.picked, self.why = chosen, True, "picked"

    def draw(self, surface: pygame.Surface, layout: Layout, race: Race) -> None:
        """The track view and the strip (arrange() ran this frame)."""
        followed, scale = self.followed, layout.scale
        colours = self.colours(race, self._ranks) if self.colours is not None else None
        avoid = taken(surface)  # the banner's and the messages' places: the stack's list keeps below them
        if self.picked and self._stack.size > 1:  # the stack's list is drawn last: the labels keep out of it
            box = draw_stack_hint(surface, self.camera, race, self._ranks, self._stack, followed, scale, True, avoid)
            if box is not None:
                reserve(surface, box)
        draw_race(surface, self.camera, race, self._ranks, self._leader, followed, self.picked, scale, colours)
        if self.picked and self._stack.size > 1:
            draw_stack_hint(surface, self.camera, race, self._ranks, self._stack, followed, scale, avoid=avoid)
        self.overview.draw(surface, layout.overview, race, self.camera, scale)

    def draw_leader_on_top(self, surface: pygame.Surface, race: Race, scale) -> None:
        """The leader's ring again, over what was drawn after the race (ghosts): never hidden."""
        if race.alive_count and race.alive[self._leader] and len(self._ranks) == race.count:
            xs, ys = dot_screen_positions(self.camera, race)
            clip = surface.get_clip()
            surface.set_clip(self.camera.view)
            centre = (float(xs[self._leader]), float(ys[self._leader]))
            # the ring alone: its label keeps the place it was given, which the ghosts' labels leave free
            s = as_scale(scale)
            pygame.draw.circle(surface, palette.ACCENT, centre, s.px(DOT_RADIUS + 5), max(2, s.px(2)))
            surface.set_clip(clip)
