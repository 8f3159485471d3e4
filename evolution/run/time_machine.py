"""Going back in a run: a past generation re-raced on the track it raced, its scores checked against the history.

A generation whose whole population the archive kept is re-raced whole, in the order it raced, so it
gives the scores the history recorded (best, mean, finished); one whose population was not kept is
re-raced as its champion alone, whose score must equal the champion's recorded training score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from evolution.errors import InputError
from evolution.racing.network import Network
from evolution.racing.race import Race
from evolution.racing.track import Track
from evolution.racing.track_names import resolve_track
from evolution.run.history import GenerationStats
from evolution.run.settings import parse_value

if TYPE_CHECKING:
    from evolution.run.evolve import Evolution


@dataclass
class Replay:
    """A past generation racing again. whole: its whole population (else its champion alone); expected:
    the history's row; champion_score: the champion's recorded training score; note: what to tell people
    (e.g. the track could not be found again, so the scores are not checked)."""

    generation: int
    race: Race
    whole: bool
    expected: GenerationStats
    champion_score: int
    note: str = ""
    checkable: bool = True  # raced on the very track it raced then

    def verdict(self) -> tuple[bool | None, str]:
        """Once the race is done: (True if the scores equal the recorded ones, the text to show); None before,
        or when the track is not the one raced then."""
        race = self.race
        if not race.done:
            return None, "racing…"
        scores = race.scores
        if self.whole:
            best, mean, finished = int(scores.max()), float(scores.mean()), int((scores >= race.track.finish).sum())
            text = f"best {best} · mean {mean:.2f} · finished {finished}"
            same = (best, mean, finished) == (self.expected.best, self.expected.mean, self.expected.finished)
        else:
            text = f"champion {int(scores[0])}"
            same = int(scores[0]) == self.champion_score
        if not self.checkable:
            return None, f"{text} (not the track it raced: not checked)"
        return same, f"{text} {'= recorded ✓' if same else '≠ recorded ✗'}"


def layers_at(evolution: Evolution, generation: int) -> tuple[int, ...]:
    """The network's layer sizes the run raced at `generation` (the lab may have changed them)."""
    changes = [event for event in evolution.state.events if event.setting == "layers"]
    for event in reversed(changes):
        if event.generation <= generation:
            return tuple(parse_value("layers", event.new))
    return tuple(parse_value("layers", changes[0].old)) if changes else tuple(evolution.config.layers)


def track_of(evolution: Evolution, generation: int) -> tuple[Track, str, bool]:
    """(the track `generation` raced, a note, whether it is that very track): the run's own tracks first,
    then rebuilt from its name; a file that cannot be read again gives the current track, and says so."""
    name = evolution.state.archive.track_name(generation)
    if name is None:
        return evolution.track, f"the track of gen {generation} is not known: racing {evolution.track.name}", False
    for track in [evolution.track, *evolution.last_tracks]:
        if track.name == name:
            return track, "", True
    try:
        return resolve_track(name), "", True
    except InputError:
        note = f"track {name} cannot be found again: racing {evolution.track.name}, scores not checked"
        return evolution.track, note, False


def replay(evolution: Evolution, generation: int, trail_length: int = 0) -> Replay:
    """A Race of past generation `generation` (ValueError if it has not closed yet)."""
    archive = evolution.state.archive
    kept = archive.champion(generation)
    if kept is None or not 0 <= generation < len(evolution.history):
        raise ValueError(f"generation {generation} has not been raced yet")
    score, champion = kept
    population = archive.population(generation)
    genomes = population if population is not None else champion[None]
    track, note, same = track_of(evolution, generation)
    network = Network(layers_at(evolution, generation))
    if network.genome_size != genomes.shape[1]:
        raise ValueError(f"generation {generation}'s genomes do not fit its network")
    if population is None:
        note = note or f"gen {generation}'s population was not kept: its champion races alone"
    race = Race(genomes, track, network, trail_length=trail_length)
    expected = evolution.history.row(generation)
    return Replay(generation, race, population is not None, expected, score, note, same)
