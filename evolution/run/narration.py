"""What is happening in a run, in plain words: events found from the run's own numbers, each with a caption.

A Narrator watches a run (its Evolution and the race on screen) and returns Notes: a race starts, the
leader crashes, everyone is out, a generation closes (the strategy says what it does now, in its own words:
Strategy.explain), a new best, the first finisher, half the dots finish, the champion finishes the test track,
overfitting shows, a setting changes. A test drive's start and end are said by test_drive_started/ended.
Every number in a caption is the run's own. Three of the events are milestones (MILESTONES): the Narrator
remembers the generation of each, for a banner and a mark on the chart. Nothing here draws or changes a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from evolution.racing.track import SENSORS
from evolution.run.settings import setting

if TYPE_CHECKING:
    from evolution.racing.race import Race
    from evolution.run.evolve import Evolution
    from evolution.run.history import GenerationStats
    from evolution.run.settings import SettingEvent

KINDS = (
    "race_start",
    "leader_crash",
    "all_out",
    "closed",
    "new_best",
    "first_finisher",
    "half_finish",
    "test_finish",
    "overfitting",
    "setting",
    "test_drive_start",
    "test_drive_end",
    "then_and_now",
)
MILESTONES = {"first_finisher": "first finisher", "half_finish": "half finish", "test_finish": "test track finished"}
OVERFIT_GENERATIONS = 5  # training finished this many generations in a row while the test stays low: overfitting
OVERFIT_SHARE = 0.5  # "low": the champion gets less than this share of the test track


def input_names() -> list[str]:
    """The network's inputs in words, in its order: the speed, then the top and bottom barrier at each sensor."""
    names = ["speed"]
    for ahead in SENSORS:
        where = "here" if ahead == 0 else f"{ahead} ahead"
        names += [f"top barrier, {where}", f"bottom barrier, {where}"]
    return names


def neuron_words(layer: int, index: int, layers: tuple[int, ...], value: float) -> str:
    """One line on a neuron of the followed dot's network and its value now (layer 0: an input)."""
    if layer == 0:
        if index == 0:
            return f"input: speed {value:+.2f} now (up is +, down is -)"
        return f"input: {input_names()[index]}: {value:+.2f} now (the dot's height minus the barrier's)"
    if layer == len(layers) - 1:
        force = value - 0.5
        towards = "top" if force > 0 else "bottom"
        return f"output: {value:.2f} now, a steering force of {force:+.2f} (towards the {towards} barrier)"
    return f"hidden neuron {index + 1} of layer {layer}: {value:.2f} now (0 silent, 1 fully on)"


def weight_words(layer: int, source: int, target: int, layers: tuple[int, ...], weight: float) -> str:
    """One line on a weight of the followed dot's network."""
    first = input_names()[source] if layer == 0 else f"hidden neuron {source + 1} of layer {layer}"
    last = "the output" if layer + 1 == len(layers) - 1 else f"hidden neuron {target + 1} of layer {layer + 1}"
    effect = "pushes it up" if weight > 0 else "holds it down"
    return f"weight from {first} to {last}: {weight:+.2f} ({effect}; evolution tunes it)"


def generation_words(row: GenerationStats) -> str:
    """One line on a point of the chart: a generation's numbers."""
    share = row.best / max(row.finish, 1)
    text = f"generation {row.generation}: best {row.best} of {row.finish} ({share:.0%}), {row.finished} finished"
    if row.test_best >= 0:
        text += f", champion on the test track {row.test_best} of {row.test_finish}"
    return text


def dot_words(index: int, alive: bool, score: int, finish: int, place: int, count: int) -> str:
    """One line on a dot of the race."""
    if not alive:
        state = "finished" if score >= finish else f"crashed at column {score}"
    else:
        state = f"driving, at column {score} of {finish}"
    return f"dot #{index + 1}: {state}, in place {place} of {count}"


@dataclass(frozen=True)
class Note:
    """One thing that happened: its kind (KINDS), the generation it belongs to, and its caption."""

    kind: str
    generation: int
    text: str
    run: str = ""  # the run's name when several race side by side (a comparison)

    @property
    def milestone(self) -> bool:
        return self.kind in MILESTONES


