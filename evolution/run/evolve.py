"""An evolution run: the strategy asks for a population, a race scores it, the strategy is told.

The same object drives a headless run (run_generation) and the live window, which steps the
Race that next_race() returns a few columns per frame and hands it back to close_generation(),
in slices. Words for ending: a race is *done*, a generation is *closed*, a run is *complete*.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from evolution.breeding.seeds import SEEDS
from evolution.breeding.selection import selection_scores
from evolution.breeding.strategies import STRATEGIES, Strategy, make_strategy, rank_order
from evolution.interrupts import atomic
from evolution.racing.network import Network
from evolution.racing.race import SLICE_SECONDS, Race, StackedRace, in_slices
from evolution.racing.track import Track, blog_test_track, random_track
from evolution.run.champion_drives import STEPS_PER_GENERATION, ChampionDrives
from evolution.run.climb import level_up
from evolution.run.genome_file import GenomeFile
from evolution.run.history import GenerationStats
from evolution.run.lab import (
    apply_due,
    cancel_change,
    change_track_now,
    command_line,
    saved_settings,
    schedule_change,
    schedule_changes,
)
from evolution.run.reporters import Reporter, tell_all
from evolution.run.run_state import BEST_EVER, RunState
from evolution.run.settings import (
    RUN_SETTINGS,
    SettingEvent,
    current_value,
    knob_names,
    knobs,
    normal_knobs,
    settings_table,
    strategy_defaults,
)

STACKED_DOTS = 1000  # up to this many dots, a generation's extra tracks are raced together


@dataclass(frozen=True)
class ExtraResults:
    """A generation's extra tracks raced elsewhere: the tracks (Evolution.pending_extra_tracks()) and per
    track the scores (P,) int64 and, when the run weighs safety, the safety (P,) float64."""

    tracks: tuple[Track, ...]
    scores: tuple[np.ndarray, ...]
    safety: tuple[np.ndarray, ...] = ()


def _default(name: str):
    return RUN_SETTINGS[name].default


@dataclass(frozen=True)
class RunConfig:
    """The settings of a run that decide its numbers. Their defaults and ranges are the settings table's
    (evolution/run/settings.py RUN_SETTINGS); a field left None whose default is the strategy's own (mutation_rate,
    extra_tracks, safety_weight) is given its strategy's value (settings.strategy_defaults)."""

    population: int = _default("population")
    layers: tuple[int, ...] = _default("layers")
    mutation_rate: float | None = None  # None (here and below): the strategy's default, filled in when made
    strategy: str = _default("strategy")
    seed: int = _default("seed")
    generations: int | None = _default("generations")  # the last generation's number; None: no limit
    extra_tracks: int | None = None  # fresh random tracks each generation is also scored on
    extra_track_columns: int = _default("extra_track_columns")  # longer than the random default: a stricter test
    test_curve: bool = _default("test_curve")  # drive each generation's champion on the test track
    safety_weight: float | None = None  # with extra tracks: how much keeping off the barriers adds to selection
    # the strategy's knobs that differ from its defaults, as (name, value) pairs in its order (a mapping is
    # taken too); only its own may be set (Strategy.knobs)
    knobs: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.knobs, tuple):
            knobs = self.knobs
            if not isinstance(knobs, Mapping) and not all(isinstance(pair, (tuple, list)) for pair in knobs):
                raise ValueError("knobs must be (name, value) pairs")
            object.__setattr__(self, "knobs", tuple(tuple(pair) for pair in (knobs.items() if isinstance(
                knobs, Mapping) else knobs)))  # fmt: skip
        RUN_SETTINGS["strategy"].check(self.strategy)
        for name, value in strategy_defaults(self.strategy).items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        for field in fields(self):
            if field.name in RUN_SETTINGS:  # (normal_knobs checks the knobs)
                RUN_SETTINGS[field.name].check(getattr(self, field.name))
        Network(self.layers)
        object.__setattr__(self, "knobs", normal_knobs(self.strategy, self.knobs))

    def knob(self, name: str) -> Any:
        """The value the run set for one of its strategy's knobs, None if it left it at the default."""
        return dict(self.knobs).get(name)

    def plain(self) -> dict[str, Any]:
        """Its fields as JSON values (layers a list, each knob set a field of its own): a checkpoint's "config",
        a study's configs."""
        plain = {field.name: getattr(self, field.name) for field in fields(self) if field.name != "knobs"}
        return {**plain, "layers": [int(size) for size in self.layers], **dict(self.knobs)}

    @classmethod
    def from_plain(cls, plain: Any) -> RunConfig:
        """A config from plain() (a field left out takes its default; an older file's knobs of other strategies,
        null, are let be); ValueError naming what is wrong."""
        names = [field.name for field in fields(cls) if field.name != "knobs"]
        strategy = plain.get("strategy", RUN_SETTINGS["strategy"].default) if isinstance(plain, dict) else None
        own = set(STRATEGIES[strategy].knob_names()) if strategy in STRATEGIES else set()
        others = set(knob_names())
        extra = {k: v for k, v in plain.items() if k not in names} if isinstance(plain, dict) else {}
        if not isinstance(plain, dict) or any(
            k not in own and not (k in others and v is None) for k, v in extra.items()
        ):
            raise ValueError(f"the config must be an object of settings among {', '.join([*names, *sorted(own)])}")
        layers = plain.get("layers", RUN_SETTINGS["layers"].default)
        fixed = {k: v for k, v in plain.items() if k in names}
        knobs = {k: v for k, v in extra.items() if k in own}
        return cls(**{**fixed, "layers": tuple(layers) if isinstance(layers, list) else layers}, knobs=knobs)


