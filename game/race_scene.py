"""What both race views draw: the track view with its camera, the whole-track strip, and a dot's network."""

from __future__ import annotations

import pygame

from evolution.race import Race

from .camera import Camera
from .layout import Layout
from .netview import NetworkView
from .overview import Overview
from .track_view import draw_race, nearest_dot

FRAME_SECONDS = 1 / 60


class RaceScene:
    """The camera, strip and network view of one race on screen, and the dot the user clicked."""

    def __init__(self) -> None:
        self.camera = Camera(pygame.Rect(0, 0, 1, 1))
        self.overview = Overview()
        self.netview = NetworkView()
        self.selected: int | None = None  # the clicked dot, followed instead of the leader

    def arrange(self, layout: Layout, race: Race) -> None:
        """Point the camera at the race for this frame (before anything is drawn)."""
        self.camera.view = layout.view
        self.camera.follow(race.track, race.column, FRAME_SECONDS)

    def click(self, race: Race, position: tuple[int, int], layout: Layout) -> None:
        if layout.view.collidepoint(position):
            self.selected = nearest_dot(self.camera, race, position)

    def draw(self, surface: pygame.Surface, layout: Layout, race: Race) -> None:
        """The track view, the strip and the followed dot's network (the leader's unless one was clicked)."""
        ranks, leader = race.ranking()
        followed = self.selected if self.selected is not None else leader
        draw_race(surface, self.camera, race, ranks, leader, followed, self.selected is not None)
        self.overview.draw(surface, layout.overview, race, self.camera)
        genome = race.genomes[followed]
        activations = race.network.activations(genome[None], race.inputs_of(followed)[None])
        who = f"dot #{followed + 1}" + (" (selected)" if self.selected is not None else " (leader)")
        self.netview.draw(surface, layout.network, race.network, genome, activations, f"network of {who}")
