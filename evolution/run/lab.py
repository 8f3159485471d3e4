"""Changing a run as it goes: scheduled changes applied at the start of a generation, and the run as one line.

A change applies at the start of its generation, before the strategy is asked for the population, so the
race under way finishes as it started. What it rebuilds (see settings.Setting.rebuilds):

- config: mutation_rate, extra_tracks, safety_weight and the strategy knobs: a new RunConfig and strategy
  object; the state is kept whole.
- population: classic and elitist keep their best genomes by rank (trimmed) and, when it grows, fill the new
  places with copies of the ranked genomes in turn (the best first) plus Gaussian noise of size
  mutation_rate, drawn from the change's own generator (seeds.change_generator(seed, "lab_population",
  generation)); snes keeps its mean and spread (its rank weights follow the new size).
- strategy: the new strategy starts from the population just raced, ranked best first: classic and elitist
  take it as their ranked population (told: the run's generation, so elitist's late elite share counts from
  the run's start), snes takes the mean of the best quarter as its mean and their spread per weight (at
  least MIN_SPREAD) as its spread. Its generator is seeds.change_generator(seed, "lab_strategy", generation)
  (classic: seeds.change_random_state). The knobs go back to the new strategy's defaults.
- track: the Evolution's track (not a RunConfig field) becomes the named one (training, test,
  random:SEED[:COLUMNS]). The track is not used to ask the strategy for a population, so the window's G and B
  change it at once (change_track_now): the generation under way is raced again on the new track and the event
  is recorded at that generation, which is what a replay applying it at the start of that generation gives.
- layers: the champions still waiting for the test track are driven first (their shape is the old one);
  then a fresh population of the new shape, from the strategy's initial state for the new genome size (its
  generator as for a strategy change); the ranked genomes and the best ever start empty (RunState.fresh_since
  marks where). At generation 0, a change is the same as starting with that flag.

Every change is recorded as a SettingEvent in state.events and told to the reporters that have a
changed(evolution, event) method (the CSV log writes '# set ...').
"""

from __future__ import annotations

import dataclasses
import shlex
from typing import TYPE_CHECKING, Any

import numpy as np

from evolution.breeding.seeds import change_generator
from evolution.breeding.strategies import make_strategy
from evolution.errors import InputError
from evolution.racing.network import Network
from evolution.racing.track import Track, start_track
from evolution.racing.track_names import resolve_track
from evolution.run.champion_drives import ChampionQueue
from evolution.run.reporters import tell_all
from evolution.run.settings import (
    MAX_EVENTS,
    SETTINGS,
    ScheduleError,
    SettingEvent,
    canonical,
    check_applies,
    check_schedule,
    current_value,
    format_value,
    initial_config,
    is_built_track,
    knobs,
    parse_value,
    setting,
    strategy_defaults,
    strategy_knobs,
    with_value,
)
from evolution.run.start_record import start_values, to_flags, to_json, to_line

if TYPE_CHECKING:
    from evolution.run.evolve import Evolution, RunConfig


class ReplayMismatch(ValueError):
    """A scheduled change expected another old value than the run has (a replayed log that was edited)."""

    def __init__(self, change: SettingEvent, found: str) -> None:
        super().__init__(f"{change.setting} was {found} at generation {change.generation}, not {change.old}")
        self.change = change
        self.found = found