class Evolution:
    """A run in progress: the config and track it races, its state, and the reporters that watch it."""

    def __init__(
        self,
        config: RunConfig,
        track: Track,
        reporters: list[Reporter] | None = None,
        state: RunState | None = None,
        seconds_so_far: float = 0.0,
    ) -> None:
        """A fresh run, or (with state) one that goes on from a checkpoint; the log's seconds count on
        from seconds_so_far."""
        self.config = config
        self.track = track
        self.reporters: list[Reporter] = reporters if reporters is not None else []
        self.network = Network(config.layers)
        self.strategy = make_strategy(
            config.strategy, self.network.genome_size, config.population, config.mutation_rate, **knobs(config)
        )
        self.initial_config = config if state is None else None  # what a fresh run started with
        self.state = state if state is not None else RunState.fresh(config.seed, self.strategy)
        self._lock = threading.RLock()  # guards state.scheduled: the window schedules while a thread may ask
        self.test_track = blog_test_track()
        self.champion_drives = ChampionDrives(self.test_track, self.network, self.state.champions)
        self.last_tracks: list[Track] = []  # the tracks the latest generation was scored on, its own first
        self.torn: BaseException | None = None  # an error that left the state half changed (see _changing)
        self._work: tuple[str, Race | StackedRace | None] | None = None  # what closing is doing (closing_work)
        self._clock_start = time.perf_counter() - seconds_so_far

    @property
    def generation(self) -> int:
        """The number of the next race (0 is the random population)."""
        return self.state.generation

    @property
    def history(self):
        return self.state.history

    @property
    def raced_all(self) -> bool:
        """True once the configured number of generations (0..N) has been raced."""
        return self.config.generations is not None and self.state.generation > self.config.generations

    @property
    def complete(self) -> bool:
        """True when every generation has been raced and reported (the champions' test drives done)."""
        return self.raced_all and self.state.reported == self.state.generation

    def next_race(self, trail_length: int = 0) -> Race:
        """The race of the next generation; asking again before it closes re-races the same genomes."""
        state = self.state
        if state.pending is None:
            # a change scheduled meanwhile (from another thread) waits for the next generation; a signal waits for
            # the block's end: cut in two, the strategy's generator would have drawn a population the state lacks,
            # or the population its extra tracks (a checkpoint then saved did not load back)
            with self._lock, atomic():
                if state.scheduled:
                    apply_due(self)  # the changes due now, before the strategy is asked
                state.pending = self.strategy.ask(state.strategy)
                state.archive.note_origins(state.generation, self.strategy.last_origins)  # draws nothing
                # the extra tracks are drawn with the population, so a resumed generation races the same ones
                state.pending_track_seeds = state.track_rng.integers(SEEDS, size=self.config.extra_tracks)
        return Race(state.pending, self.track, self.network, trail_length=trail_length)

    def pending_extra_tracks(self) -> list[Track]:
        """The fresh random tracks the pending generation is also scored on (none without extra tracks)."""
        seeds = self.state.pending_track_seeds
        if self.state.pending is None or seeds is None:
            raise ValueError("no generation is pending: call next_race() first")
        return [random_track(int(seed), self.config.extra_track_columns) for seed in seeds]

    def close_generation(
        self, race: Race, extra: ExtraResults | None = None, slice_seconds: float | None = SLICE_SECONDS
    ) -> Iterator[None]:
        """The rest of a generation after its main race, in slices: it yields between them.

        The genomes also race K fresh random tracks (their mean share of each track finished, and
        for finishers their safety, then decides selection); the strategy is told; the champion
        joins the test-track queue, whose batch advances a little; generations whose row is
        complete are reported. Drained at once headless; a slice per frame budget in the window.
        `extra`: the extra tracks already raced elsewhere (with other runs' dots, see evolution/many/sweep.py).
        `slice_seconds`: the work between yields; None races each race whole (headless: no clock to read).
        """
        state = self.state
        if not race.done or race.genomes is not state.pending:
            raise ValueError("close_generation() takes the done race of the pending generation")
        scores = race.scores
        tracks = [race.track]
        extra_scores: list[np.ndarray] = []
        extra_safety: list[np.ndarray] = []
        weight = self.config.safety_weight
        if self.config.extra_tracks:
            extra_tracks = list(extra.tracks) if extra is not None else self.pending_extra_tracks()
            if extra is not None:
                if len(extra.scores) != len(extra_tracks) or (weight > 0 and len(extra.safety) != len(extra_tracks)):
                    raise ValueError("the extra results must hold every extra track's scores (and safety)")
                extra_scores, extra_safety = list(extra.scores), list(extra.safety)
            else:
                # a small population races all its extra tracks in one race, in little more time than one;
                # a large one gains nothing from that, and builds smaller races one at a time
                together = len(race.genomes) * len(extra_tracks) <= STACKED_DOTS
                for number, group in enumerate([extra_tracks] if together else [[track] for track in extra_tracks]):
                    stacked = StackedRace(race.genomes, group, self.network, measure_safety=weight > 0)
                    what = (
                        f"{len(extra_tracks)} fresh tracks"
                        if together
                        else f"fresh track {number + 1} of {len(extra_tracks)}"
                    )
                    self._work = (f"generation {state.generation} also races {what} it has never seen", stacked)
                    yield from in_slices(stacked, slice_seconds)
                    self._work = None
                    extra_scores += stacked.per_track_values(stacked.scores)
                    if weight > 0:
                        extra_safety += stacked.per_track_values(stacked.safety())
            tracks += extra_tracks
        selection = selection_scores(
            scores,
            race.track.finish,
            extra_scores,
            [track.finish for track in tracks[1:]],
            extra_safety if weight > 0 else None,
            weight,
        )
        order = rank_order(selection)
        # What the generation changes is worked out first (the strategy told on a copy of its state: a tell
        # only replaces its state's fields), so that an error there leaves the state as it was, still pending.
        told = copy.copy(state.strategy)
        self.strategy.tell(told, race.genomes, selection)
        ranked_genomes, ranked_scores = race.genomes[order], scores[order]
        stats = GenerationStats.from_scores(
            state.generation, scores, race.track.finish, time.perf_counter() - self._clock_start
        )
        # Then the run's state changes, with no yield in between and no signal cutting in (atomic): an
        # interrupted generation leaves the state as it was before it, still pending.
        with atomic(), self._changing():
            state.strategy = told
            state.ranked_genomes, state.ranked_scores = ranked_genomes, ranked_scores
            state.archive.keep(state.generation, race.genomes, order, scores, race.track.name)
            self._keep_best_ever()
            self.last_tracks = tracks
            state.pending = state.pending_track_seeds = None
            state.history.append(stats)
            if self.config.test_curve:
                state.champions.add(state.generation, state.ranked_genomes[0])
            state.generation += 1
        level_up(self, race.track, scores)  # endless mode: half finished, the next level comes next generation
        self._work = ("the champions drive the test track, one they never train on", None)
        yield from self.champion_drives.advance(STEPS_PER_GENERATION, slice_seconds)
        self._work = None
        self._report_ready()

    def _keep_best_ever(self) -> None:
        state = self.state
        scores = np.concatenate([state.best_ever_scores, state.ranked_scores[:BEST_EVER]])
        keep = rank_order(scores)[:BEST_EVER]
        # the rows kept, copied straight from where they are: no joined copy of both (20 large genomes less)
        old = len(state.best_ever_scores)
        genomes = np.empty((len(keep), state.ranked_genomes.shape[1]))
        for row, index in enumerate(keep.tolist()):
            genomes[row] = state.best_ever_genomes[index] if index < old else state.ranked_genomes[index - old]
        state.best_ever_genomes, state.best_ever_scores = genomes, scores[keep]

    def finish_test_drives(self, slice_seconds: float | None = SLICE_SECONDS) -> Iterator[None]:
        """Finish every champion's test drive and report what is left, in slices."""
        self._work = ("the last champions drive the test track", None)
        yield from self.champion_drives.advance(None, slice_seconds)
        self._work = None
        self._report_ready()

    def closing_work(self) -> tuple[str, float] | None:
        """What the closing of a generation is doing now, in words, and how far it has got (0 to 1); None when
        it is doing nothing that takes long. Read by the window, so that a closing generation never looks frozen."""
        if self._work is None:
            return None
        text, race = self._work
        race = race if race is not None else self.champion_drives.batch
        if race is None:
            return None
        return text, min(race.column / max(race.track.finish, 1), 1.0)

    def finish_test_drives_now(self) -> None:
        """finish_test_drives() all at once."""
        for _ in self.finish_test_drives(slice_seconds=None):
            pass

    def _report_ready(self) -> None:
        """Hand the reporters every generation whose row is complete, in order."""
        state = self.state
        while state.reported < state.generation:
            generation = state.reported
            with atomic(), self._changing():
                if self.config.test_curve:
                    result = state.champions.result(generation)
                    if result is None:
                        return
                    state.champions.forget(generation)
                    state.history.set(generation, "test_best", result)
                    state.history.set(generation, "test_finish", self.test_track.finish)
                state.reported += 1
            # Every reporter is told of the row, whatever another did (a progress line to a closed pipe), and no
            # signal comes in between: the log has every row the state counts as reported.
            with atomic():
                tell_all(self.reporters, "end_generation", self, state.history.row(generation))

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """A block that changes the run's state: an error inside it leaves the state torn (half changed), which is
        then never checkpointed nor saved (self.torn holds the error)."""
        try:
            yield
        except BaseException as exc:
            self.torn = exc
            raise

    def close_generation_now(self, race: Race, extra: ExtraResults | None = None) -> GenerationStats:
        """Close a done race's generation at once; returns its statistics (test_best may come later)."""
        for _ in self.close_generation(race, extra, slice_seconds=None):
            pass
        return self.state.history.last()

    def run_generation(self) -> GenerationStats:
        """Race and score one whole generation at once."""
        race = self.next_race()
        race.run()
        return self.close_generation_now(race)

    def heir(self, race: Race) -> tuple[int, str] | None:
        """The genome of `race` (the pending generation's) that stands for last generation's best, and how:
        its best carried over unchanged, or snes's mean, or the genome nearest to it (the child of the best,
        as a rule). None for the first generation or another race."""
        state = self.state
        if state.ranked_genomes is None or race.genomes is not state.pending:
            return None
        heir = self.strategy.heir()
        if heir is not None:
            return heir
        best = state.ranked_genomes[0]
        same = np.flatnonzero((race.genomes == best).all(axis=1))
        if same.size:
            return int(same[0]), "last gen's best, kept"
        nearest = int(np.argmin(((race.genomes - best) ** 2).sum(axis=1)))
        return nearest, "nearest to last gen's best"

    @property
    def next_change_generation(self) -> int:
        """The first generation a change scheduled now can apply to: the next one not yet asked for."""
        return self.state.generation + (self.state.pending is not None)

    def schedule(self, setting: str, value, generation: int | None = None, expect_old: str = "") -> SettingEvent:
        """Schedule a change of `setting` to `value` (typed, or its text) from `generation` on (default: the
        next generation not yet asked for; the race under way finishes as it started). It applies at the start
        of that generation, before the strategy is asked, and is recorded then (state.events, the log's
        '# set' line). expect_old: for a replay, the text the old value must have then. ValueError naming
        the problem: an unknown setting, a value out of range, a generation already bred or before another
        scheduled change, or a setting the strategy of that generation does not have."""
        with self._lock:
            return schedule_change(self, setting, value, generation, expect_old)

    def schedule_all(self, changes: list[SettingEvent]) -> None:
        """Schedule many changes at once, as schedule() one after another would, in a time that grows with their
        number (each SettingEvent's old is the value expected then, or ''); ValueError naming the first wrong
        one (settings.ScheduleError: its change), and then none is scheduled."""
        with self._lock:
            schedule_changes(self, changes)

    def cancel(self, change: SettingEvent) -> list[SettingEvent]:
        """Drop a scheduled change, named by the very object scheduled_changes() gave (not by its place: a change
        may apply between reading the list and cancelling one), with the knob changes a cancelled strategy change
        takes with it; all under the lock. Returns those dropped, the change first; [] if it has applied or gone
        meanwhile."""
        with self._lock:
            return cancel_change(self, change)

    def unschedule_where(self, drop: Callable[[SettingEvent], bool]) -> list[SettingEvent]:
        """Drop every scheduled change for which drop(change) is true, all under the lock (none applied meanwhile);
        drop is asked about each change once, in order, so it may keep count as it goes. Returns those dropped."""
        with self._lock:
            kept, dropped = [], []
            for change in self.state.scheduled:
                (dropped if drop(change) else kept).append(change)
            self.state.scheduled[:] = kept
            return dropped

    def scheduled_changes(self) -> list[SettingEvent]:
        """The changes scheduled and not yet applied, in generation order: a copy, taken under the lock that guards
        them (a race being prepared on a thread may apply some meanwhile). Read them only through this."""
        with self._lock:
            return list(self.state.scheduled)

    # ---- what a change changes (evolution/run/lab.py applies them; each kind of change has its method) ------------
    def use_config(self, config: RunConfig, strategy: Strategy) -> None:
        """Race on with other settings: `config`, and the strategy object made from it (same genome size); the run's
        state is kept (a strategy change has put the new strategy's state in it)."""
        with self._lock:
            self.config, self.strategy = config, strategy

    def use_network(self, network: Network, config: RunConfig, strategy: Strategy) -> None:
        """Race on with a network of another shape: `network`, `config` (its layers) and the strategy made for its
        genome size; the champions' test drives start over for that shape, from state.champions (made for it)."""
        with self._lock:
            self.network, self.config, self.strategy = network, config, strategy
            self.champion_drives = ChampionDrives(self.test_track, network, self.state.champions)

    def use_track(self, track: Track) -> None:
        """Train on `track` from now on (recording the change is the caller's: lab.py's track changes, or a
        track file given on resume, which no change can name)."""
        with self._lock:
            self.track = track

    def setting_value(self, name: str):
        """A setting's value now (settings.SETTINGS names it), as a panel shows it."""
        if name == "track":
            return self.track.name
        return current_value(self.config, self.strategy, name)

    def settings(self) -> list[dict]:
        """The settings table with this run's values now (settings.settings_table), for a panel."""
        return settings_table(self.config, self.strategy, self.track.name)

    def change_track(self, track: Track) -> SettingEvent | None:
        """Train on `track` from the generation under way (raced again on it; see lab.change_track_now),
        recorded as a track change; None if it is the track already."""
        with self._lock:
            return change_track_now(self, track)

    def command_line(self, headless: bool = True) -> str:
        """The one command line that reproduces this run so far (see lab.command_line)."""
        return command_line(self, headless)

    def seconds(self) -> float:
        """Seconds since the run started (counted on across a resume), as the log writes them."""
        return time.perf_counter() - self._clock_start

    def best(self, keep: int) -> GenomeFile | None:
        """The best `keep` genomes of the latest generation, best first (None before the first, or when an error
        left the state torn)."""
        state = self.state
        if state.ranked_genomes is None or self.torn is not None:
            return None
        return GenomeFile(
            layers=self.network.layers,
            genomes=state.ranked_genomes[:keep],
            scores=state.ranked_scores[:keep],
            strategy=self.config.strategy,
            seed=self.config.seed,
            generation=state.generation - 1,
            track=self.track.name,
            **saved_settings(self),
        )
