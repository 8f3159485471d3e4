"""Ghosts: past champions or saved genomes racing beside the live population, never part of it.

They race as races of their own (one per network shape), stepped to the live race's column, so
they change nothing the run computes: no genome, score or random number of the run is touched.
A ghost's race is the same as a drive of its genome alone on the track (each dot's arithmetic is
its own), so its score equals evolution.race.race_scores of that genome there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evolution.racing.network import Network
from evolution.racing.race import Race
from evolution.racing.track import Track
from evolution.run.genome_file import GenomeFile

MAX_GHOSTS = 200  # more would hide the live race


@dataclass(frozen=True)
class Ghost:
    """A genome (D,) that races as a ghost, its label ("gen 12") and its network's layer sizes."""

    label: str
    genome: np.ndarray
    layers: tuple[int, ...]


def ghosts_from_file(saved: GenomeFile, path: Path) -> list[Ghost]:
    """Every genome of a saved file, labelled by the file, rank and generation."""
    return [
        Ghost(f"{path.stem} #{rank + 1} (gen {saved.generation})", np.asarray(genome, np.float64), saved.layers)
        for rank, genome in enumerate(saved.genomes)
    ]


class GhostRace:
    """The ghosts on one track, one Race per network shape; step_to() keeps them at a column."""

    def __init__(self, ghosts: list[Ghost], track: Track, trail_length: int = 0) -> None:
        self.ghosts = list(ghosts)
        self.track = track
        self.races: list[tuple[Race, np.ndarray]] = []  # (race, the ghosts' indices it races)
        for layers in dict.fromkeys(ghost.layers for ghost in self.ghosts):
            members = np.array([i for i, ghost in enumerate(self.ghosts) if ghost.layers == layers])
            genomes = np.stack([self.ghosts[i].genome for i in members])
            self.races.append((Race(genomes, track, Network(layers), trail_length=trail_length), members))

    def step_to(self, column: int) -> None:
        """Race every ghost up to `column` (they never go back)."""
        for race, _ in self.races:
            if race.column < column and not race.done:
                race.run(column - race.column)

    def run(self) -> np.ndarray:
        """Race to the end; the scores (G,)."""
        for race, _ in self.races:
            race.run()
        return self.scores

    @property
    def done(self) -> bool:
        return all(race.done for race, _ in self.races)

    def _gather(self, values) -> np.ndarray:
        out = np.zeros(len(self.ghosts), dtype=np.asarray(values(self.races[0][0])).dtype) if self.races else None
        for race, members in self.races:
            out[members] = values(race)
        return out if out is not None else np.zeros(0)

    @property
    def scores(self) -> np.ndarray:
        """(G,) int64: each ghost's score (final once it is out or done)."""
        return self._gather(lambda race: race.scores)

    @property
    def current_scores(self) -> np.ndarray:
        """(G,) how far each ghost has got."""
        return self._gather(lambda race: race.current_scores)

    @property
    def alive(self) -> np.ndarray:
        return self._gather(lambda race: race.alive)

    @property
    def positions(self) -> np.ndarray:
        return self._gather(lambda race: race.positions)

    @property
    def column(self) -> int:
        return max((race.column for race, _ in self.races), default=0)