def schedule_change(
    evolution: Evolution, name: str, value: Any, generation: int | None, expect_old: str
) -> SettingEvent:
    """Evolution.schedule() without its lock: check the change, insert it in generation order, return it."""
    name = canonical(name)
    spec = setting(name)
    new = format_value(name, parse_value(name, value))
    if name == "track" and not is_built_track(new):
        raise ValueError(f"track: {new[:40]!r}: a run's track changes to training, test or random:SEED[:COLUMNS]")
    first = evolution.next_change_generation
    generation = first if generation is None else generation
    if isinstance(generation, bool) or not isinstance(generation, (int, np.integer)):
        raise ValueError("the generation of a change must be a whole number")
    if generation < first:
        raise ValueError(f"{spec.name}: generation {generation} has already been bred (the next is {first})")
    scheduled = evolution.state.scheduled
    if len(scheduled) >= MAX_EVENTS:
        raise ValueError(f"more than {MAX_EVENTS} changes scheduled")
    change = SettingEvent(int(generation), name, expect_old, new)
    at = sum(1 for other in scheduled if other.generation <= change.generation)
    trial = [*scheduled[:at], change, *scheduled[at:]]
    check_schedule(evolution.config, trial, first)
    scheduled.insert(at, change)
    return change


def cancel_change(evolution: Evolution, change: SettingEvent) -> list[SettingEvent]:
    """Evolution.cancel() without its lock: `change` (the very object scheduled) dropped if it is still scheduled,
    and with a strategy change the later changes of settings that the strategy of their time then lacks (they
    would stop the run when their generation came); returns them, the change first ([] if it had gone)."""
    scheduled = evolution.state.scheduled
    index = next((at for at, other in enumerate(scheduled) if other is change), None)
    if index is None:  # applied (or cancelled) meanwhile
        return []
    del scheduled[index]
    if change.setting != "strategy":
        return [change]
    strategy, kept, gone = evolution.config.strategy, [], []
    for other in scheduled:  # in order: the strategy of each change's time is kept count of
        if other.setting in SETTINGS and not SETTINGS[other.setting].applies_to(strategy):
            gone.append(other)
            continue
        if other.setting == "strategy":
            strategy = other.new
        kept.append(other)
    scheduled[:] = kept
    return [change, *gone]


def schedule_changes(evolution: Evolution, changes: list[SettingEvent]) -> None:
    """Evolution.schedule_all() without its lock: each change (its old value the one expected, or '') checked
    and the whole schedule checked once, so that N changes cost about N, not N² (10,000 --set flags took 45 s
    one at a time); they go in as one at a time would put them, after those of their generation already there.
    ValueError (settings.ScheduleError for a change that cannot apply) naming the first wrong change; nothing is
    scheduled then."""
    scheduled = evolution.state.scheduled
    if len(scheduled) + len(changes) > MAX_EVENTS:
        raise ValueError(f"more than {MAX_EVENTS} changes scheduled")
    first = evolution.next_change_generation
    checked = []
    for change in changes:
        name, generation = canonical(change.setting), change.generation
        try:
            new = format_value(name, parse_value(name, change.new))
            if name == "track" and not is_built_track(new):
                raise ValueError(
                    f"track: {new[:40]!r}: a run's track changes to training, test or random:SEED[:COLUMNS]"
                )
            if isinstance(generation, bool) or not isinstance(generation, (int, np.integer)):
                raise ValueError("the generation of a change must be a whole number")
            if generation < first:
                raise ValueError(f"{name}: generation {generation} has already been bred (the next is {first})")
        except ValueError as exc:
            raise ScheduleError(change, str(exc)) from None
        checked.append(SettingEvent(int(generation), name, change.old, new))
    trial = sorted([*scheduled, *checked], key=lambda change: change.generation)  # stable: as one at a time
    check_schedule(evolution.config, trial, first)
    scheduled[:] = trial


def apply_due(evolution: Evolution) -> None:
    """Apply, in order, every scheduled change whose generation has come (nothing may be pending)."""
    state = evolution.state
    while state.scheduled and state.scheduled[0].generation <= state.generation:
        if state.scheduled[0].setting == "layers":
            evolution.finish_test_drives_now()  # the waiting champions have the old shape: drive them first
        recorded = len(state.events)
        try:
            apply_change(evolution, state.scheduled[0])
        except BaseException:
            if len(state.events) > recorded:  # it applied, and a reporter told of it failed (a closed pipe)
                state.scheduled.pop(0)
            raise  # else it stays scheduled, as a checkpoint written now keeps it
        state.scheduled.pop(0)


