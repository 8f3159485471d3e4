"""Every setting a run has, as data; and the events that record each change of one as the run goes.

RUN_SETTINGS is the one table that the command line (its flags, --set, --help, --compare's SPECs), the run's
checks (RunConfig), its defaults (strategy_defaults) and the window's settings panel are built from: each
Setting has a name, its flags, a plain caption, its type, range and default, and the strategies it applies to.
SETTINGS is its part that may change as a run goes (--set, the panel); the rest is fixed when a run starts.
A SettingEvent records one change: from generation `generation` on, `setting` went from `old` to `new`.
Values are kept as canonical texts (format_value), so an event reads back exactly from a log line, a
checkpoint or a genome file.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from evolution.breeding.seeds import SEEDS
from evolution.breeding.strategies import DEFAULT_STRATEGY, STRATEGIES, Knob, Strategy, speakers
from evolution.errors import InputError
from evolution.racing.endless import check_name
from evolution.racing.network import DEFAULT_LAYERS, MAX_LAYER_WIDTH, MAX_LAYERS
from evolution.racing.race import INPUTS
from evolution.racing.track import RANDOM_TRACK_COLUMNS, random_track_numbers
from evolution.run.run_size import check_run_size

MAX_EVENTS = 10_000  # events a run, a checkpoint or a file may hold


@dataclass(frozen=True)
class Setting:
    """One setting of a run.

    kind is int, float, bool, "strategy", "layers" or "track" (a track's name: training, test,
    random:SEED[:COLUMNS]; a track file's name only as an old value, the track a run started on); low..high the
    range of a number; strategies the ones it applies to (for the others, changing it raises an error saying
    `why_not`); caption a plain sentence with {value} (or {percent}) where the current value goes; rebuilds what
    a change rebuilds: "config" (the settings only), "population", "strategy", "network" or "track" (the
    Evolution's track, not in RunConfig), or "" for a setting fixed when the run starts (not live).

    default is the value a run takes when none is given, or by_strategy names the attribute of the run's
    strategy class that holds it (a strategy knob's default is its strategy's own: None in RunConfig);
    default_words how --help and docs/command-line.md say the default when not just the value ({default} where it
    goes); none what None means where it is a value (generations: no limit). flags are the command-line flags
    (the first is the one shown and written), metavar and help their --help words; a setting that is neither
    live nor a flag says why in no_flag.

    In LIVE_SETTINGS and START_SETTINGS, strategies None means "every strategy registered" (with only_if, those
    with that flag); the table (RUN_SETTINGS, SETTINGS) holds the names, and each strategy's knobs (Knob) too.
    """

    name: str
    kind: Any
    low: float | None
    high: float | None
    strategies: tuple[str, ...] | None
    caption: str
    rebuilds: str = "config"
    why_not: str = ""
    title: str = ""  # the setting in words, for a panel row ("Mutation size"); the name is the one in commands
    default: Any = None
    by_strategy: str = ""
    default_words: str = ""
    none: str = ""
    flags: tuple[str, ...] = ()
    metavar: str = ""
    help: str = ""
    no_flag: str = ""
    only_if: str = ""  # in LIVE_SETTINGS: a Strategy flag a strategy must have for it (uses_mutation_rate)
    owner: str = ""  # the strategy whose knob it is ("" for a setting of every run)

    @property
    def live(self) -> bool:
        """True if the lab may change it as the run goes (--set, the panel); False: fixed when the run starts."""
        return bool(self.rebuilds)

    def describe(self, value: Any) -> str:
        """The caption with a value in it, e.g. 'the best 20% are copied unchanged'; the strategies' constants it
        mentions are read now, so the words follow the code."""
        text = self.format(value)
        percent = f"{100 * float(value):g}" if self.kind is float else text
        return self.caption.format(value=text, percent=percent, **constants())

    def flag_help(self) -> str:
        """Its flag's --help words, with the strategies' constants in them (the strategies registered now)."""
        return self.help.format(**constants())

    def applies_to(self, strategy: str) -> bool:
        return strategy in self.strategies

    def format(self, value: Any) -> str:
        """The canonical text of a value: repr of a float (reads back exactly), a layer list as 7,8,4,1, on/off."""
        if self.kind == "layers":
            return ",".join(str(int(size)) for size in value)
        if self.kind is float:
            return repr(float(value))
        if self.kind is bool:
            return "on" if value else "off"
        return str(value)

    def range_text(self) -> str:
        """Its range in words: '2 to 100000', '0 to 1', 'classic, elitist or snes', '7 inputs, 1 output'; '' for
        a track (its names are said where it is)."""
        if self.kind is int:
            return f"{int(self.low)} to {int(self.high)}"
        if self.kind is float:
            return f"{float(self.low):g} to {float(self.high):g}"
        if self.kind == "strategy":  # the program's strategies (a benchmark may register more)
            names = [cls.name for cls in speakers()]  # a benchmark's variant is not named
            return f"{', '.join(names[:-1])} or {names[-1]}"
        if self.kind == "layers":
            return f"{INPUTS} inputs, 1 output"
        if self.kind is bool:
            return "on or off"
        return ""

    def default_for(self, strategy: str) -> Any:
        """The default when a run of `strategy` is not given it."""
        return getattr(STRATEGIES[strategy], self.by_strategy) if self.by_strategy else self.default

    def default_text(self) -> str:
        """The default in words, as --help and docs/command-line.md say it: '50', '0 classic, 2 elitist, 2 snes'."""
        if self.by_strategy:
            names = [cls.name for cls in speakers() if cls.name in self.strategies]
            text = ", ".join(f"{self.format(self.default_for(name))} {name}" for name in names)
        elif self.default is None:  # a strategy knob: its strategy's own
            text = self.none or "its strategy's own"
        else:
            text = self.format(self.default)
        return self.default_words.format(default=text, **constants()) if self.default_words else text

    def parse(self, text: Any, named: bool = True) -> Any:
        """A value from its text (or a value already typed), checked; ValueError saying why (after the setting's
        name unless named is False: a flag's message names the flag)."""
        try:
            return self._parse(text)
        except ValueError as exc:
            raise ValueError(f"{self.name}: {exc}" if named else str(exc)) from None

    def check(self, value: Any) -> None:
        """ValueError naming the setting unless `value` is one of its values, typed (not a text): RunConfig's
        check of its fields."""
        if value is None and self.none:
            return
        if self.kind is bool:
            if not isinstance(value, bool):
                raise ValueError(f"{self.name} must be true or false")
            return
        kinds = {int: (numbers.Integral, "a whole number"), float: (numbers.Real, "a number")}
        if self.kind in kinds and (isinstance(value, (str, bool)) or not isinstance(value, kinds[self.kind][0])):
            raise ValueError(f"{self.name} must be {kinds[self.kind][1]}")
        if self.kind in ("strategy", "track") and not isinstance(value, str):
            raise ValueError(f"{self.name} must be a name")
        if self.kind == "layers" and isinstance(value, str):
            raise ValueError(f"{self.name} must be a list of layer sizes")
        self.parse(value)

    def _parse(self, text: Any) -> Any:
        if self.kind == "layers":
            parts = text.split(",") if isinstance(text, str) else list(text)
            try:
                layers = tuple(int(part) for part in parts)
            except (TypeError, ValueError):
                raise ValueError(f"{str(text)[:40]!r} is not a list of layer sizes such as 7,8,4,1") from None
            if not 2 <= len(layers) <= MAX_LAYERS or any(not 1 <= size <= MAX_LAYER_WIDTH for size in layers):
                raise ValueError(f"2 to {MAX_LAYERS} layers of 1 to {MAX_LAYER_WIDTH} neurons")
            if layers[0] != INPUTS or layers[-1] != 1:
                raise ValueError(f"a network has {INPUTS} inputs and 1 output, e.g. 7,8,4,1")
            return layers
        if self.kind == "track":
            return parse_track_name(text)
        if self.kind == "strategy":
            if not isinstance(text, str) or text not in STRATEGIES:
                raise ValueError(f"{str(text)[:40]!r} is not one of {', '.join(STRATEGIES)}")
            return text
        if self.kind is bool:
            words = {"on": True, "true": True, "off": False, "false": False}
            if isinstance(text, bool):
                return text
            if isinstance(text, str) and text.strip().lower() in words:
                return words[text.strip().lower()]
            raise ValueError(f"{str(text)[:40]!r} is not on or off")
        try:
            if isinstance(text, bool) or (isinstance(text, str) and not text.isascii()):
                raise ValueError
            value = self.kind(text.strip()) if isinstance(text, str) else self.kind(text)
            if self.kind is int and not isinstance(text, str) and value != text:
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            what = "a whole number" if self.kind is int else "a number"
            raise ValueError(f"{str(text)[:40]!r} is not {what}") from None
        if not (math.isfinite(value) and self.low <= value <= self.high):
            raise ValueError(f"{str(text)[:40]} is out of range ({self.range_text()})")
        return value


def constants() -> dict[str, str]:
    """The strategy constants captions may name, read when a caption is made (a test may change them): each
    strategy's caption_constants(), its notes on the mutation size and its default one."""
    found = {}
    for cls in speakers():
        found.update(cls.caption_constants())
    notes = [cls.mutation_note() for cls in speakers() if cls.mutation_note()]
    found["mutation_notes"] = f" ({'; '.join(notes)})" if notes else ""
    found["mutation_defaults"] = ", ".join(cls.mutation_default() for cls in speakers())
    safety = RUN_SETTINGS["safety_weight"]
    careful = [cls.name for cls in speakers() if safety.default_for(cls.name)]  # those scoring the barriers' margin
    found["safety_note"] = f", and for {_listed(careful)} how far from the barriers finishers keep" if careful else ""
    return found


def _listed(names: list[str]) -> str:
    """Names in words: 'a', 'a and b', 'a, b and c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# The settings a run may change as it goes, in the order shown (SETTINGS adds each strategy's knobs after them).
LIVE_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "mutation_rate",
        float,
        0,
        100,
        None,
        "children's weights change by random noise of size {value}{mutation_notes}",
        only_if="uses_mutation_rate",
        title="Mutation size",
        by_strategy="default_mutation_rate",
        default_words="{mutation_defaults}",
        flags=("--mutation-rate",),
        metavar="R",
        help="size of the mutation noise",
    ),
    Setting(
        "population",
        int,
        2,
        100_000,
        None,
        "{value} genomes race each generation",
        "population",
        title="Dots",
        default=50,
        flags=("--population",),
        metavar="N",
        help="genomes per generation",
    ),
    Setting(
        "extra_tracks",
        int,
        0,
        100,
        None,
        "each generation also races {value} fresh random tracks",
        title="Extra tracks",
        by_strategy="default_tracks",
        flags=("--tracks", "--extra-tracks"),
        metavar="K",
        help="also score each generation on K fresh random tracks; selection uses the mean share finished{safety_note}",
    ),
    Setting(
        "safety_weight",
        float,
        0,
        100,
        None,
        "on the extra tracks, keeping off the barriers adds {value} to a finisher's score",
        title="Safety bonus",
        by_strategy="default_safety_weight",
    ),
    Setting(
        "strategy",
        "strategy",
        None,
        None,
        None,
        "the next generation is bred by {value}",
        "strategy",
        title="Breeding",
        default=DEFAULT_STRATEGY,
        flags=("--strategy",),
        help="how the next generation is bred",
    ),
    Setting(
        "layers",
        "layers",
        None,
        None,
        None,
        "the network's layers are {value} (a fresh start)",
        "network",
        title="Network shape",
        default=DEFAULT_LAYERS,
        flags=("--layers",),
        metavar="7,8,4,1",
        help="network layer sizes",
    ),
    Setting(
        "track",
        "track",
        None,
        None,
        None,
        "the population trains on the track {value}",
        "track",
        title="Track",
        default="training",
        flags=("--track",),
        metavar="TRACK",
        help="training, test, random:SEED[:COLUMNS], endless:SEED:LEVEL, tracks/NAME.csv or a .csv/.npy file",
    ),
)
# the settings fixed when a run starts (not live: --set and the panel cannot change them)
START_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "generations",
        int,
        0,
        10**7,
        None,
        "the run ends after generation {value}",
        "",
        default=120,
        default_words="{default} headless; no limit in the window",
        none="no limit",
        flags=("--generations",),
        metavar="N",
        help="generations after the random one (generation 0)",
    ),
    Setting(
        "seed",
        int,
        0,
        SEEDS - 1,
        None,
        "every random draw comes from the seed {value}",
        "",
        default=0,
        default_words="drawn at random and printed",
        flags=("--seed",),
        metavar="S",
        help="seed of every random draw",
    ),
    Setting(
        "test_curve",
        bool,
        None,
        None,
        None,
        "each generation's champion drives the test track: {value}",
        "",
        default=True,
        flags=("--test-curve",),
        help="drive each generation's champion on the test track and log it as test_best",
    ),
    Setting(
        "extra_track_columns",
        int,
        10,
        100_000,
        None,
        "the extra tracks are {value} columns long",
        "",
        default=2 * RANDOM_TRACK_COLUMNS,  # longer than a random track's default: a stricter test
        no_flag="a benchmark's setting (python -m bench.tune --track-columns)",
    ),
)


@dataclass(frozen=True)
class SettingEvent:
    """One change of a run: from generation `generation` on, `setting` went from `old` to `new` (canonical
    texts, see format_value). In a run's schedule, old is the value expected when it applies ("" for any)."""

    generation: int
    setting: str
    old: str
    new: str

    @property
    def value(self) -> Any:
        """The new value, typed (a float, an int, a strategy name or a layers tuple)."""
        return parse_value(self.setting, self.new)

    def log_text(self) -> str:
        """The event as the log marks it (after '# '): 'set 5 mutation_rate 0.3 -> 0.5'."""
        return f"set {self.generation} {self.setting} {self.old} -> {self.new}"

    def flag(self) -> str:
        """The event as a --set value: '5:mutation_rate=0.5'."""
        return f"{self.generation}:{self.setting}={self.new}"


# Other spellings of a setting's name, accepted wherever a name is read (--set, a SPEC); a hyphen reads as "_".
# The name in SETTINGS is the one shown everywhere (and written in files). A knob's come from its Knob.
RUN_ALIASES: dict[str, str] = {
    "mutation": "mutation_rate",
    "rate": "mutation_rate",
    "tracks": "extra_tracks",
    "safety": "safety_weight",
    "network": "layers",
}


def _knob_setting(cls: type[Strategy], knob: Knob) -> Setting:
    why = f"{knob.name} is a setting of {cls.name} only{knob.why_not_more}"
    low, high = _bound(knob, knob.low, "low"), _bound(knob, knob.high, "high")
    return Setting(knob.name, knob.kind, low, high, (cls.name,), knob.caption, why_not=why, title=knob.title,
                   owner=cls.name)  # fmt: skip


def _bound(knob: Knob, bound: float | str, end: str) -> float:
    """A knob's bound: a number, or the name of a setting of every run whose bound (end: "low" or "high") it
    shares (a knob that is a generation shares the generations setting's); ValueError for another name."""
    if not isinstance(bound, str):
        return bound
    shared = {spec.name: spec for spec in (*LIVE_SETTINGS, *START_SETTINGS) if spec.kind is knob.kind}
    if bound not in shared:
        raise ValueError(f"{knob.name}: its {end} bound {bound!r} is not a setting of its kind ({', '.join(shared)})")
    return getattr(shared[bound], end)


def _resolved(spec: Setting) -> Setting:
    if spec.strategies is not None:
        return spec
    users = tuple(name for name, cls in STRATEGIES.items() if not spec.only_if or getattr(cls, spec.only_if))
    why = "; ".join(cls.no_mutation_rate for name, cls in STRATEGIES.items() if name not in users)
    return replace(spec, strategies=users, why_not=spec.why_not or why)


@lru_cache(maxsize=4)
def _tables(strategies: tuple[type[Strategy], ...]) -> tuple[dict[str, Setting], dict[str, Setting], dict[str, str]]:
    live = {spec.name: _resolved(spec) for spec in LIVE_SETTINGS}
    aliases = dict(RUN_ALIASES)
    for cls in strategies:
        for knob in cls.knobs:
            if knob.name in live:  # a variant shares its parent's knob: it applies to both
                live[knob.name] = replace(live[knob.name], strategies=(*live[knob.name].strategies, cls.name))
                continue
            live[knob.name] = _knob_setting(cls, knob)
            aliases.update(dict.fromkeys(knob.aliases, knob.name))
    every = {**{spec.name: _resolved(spec) for spec in START_SETTINGS}, **live}
    return live, every, aliases


class _Table(Mapping):
    """A read-only mapping built from the settings above and the strategies registered now (so a strategy
    registered later has its knobs here too)."""

    def __init__(self, part: int) -> None:
        self.part = part

    def _now(self) -> dict:
        return _tables(tuple(STRATEGIES.values()))[self.part]

    def __getitem__(self, name: str) -> Any:
        return self._now()[name]

    def __iter__(self):
        return iter(self._now())

    def __len__(self) -> int:
        return len(self._now())

    def __repr__(self) -> str:
        return repr(self._now())


SETTINGS: Mapping[str, Setting] = _Table(0)  # the live settings: --set and the panel may change them
RUN_SETTINGS: Mapping[str, Setting] = _Table(1)  # every setting a run has: the one table
ALIASES: Mapping[str, str] = _Table(2)  # other spelling -> name
# What a record of a run's start holds, in the order written (the log's run line, a genome file's "settings"):
# every setting with a flag but the last generation (a log's rows and a file's generation say it), and "changes",
# the --set 0:... values for what flags cannot say (lab.start_changes). tests/test_settings_table.py checks it.
START_RECORD = ("seed", "strategy", "population", "layers", "mutation_rate", "extra_tracks", "test_curve", "track")


def strategy_knobs(strategy: str) -> tuple[str, ...]:
    """The knobs of one strategy (RunConfig.knobs names), () for an unknown name."""
    cls = STRATEGIES.get(strategy)
    return cls.knob_names() if cls is not None else ()


def knob_names() -> tuple[str, ...]:
    """Every registered strategy's knobs."""
    return tuple(name for cls in STRATEGIES.values() for name in cls.knob_names())


def canonical(name: str) -> str:
    """A setting's name as SETTINGS spells it, from any accepted spelling (mutation, mutation-rate, ...);
    an unknown name comes back as it was (setting() then refuses it)."""
    if not isinstance(name, str):
        return name
    name = name.strip().lower().replace("-", "_")
    return ALIASES.get(name, name)


def spellings(name: str) -> list[str]:
    """Every accepted spelling of a setting (its name first)."""
    others = [alias for alias, to in ALIASES.items() if to == name]
    forms = [name, *others]
    return forms + [form.replace("_", "-") for form in forms if "_" in form]


def setting(name: str) -> Setting:
    """The live Setting called name (any accepted spelling: one --set may change), or ValueError listing them."""
    name = canonical(name)
    if name not in SETTINGS:
        raise ValueError(f"unknown setting {str(name)[:40]!r} (known: {', '.join(SETTINGS)})")
    return SETTINGS[name]


def run_setting(name: str) -> Setting:
    """The Setting called name in the whole table (any accepted spelling), or ValueError listing them."""
    name = canonical(name)
    if name not in RUN_SETTINGS:
        raise ValueError(f"unknown setting {str(name)[:40]!r} (known: {', '.join(RUN_SETTINGS)})")
    return RUN_SETTINGS[name]


def format_value(name: str, value: Any) -> str:
    """The canonical text of a value: repr of a float (reads back exactly), a layer list as 7,8,4,1."""
    return run_setting(name).format(value)


def parse_value(name: str, text: Any) -> Any:
    """A live setting's value from its text (or from a value already typed), checked; ValueError naming it (and
    for a setting fixed at the start, such as the seed, or an unknown one)."""
    return setting(name).parse(text)


TRACK_PATTERN = re.compile(
    r"^(training|test|random:\d{1,10}(:\d{1,6})?|endless:\d{1,10}:\d{1,6}|tracks/[A-Za-z0-9_-]{1,60}\.csv)$"
)  # tracks/NAME.csv: a track saved by the editor (evolution/racing/track_draft.py), read from the tracks folder
TRACK_TEXT = re.compile(r"^[^\s#]{1,200}$")


def parse_track_name(text: Any) -> str:
    """A track's name as a setting's value: training, test or random:SEED[:COLUMNS] (built when the change
    applies); any other short text without spaces is taken as the name of the track file a run started on,
    which only an old value may hold (a change to it is refused when it applies). ValueError if not (saying why,
    without the setting's name: Setting.parse adds it)."""
    if not isinstance(text, str) or not TRACK_TEXT.match(text.strip()):
        raise ValueError(f"{str(text)[:40]!r} is not a track (training, test or random:SEED[:COLUMNS])")
    return text.strip()


def is_built_track(name: str) -> bool:
    """True for the tracks a change can go to: training, test, random:SEED[:COLUMNS]."""
    return bool(TRACK_PATTERN.match(name))


def check_track_change(name: str, label: str) -> None:
    """ValueError (starting with label) unless a change can go to the track `name`: training, test or
    random:SEED[:COLUMNS] with its seed and columns in range (checked now, not when the change applies)."""
    if not is_built_track(name):
        raise ValueError(f"{label}: a run's track changes to training, test or random:SEED[:COLUMNS]")
    if name.startswith("random:"):
        try:
            random_track_numbers(name)
        except InputError as exc:
            raise ValueError(f"{label}: {exc}") from None
    if name.startswith("tracks/") and not Path(name).is_file():  # read when the change applies: there now
        raise ValueError(f"{label}: {name}: no such file (a track drawn in the editor is read from tracks/ in the "
                         "folder the run starts in)")  # fmt: skip
    if name.startswith("endless:"):
        try:
            check_name(name)
        except InputError as exc:
            raise ValueError(f"{label}: {exc}") from None


def check_applies(name: str, strategy: str) -> None:
    """ValueError saying why, if the setting cannot be changed while `strategy` breeds."""
    spec = setting(name)
    if not spec.applies_to(strategy):
        raise ValueError(f"{name} cannot be changed for {strategy}: {spec.why_not}")


def strategy_defaults(strategy: str) -> dict[str, Any]:
    """The settings whose default is the strategy's own (mutation_rate, extra_tracks, safety_weight), with the
    values of `strategy`: the one place a run takes its strategy's defaults (RunConfig fills its None fields)."""
    return {s.name: s.default_for(strategy) for s in RUN_SETTINGS.values() if s.by_strategy}


def knobs(config) -> dict[str, Any]:
    """The strategy knobs a config sets, for make_strategy."""
    return dict(config.knobs)


def normal_knobs(strategy: str, values: Any) -> tuple[tuple[str, Any], ...]:
    """A config's knobs as (name, value) pairs in the strategy's order, from a mapping or pairs (a value None
    left out); ValueError for a knob that is not the strategy's, or out of range."""
    pairs = dict(values.items() if isinstance(values, Mapping) else values)
    own = strategy_knobs(strategy)
    for name, value in pairs.items():
        if value is None:
            continue
        if name not in own:
            raise ValueError(f"{name} is set but the strategy is {strategy}")
        parse_value(name, value)
    return tuple((name, pairs[name]) for name in own if pairs.get(name) is not None)


def current_value(config, strategy: Strategy, name: str) -> Any:
    """A setting's value now: from the config, or for a knob, from the strategy (its default if left unset)."""
    name = canonical(name)
    if setting(name).owner:
        return strategy.knob_value(name)
    return getattr(config, name)


def with_value(config, name: str, value: Any):
    """A new RunConfig with one setting changed; a strategy change resets the knobs to the new one's defaults;
    the track is not a RunConfig field (the Evolution holds it): the config is returned unchanged."""
    if name == "track":
        return config
    if name == "strategy":
        return replace(config, strategy=value, knobs=())
    if setting(name).owner:
        return replace(config, knobs=normal_knobs(config.strategy, {**dict(config.knobs), name: value}))
    return replace(config, **{name: value})


def initial_config(config, events) -> Any:
    """The config a run started with: `config` with its events undone, latest first."""
    for event in reversed(list(events)):
        config = with_value(config, event.setting, parse_value(event.setting, event.old))
    return config


SET_PATTERN = re.compile(r"^\s*(\d{1,8})\s*:\s*([A-Za-z_-]{1,40})\s*=\s*(\S.{0,200})$")


def parse_set(text: str) -> SettingEvent:
    """A --set value 'GENERATION:SETTING=VALUE' as a scheduled event (old ''); ValueError saying what is wrong."""
    match = SET_PATTERN.match(text)
    if not match:
        raise ValueError(f"{text[:60]!r}: expected GENERATION:SETTING=VALUE, e.g. 20:mutation_rate=0.1")
    generation, name, raw = int(match[1]), canonical(match[2]), match[3].strip()
    value = parse_value(name, raw)
    return SettingEvent(generation, name, "", format_value(name, value))


LOG_PATTERN = re.compile(r"^set (\d{1,8}) ([a-z_]{1,40}) (\S{1,200}) -> (\S{1,200})$")


def parse_log_text(text: str) -> SettingEvent:
    """An event from its log text 'set 5 mutation_rate 0.3 -> 0.5', both values checked."""
    match = LOG_PATTERN.match(text)
    if not match:
        raise ValueError("not a 'set GENERATION SETTING OLD -> NEW' line")
    name = match[2]
    old, new = parse_value(name, match[3]), parse_value(name, match[4])
    return SettingEvent(int(match[1]), name, format_value(name, old), format_value(name, new))


def check_events(events, first: int = 0, last: int | None = None, label: str = "event") -> None:
    """ValueError unless each event is known and in range, generations in order within first..last."""
    if len(events) > MAX_EVENTS:
        raise ValueError(f"more than {MAX_EVENTS} {label}s")
    previous = first
    for index, event in enumerate(events):
        where = f"{label} {index} (generation {event.generation})"
        if isinstance(event.generation, bool) or not isinstance(event.generation, int):
            raise ValueError(f"{label} {index}: the generation must be a whole number")
        if event.generation < previous:
            raise ValueError(f"{where}: the generation is out of order")
        if last is not None and event.generation > last:
            raise ValueError(f"{where}: after generation {last}")
        previous = event.generation
        try:
            parse_value(event.setting, event.new)
            if event.old:
                parse_value(event.setting, event.old)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None


class ScheduleError(ValueError):
    """A change that cannot apply (check_schedule): the message names it; change is the SettingEvent."""

    def __init__(self, change, message: str) -> None:
        super().__init__(message)
        self.change = change


def check_schedule(config, changes, first: int) -> None:
    """ScheduleError (a ValueError) naming the first change that cannot apply: before generation `first`, out of
    order, a setting the strategy of its time does not have (strategy changes scheduled before it counted), or a
    run size (population, layers, extra tracks) beyond the memory budget; a plain ValueError for more changes
    than a run may hold."""
    if len(changes) > MAX_EVENTS:  # as a checkpoint, a log or a genome file holds
        raise ValueError(f"{len(changes)} changes (--set): at most {MAX_EVENTS}")
    strategy = config.strategy
    size = {"population": config.population, "layers": tuple(config.layers), "extra_tracks": config.extra_tracks}
    previous = first
    for change in changes:
        if change.generation < first:
            problem = f"generation {change.generation} has already been bred (the next is {first})"
            raise ScheduleError(change, f"--set {change.flag()}: {problem}")
        if change.generation < previous:
            raise ScheduleError(change, f"--set {change.flag()}: the generations of the changes must be in order")
        previous = change.generation
        spec = SETTINGS.get(change.setting)
        if spec is None or not spec.applies_to(strategy):  # (the message is made only for a change refused)
            try:
                check_applies(change.setting, strategy)
            except ValueError as exc:
                raise ScheduleError(change, f"--set {change.flag()}: {exc}") from None
        if change.setting == "strategy":
            strategy = change.new
        if change.setting == "track":
            try:
                check_track_change(change.new, f"--set {change.flag()}")
            except ValueError as exc:
                raise ScheduleError(change, str(exc)) from None
        if change.setting in size:
            size[change.setting] = parse_value(change.setting, change.new)
            try:
                check_run_size(size["population"], size["layers"], size["extra_tracks"],
                               f"--set {change.flag()}: population {{}} with layers {{}}")  # fmt: skip
            except InputError as exc:
                raise ScheduleError(change, str(exc)) from None


def settings_table(config=None, strategy: Strategy | None = None, track: str = "") -> list[dict[str, Any]]:
    """The settings as rows for a panel or --help: name, caption, kind, low, high, strategies, why_not; with a
    run's config and strategy object (and its track's name) also value (now), text (the caption with it) and
    changeable (by this strategy)."""
    rows = []
    for s in SETTINGS.values():
        row = {
            "name": s.name,
            "caption": s.caption,
            "kind": s.kind if isinstance(s.kind, str) else s.kind.__name__,
            "low": s.low,
            "high": s.high,
            "strategies": s.strategies,
            "why_not": s.why_not,
        }
        if config is not None and strategy is not None:
            changeable = s.applies_to(config.strategy)
            if s.name == "track":
                value = track or None
            else:
                value = current_value(config, strategy, s.name) if changeable or not s.owner else None
            row.update(value=value, text=s.describe(value) if value is not None else "", changeable=changeable)
        rows.append(row)
    return rows


def help_text() -> str:
    """One line per setting, for --help: name (range; strategies)."""
    parts = []
    for s in SETTINGS.values():
        span = f" {s.kind(s.low)}..{s.kind(s.high)}" if s.low is not None else ""
        only = "" if s.strategies == tuple(STRATEGIES) else f", {'/'.join(s.strategies)} only"
        parts.append(f"{s.name}{span}{only}")
    return "; ".join(parts)