def dots(count: int) -> str:
    return f"{count} dot" if count == 1 else f"{count} dots"


def race_started(generation: int, count: int, track: str, finish: int) -> Note:
    if generation == 0:
        text = (
            f"Generation 0 starts: {count} dots with random networks try the {track} track ({finish} columns). "
            "Nobody has learned anything yet, so most crash soon."
        )
    else:
        text = (
            f"Generation {generation} starts: {count} dots, bred from the last generation's best, drive the "
            f"{track} track ({finish} columns). Will they get farther?"
        )
    return Note("race_start", generation, text)


def leader_crashed(generation: int, dot: int, column: int, finish: int, alive: int) -> Note:
    text = (
        f"The leader, dot {dot}, crashed at column {column} of {finish}: its network steered into a barrier. "
        f"{dots(alive)} still driving."
    )
    return Note("leader_crash", generation, text)


def all_out(generation: int, best: int, finish: int, finished: int, count: int) -> Note:
    if finished:
        text = f"The race is over: {finished} of {count} dots reached the finish (column {finish})."
    else:
        text = f"Everyone is out: the farthest got to column {best} of {finish}. Now the best become parents."
    return Note("all_out", generation, text)


def closed(row: GenerationStats, explanation: str) -> Note:
    text = f"Generation {row.generation} is scored: best {row.best} of {row.finish}, {row.finished} finished. "
    return Note("closed", row.generation, text + explanation)


def new_best(row: GenerationStats, old: int) -> Note:
    text = (
        f"New best! A dot of generation {row.generation} got to column {row.best} of {row.finish}, farther than "
        f"any before (the old best was {old})."
    )
    return Note("new_best", row.generation, text)


def first_finisher(row: GenerationStats) -> Note:
    text = (
        f"First finisher! In generation {row.generation}, {dots(row.finished)} drove the whole track "
        f"({row.finish} columns) without touching a barrier."
    )
    return Note("first_finisher", row.generation, text)


def half_finish(row: GenerationStats, count: int) -> Note:
    text = (
        f"Half the dots finish! In generation {row.generation}, {row.finished} of {count} reached the end: the "
        "population as a whole has learned this track."
    )
    return Note("half_finish", row.generation, text)


def test_finish(row: GenerationStats) -> Note:
    text = (
        f"Generation {row.generation}'s champion drove the whole test track ({row.test_finish} columns), a track "
        "it had never seen: it has learned to drive, not just to remember one track."
    )
    return Note("test_finish", row.generation, text)


def overfitting(row: GenerationStats, generations: int) -> Note:
    text = (
        f"Overfitting: for {generations} generations the champion has finished the training track, yet on the "
        f"test track it gets only {row.test_best} of {row.test_finish}. It learned this track, not driving."
    )
    return Note("overfitting", row.generation, text)


def setting_changed(event: SettingEvent) -> Note:
    spec = setting(event.setting)
    what = spec.title or spec.name
    text = (
        f"A setting changed at generation {event.generation}: {what} ({spec.name}) is now {event.new}, was "
        f"{event.old}. From now on {spec.describe(event.value)}."
    )
    return Note("setting", event.generation, text)


def test_drive_started(generation: int, count: int, track: str, finish: int) -> Note:
    text = (
        f"Test drive: the best {count} of generation {generation} drive the {track} track ({finish} columns), "
        "which they never trained on. Do they really drive, or only know their own track?"
    )
    return Note("test_drive_start", generation, text)


def test_drive_ended(generation: int, finished: int, count: int, best: int, finish: int) -> Note:
    if finished:
        text = f"Test drive over: {finished} of {count} reached the end of the unseen track ({finish} columns)."
    else:
        text = f"Test drive over: none of {count} finished; the farthest got to column {best} of {finish}."
    return Note("test_drive_end", generation, text)