def apply_change(evolution: Evolution, change: SettingEvent) -> SettingEvent | None:
    """Apply one change now (at the start of a generation); the recorded event, or None if it changes nothing."""
    state = evolution.state
    if state.pending is not None:
        raise ValueError("a change applies between generations, not while one is racing")
    name = change.setting
    spec = setting(name)
    check_applies(name, evolution.config.strategy)
    if name == "track":
        return _change_track(evolution, change)
    old = format_value(name, current_value(evolution.config, evolution.strategy, name))
    if change.old and change.old != old:
        raise ReplayMismatch(change, old)
    if change.new == old:
        return None
    value = parse_value(name, change.new)
    config = with_value(evolution.config, name, value)
    if spec.rebuilds == "network":
        _new_network(evolution, config)
    elif spec.rebuilds == "strategy":
        _new_strategy(evolution, config)
    else:
        strategy = _strategy_for(config, evolution.network.genome_size)
        if spec.rebuilds == "population" and getattr(state.strategy, "ranked", None) is not None:
            state.strategy.ranked = _resized(state.strategy.ranked, config, state.generation)
        evolution.use_config(config, strategy)
    return _record(evolution, SettingEvent(state.generation, name, old, change.new))


def _record(evolution: Evolution, event: SettingEvent) -> SettingEvent:
    """Add an applied change to the run's events and tell the reporters that listen (the log's '# set')."""
    evolution.state.events.append(event)
    tell_all(evolution.reporters, "changed", evolution, event)
    return event


def _change_track(evolution: Evolution, change: SettingEvent) -> SettingEvent | None:
    """A track change at the start of a generation: the Evolution's track becomes the named one."""
    old = evolution.track.name
    if change.old and change.old != old:
        raise ReplayMismatch(change, old)
    if change.new == old:
        return None
    evolution.use_track(_built_track(change.new))
    return _record(evolution, SettingEvent(evolution.state.generation, "track", old, change.new))


def _built_track(name: str) -> Track:
    if not is_built_track(name):
        raise ValueError(f"track: {name[:40]!r}: a run's track changes to training, test or random:SEED[:COLUMNS]")
    try:
        return resolve_track(name)
    except InputError as exc:
        raise ValueError(str(exc)) from None


def change_track_now(evolution: Evolution, track: Track) -> SettingEvent | None:
    """Train on `track` from the generation under way (raced again on it: its population, asked for before,
    does not depend on the track) or, between generations, from the next one; recorded as a track change at
    that generation, so a replay that applies it at the start of that generation races the same. The track
    must be one a change can name (training, test, random:SEED[:COLUMNS]). None if it is the same track."""
    name = track.name
    if not is_built_track(name):
        raise ValueError(f"track: {name[:40]!r}: a run's track changes to training, test or random:SEED[:COLUMNS]")
    state = evolution.state
    old = evolution.track.name
    if name == old:
        return None
    evolution.use_track(track)
    if state.pending is None:  # between generations: a level earned on the old track (endless) is let go
        state.scheduled[:] = [
            change
            for change in state.scheduled
            if not (change.setting == "track" and change.generation <= state.generation and change.old == old)
        ]
    return _record(evolution, SettingEvent(state.generation, "track", old, name))


def _strategy_for(config: RunConfig, genome_size: int):
    return make_strategy(config.strategy, genome_size, config.population, config.mutation_rate, **knobs(config))


def _resized(ranked: np.ndarray, config: RunConfig, generation: int) -> np.ndarray:
    """(population, D): the best of `ranked` (k, D), and if it grows, copies of them in turn plus noise."""
    population, kept = config.population, ranked[: config.population]
    extra = population - len(kept)
    if extra <= 0:
        return kept.copy()
    rng = change_generator(config.seed, "lab_population", generation)
    parents = np.arange(extra) % len(ranked)
    noise = config.mutation_rate * rng.standard_normal((extra, ranked.shape[1]))
    return np.concatenate([kept, ranked[parents] + noise])


