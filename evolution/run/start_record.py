"""The record of how a run started, written one way and read back one way, as flags or as JSON.

A record is the settings a run's flags give (settings.START_RECORD: seed, strategy, population, layers,
mutation_rate, extra_tracks, test_curve and track, in that order) and its changes at generation 0 (what flags
cannot say: a safety weight or knobs other than the strategy's, as --set 0:... values). The log's first line
holds it as flags ('neuroracer run: --seed 7 --strategy elitist ...', lab.run_line) and a genome file as its
"settings" object (lab.start_settings); both are made by start_values and read back, checked by the settings
table, into the same form, from which start_config makes the run's config (replay.py). A checkpoint holds a
run's whole config instead (RunConfig.plain), its start found by undoing its events.
"""

from __future__ import annotations

import contextlib
import shlex
from typing import TYPE_CHECKING, Any

from evolution.run.settings import RUN_SETTINGS, START_RECORD, Setting, SettingEvent, parse_set

if TYPE_CHECKING:
    from evolution.run.evolve import RunConfig

MAX_TRACK_TEXT = 1000  # a track's name or file in a record: any printable text up to this long
RUN_WORDS = "neuroracer run: "  # a log's first line, after '# ': the run's start as flags
RUN_LINE = "# " + RUN_WORDS


def start_values(config: RunConfig, track: str) -> dict[str, Any]:
    """A start config's record (without its changes): START_RECORD's settings as the config holds them."""
    return {name: track if name == "track" else getattr(config, name) for name in START_RECORD}


def to_flags(values: dict[str, Any], changes: list[SettingEvent]) -> list[str]:
    """A record as flags: each setting's first flag and its canonical text (an on/off setting only when it is not
    its default, as --no-...), then the changes as --set."""
    flags, switches = [], []
    for name, value in values.items():
        spec = RUN_SETTINGS[name]
        if spec.kind is bool:
            if value != spec.default:
                switches.append(spec.flags[0] if value else "--no-" + spec.flags[0][2:])
        else:
            flags += [spec.flags[0], value if spec.kind == "track" else spec.format(value)]
    for change in changes:
        switches += ["--set", change.flag()]
    return flags + switches


def to_line(values: dict[str, Any], changes: list[SettingEvent]) -> str:
    """A record as a log's first line (after '# '): 'neuroracer run: --seed 7 --strategy elitist ...'."""
    return RUN_WORDS + shlex.join(to_flags(values, changes))


def to_json(values: dict[str, Any], changes: list[SettingEvent]) -> dict[str, Any]:
    """A record as a genome file's "settings": JSON values (layers a list), and the changes as --set values."""
    plain = {name: list(value) if RUN_SETTINGS[name].kind == "layers" else value for name, value in values.items()}
    return {**plain, "changes": [change.flag() for change in changes]}


def _record_flags() -> tuple[dict[str, Setting], dict[str, tuple[str, bool]]]:
    """The flags of a record: each valued setting's first flag -> its Setting, and each on/off setting's two
    switches (--test-curve, --no-test-curve) -> (its name, its value)."""
    specs = [RUN_SETTINGS[name] for name in START_RECORD]
    flagged = {spec.flags[0]: spec for spec in specs if spec.kind is not bool}
    switches = {}
    for spec in specs:
        if spec.kind is bool:
            switches[spec.flags[0]], switches["--no-" + spec.flags[0][2:]] = (spec.name, True), (spec.name, False)
    return flagged, switches


def _switched_off(switches: dict[str, tuple[str, bool]]) -> dict[str, Any]:
    """Each on/off setting at its default: what a record means where it does not name the switch."""
    return {name: RUN_SETTINGS[name].default for name, _ in switches.values()}


def _typed(spec: Setting, text: str) -> Any:
    """A flag's value as the table types it (a track is any name or file, resolved with the others' checks)."""
    return text if spec.kind == "track" else spec.parse(text, named=False)