def then_and_now(then: int, now: int, count_then: int, count_now: int, track: str, same_network: bool) -> Note:
    same = (
        "Same network, same track: only the weights evolution found differ."
        if same_network
        else ("Their networks have different shapes (the run changed it between them).")
    )
    text = (
        f"Then and now: all {count_then} dots of generation {then} race beside all {count_now} of generation {now} "
        f"on the {track} track. {same}"
    )
    return Note("then_and_now", now, text)


def then_and_now_lap(then: int, now: int, finished: tuple[int, int], counts: tuple[int, int]) -> Note:
    text = (
        f"Lap over: {finished[0]} of {counts[0]} dots of generation {then} finished, and {finished[1]} of "
        f"{counts[1]} of generation {now}. That difference is what {now - then} generations of evolution learned."
    )
    return Note("then_and_now", now, text)


@dataclass
class Narrator:
    """Finds a run's events from its numbers, frame by frame (watch). milestones: kind -> generation."""

    milestones: dict[str, int] = field(default_factory=dict)
    _race: object = None
    _leader: int = -1
    _out_said: bool = False
    _rows: int = 0
    _reported: int = 0
    _events: int = 0
    _best: int = -1
    _overfit_said: bool = False

    def watch(self, evolution: Evolution, race: Race, generation: int) -> list[Note]:
        """The notes since the last call: `race` is the race on screen, of generation `generation`."""
        notes: list[Note] = []
        events = evolution.state.events
        notes += [setting_changed(event) for event in events[self._events :]]
        self._events = len(events)
        notes += self._rows_closed(evolution)
        notes += self._race_notes(race, generation)
        return notes

    def _race_notes(self, race: Race, generation: int) -> list[Note]:
        notes = []
        finish = race.track.finish
        if race is not self._race:
            self._race, self._leader, self._out_said = race, -1, False
            notes.append(race_started(generation, race.count, race.track.name, finish))
        if self._leader >= 0 and not race.alive[self._leader] and race.alive_count and race.column < finish:
            column = int(race.scores[self._leader])
            notes.append(leader_crashed(generation, self._leader, column, finish, race.alive_count))
            self._leader = -1
        if self._leader < 0 and race.alive_count and not race.done:
            self._leader = race.ranking()[1]
        if race.done and not self._out_said:
            self._out_said = True
            scores = race.current_scores
            notes.append(all_out(generation, int(scores.max()), finish, int((scores >= finish).sum()), race.count))
        return notes

    def _rows_closed(self, evolution: Evolution) -> list[Note]:
        notes: list[Note] = []
        history = evolution.history
        population = evolution.config.population
        while self._rows < len(history):
            row = history.row(self._rows)
            self._rows += 1
            if self._best >= 0 and row.best > self._best:
                notes.append(new_best(row, self._best))
            self._best = max(self._best, row.best)
            if row.finished and "first_finisher" not in self.milestones:
                self.milestones["first_finisher"] = row.generation
                notes.append(first_finisher(row))
            if 2 * row.finished >= population and "half_finish" not in self.milestones:
                self.milestones["half_finish"] = row.generation
                notes.append(half_finish(row, population))
            if self._rows == len(history):  # what breeding does now: said for the latest only
                notes.append(closed(row, evolution.strategy.explain(evolution.state.strategy, evolution.generation)))
        while self._reported < evolution.state.reported:
            row = history.row(self._reported)
            self._reported += 1
            notes += self._test_notes(history, row)
        return notes

    def _test_notes(self, history, row: GenerationStats) -> list[Note]:
        if row.test_best < 0 or row.test_finish <= 0:
            return []
        if row.test_best >= row.test_finish:
            self._overfit_said = False
            if "test_finish" not in self.milestones:
                self.milestones["test_finish"] = row.generation
                return [test_finish(row)]
            return []
        first = row.generation - OVERFIT_GENERATIONS + 1
        if self._overfit_said or first < 0:
            return []
        finished = history.column("finished")[first : row.generation + 1]
        test = history.column("test_best")[first : row.generation + 1]
        if (finished > 0).all() and (test < OVERFIT_SHARE * row.test_finish).all() and (test >= 0).all():
            self._overfit_said = True
            return [overfitting(row, OVERFIT_GENERATIONS)]
        return []