def _new_strategy(evolution: Evolution, config: RunConfig) -> None:
    state = evolution.state
    strategy = _strategy_for(config, evolution.network.genome_size)
    if state.ranked_genomes is None:  # nothing of this shape raced yet: the strategy's initial state
        state.strategy = strategy.restart_state(config.seed, state.generation)
    else:
        ranked = getattr(state.strategy, "ranked", None)
        ranked = ranked if ranked is not None else _resized(state.ranked_genomes, config, state.generation)
        state.strategy = strategy.carry_over(ranked, config.seed, state.generation)
    evolution.use_config(config, strategy)


def _new_network(evolution: Evolution, config: RunConfig) -> None:
    state = evolution.state
    network = Network(config.layers)
    size = network.genome_size
    strategy = _strategy_for(config, size)
    queue = state.champions
    state.champions = ChampionQueue(
        queue.generations[:0].copy(), np.zeros((0, size)), queue.result_generations, queue.results
    )
    state.strategy = strategy.restart_state(config.seed, state.generation)
    state.ranked_genomes = state.ranked_scores = None
    state.best_ever_genomes, state.best_ever_scores = np.zeros((0, size)), np.zeros(0, dtype=np.int64)
    evolution.use_network(network, config, strategy)


# --- the run as settings, one line, and a genome file's record --------------------------------------------


def start_config(evolution: Evolution) -> RunConfig:
    """The config the run started with (before its first change)."""
    if evolution.initial_config is not None:
        return evolution.initial_config
    return initial_config(evolution.config, evolution.state.events)


def start_changes(config: RunConfig) -> list[SettingEvent]:
    """What flags cannot say about a start config, as generation-0 changes: a safety weight other than the
    strategy's default, and knobs other than its defaults."""
    changes = []
    if config.safety_weight != strategy_defaults(config.strategy)["safety_weight"]:
        changes.append(SettingEvent(0, "safety_weight", "", format_value("safety_weight", config.safety_weight)))
    plain = dataclasses.replace(config, knobs=())
    defaults = _strategy_for(plain, Network(config.layers).genome_size)
    for name in strategy_knobs(config.strategy):
        value = config.knob(name)
        if value is not None and format_value(name, value) != format_value(name, defaults.knob_value(name)):
            changes.append(SettingEvent(0, name, "", format_value(name, value)))
    return changes


def start_settings(config: RunConfig, track: str) -> dict[str, Any]:
    """A start config as the settings a genome file records (JSON types; start_record.py)."""
    return to_json(start_values(config, track), start_changes(config))


def run_flags(config: RunConfig, track: str) -> list[str]:
    """The flags that start a run with this config on this track (with --set 0:... for what flags lack)."""
    return to_flags(start_values(config, track), start_changes(config))


def run_line(config: RunConfig, track: str) -> str:
    """The log's first line (after '# '): 'neuroracer run: --seed 7 --strategy elitist ...'."""
    return to_line(start_values(config, track), start_changes(config))


def command_line(evolution: Evolution, headless: bool = True) -> str:
    """The one command line that reproduces the run so far: its start settings, every change as --set, and
    --generations up to the last generation raced; pasted into a terminal it logs the same rows."""
    flags = ["python", "main.py"] + (["--headless"] if headless else [])
    flags += run_flags(start_config(evolution), start_track(evolution.track.name, evolution.state.events))
    for event in evolution.state.events:
        flags += ["--set", event.flag()]
    flags += ["--generations", str(max(0, evolution.generation - 1))]
    return shlex.join(flags)


def saved_settings(evolution: Evolution) -> dict[str, Any]:
    """What a genome file records of the run that made it: its start settings and its changes."""
    return {
        "settings": start_settings(start_config(evolution), start_track(evolution.track.name, evolution.state.events)),
        "events": tuple(evolution.state.events),
    }