def from_flags(text: str) -> tuple[dict[str, Any], list[SettingEvent]]:
    """A record from its flags (a run line after 'neuroracer run: '), each value checked by the settings table;
    ValueError saying what is wrong, naming the flag."""
    flagged, switches = _record_flags()
    values = _switched_off(switches)
    changes: list[SettingEvent] = []
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise ValueError(f"the run line cannot be read ({exc})") from None
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token in switches:
            name, value = switches[token]
            values[name] = value
            index += 1
            continue
        if (token not in flagged and token != "--set") or index + 1 == len(tokens):
            raise ValueError(f"{token[:40]!r} is not a setting of the run line")
        value = tokens[index + 1]
        try:
            if token == "--set":
                change = parse_set(value)
                if change.generation:
                    raise ValueError(f"{value[:40]!r}: the run line holds changes at generation 0 only")
                changes.append(change)
            else:
                values[flagged[token].name] = _typed(flagged[token], value)
        except ValueError as exc:  # one line naming the value
            raise ValueError(f"{token}: {exc}") from None
        index += 2
    missing = [token for token, spec in flagged.items() if spec.name not in values]
    if missing:
        raise ValueError(f"the run line lacks {missing[0]}")
    return {name: values[name] for name in START_RECORD}, changes


def from_line(line: str) -> tuple[dict[str, Any], list[SettingEvent]]:
    """A record from a log's run line ('# neuroracer run: ...', the '# ' optional), read strictly as from_flags
    does (for --replay); ValueError if it is not a run line or a value is wrong."""
    text = line.strip().removeprefix("# ")
    if not text.startswith(RUN_WORDS):
        raise ValueError(f"no '{RUN_LINE.strip()}' line")
    return from_flags(text[len(RUN_WORDS) :])


def read_leniently(line: str) -> dict[str, Any]:
    """What a run line ('# neuroracer run: ...', the '# ' optional) says that this version can read, for a figure
    or for telling runs apart (never to replay: from_line): each START_RECORD setting whose value the table
    accepts, typed (an on/off setting not named: its default); a flag it does not know (a log of another
    version), its value, or a value it refuses are skipped; {} if the line cannot be read at all."""
    text = line.strip().removeprefix("# ")
    if not text.startswith(RUN_WORDS):
        return {}
    try:
        tokens = shlex.split(text[len(RUN_WORDS) :])
    except ValueError:
        return {}
    flagged, switches = _record_flags()
    values = _switched_off(switches)
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token in switches:
            name, value = switches[token]
            values[name] = value
            index += 1
            continue
        has_value = index + 1 < len(tokens) and not tokens[index + 1].startswith("--")
        if token in flagged and has_value:
            with contextlib.suppress(ValueError):  # a value this version refuses is left out
                values[flagged[token].name] = _typed(flagged[token], tokens[index + 1])
        index += 2 if has_value else 1
    return {name: values[name] for name in START_RECORD if name in values}


def from_json(settings: Any) -> tuple[dict[str, Any], list[SettingEvent]]:
    """A record from a genome file's "settings" object, each value checked by the settings table (typed as JSON
    holds them: numbers, a list of layer sizes, true or false, texts); ValueError naming what is wrong."""
    fields = (*START_RECORD, "changes")
    if not isinstance(settings, dict) or set(settings) != set(fields):
        raise ValueError(f"it must hold exactly {', '.join(fields)}")
    for name in START_RECORD:
        value = settings[name]
        if name == "layers" and not isinstance(value, list):
            raise ValueError("layers must be a list of layer sizes")
        if name != "track":  # (any track a run started on: checked here, resolved when replayed)
            RUN_SETTINGS[name].check(value)
    track = settings["track"]
    if not isinstance(track, str) or not track or len(track) > MAX_TRACK_TEXT or not track.isprintable():
        raise ValueError("track must be a short text")
    texts = settings["changes"]
    if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
        raise ValueError("changes must be a list of --set values")
    changes = [parse_set(text) for text in texts]
    if any(change.generation != 0 for change in changes):
        raise ValueError("changes must be at generation 0")
    values = {name: settings[name] for name in START_RECORD}
    return {**values, "layers": tuple(values["layers"])}, changes


def start_config(values: dict[str, Any], generations: int | None) -> RunConfig:
    """The config a record's run started with, to `generations`; what the record does not hold (the safety
    weight, the knobs) is the strategy's default, as for the run it records (its changes then set them).
    ValueError if a value is out of range."""
    from evolution.run.evolve import RunConfig

    return RunConfig(**{name: values[name] for name in START_RECORD if name != "track"}, generations=generations)
