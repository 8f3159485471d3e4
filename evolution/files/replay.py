"""Replaying a run exactly: from its log, its checkpoint or a genome file, with the same changes at the same
generations, checking that every row (and a genome file's genomes) comes out the same.

load_replay(path) reads and checks the source: a log written since the lab (its first line
'# neuroracer run: ...' holds the seed and the start settings, its '# set' lines the changes, its rows what
the replay must give), a checkpoint (its settings with the changes undone, its history), or a genome file
that records its run ("settings" and "events"). Anything wrong is an InputError naming the line.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from evolution.atomic import read_limited
from evolution.errors import InputError
from evolution.files.checkpoint import load_checkpoint
from evolution.racing.track import Track, start_track
from evolution.racing.track_names import resolve_track
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.genome_file import GenomeFile, load_genomes
from evolution.run.history import GenerationStats
from evolution.run.lab import ReplayMismatch
from evolution.run.reporters import CONTINUED_LINE, LOG_HEADER, RUN_LINE, SET_LINE, Reporter, log_row
from evolution.run.run_size import check_run_size
from evolution.run.settings import ScheduleError, SettingEvent, check_applies, initial_config, parse_log_text
from evolution.run.start_record import from_json, from_line, start_config

MAX_LOG_BYTES = 64 * 1024 * 1024
LOG_ROW_BYTES = 80  # the longest a log row can be: 8-digit generation, a 24-character mean, seconds, ...
LOG_LINE_BYTES = 1024  # the run line, the header, a '# set' line, at most


def check_log_fits(path: Path, generations: int | None, changes: int) -> None:
    """InputError, before the run starts, when the log of a run to this last generation (with this many
    '# set' lines) could outgrow what --replay reads (MAX_LOG_BYTES): what cannot be read back is not written.
    A run without a last generation (the window) is not bounded here."""
    if generations is None:
        return
    most = (int(generations) + 1) * LOG_ROW_BYTES + (int(changes) + 4) * LOG_LINE_BYTES
    if most > MAX_LOG_BYTES:
        rows = (MAX_LOG_BYTES - (int(changes) + 4) * LOG_LINE_BYTES) // LOG_ROW_BYTES - 1
        raise InputError(
            f"--log {path}: a log of {int(generations) + 1} generations could outgrow what --replay reads "
            f"({MAX_LOG_BYTES // 2**20} MiB); log at most {rows} generations, or run without --log"
        )


SECONDS = LOG_HEADER.split(",").index("seconds")


@dataclass
class ReplayPlan:
    """A run to replay: its start config (generations: the last to race), track, changes, and what it must give.

    changes: (event, where) with where the line that names it ("line 5"); rows: generation -> (where,
    the row's fields without seconds); genomes: a genome file's genomes, the replay's best must equal them.
    """

    source: Path
    config: RunConfig
    track: Track
    changes: list[tuple[SettingEvent, str]] = field(default_factory=list)
    rows: dict[int, tuple[str, list[str]]] = field(default_factory=dict)
    genomes: GenomeFile | None = None

    def error(self, where: str, problem: str) -> InputError:
        return InputError(f"{self.source} {where}: {problem}")

    def schedule(self, evolution: Evolution) -> None:
        """Schedule every change of the source in the run (each checked against its old value when it applies)."""
        try:
            evolution.schedule_all([event for event, _ in self.changes])  # (one at a time: N² for N changes)
        except ScheduleError as exc:
            where = next((where for event, where in self.changes if event == exc.change), "")
            raise self.error(where, str(exc)) from None
        except ValueError as exc:
            raise InputError(f"{self.source}: {exc}") from None

    def mismatch(self, exc: ReplayMismatch) -> InputError:
        """The InputError for a change whose old value is not the run's: the line that names it."""
        change = exc.change
        for event, where in self.changes:
            if (event.generation, event.setting, event.old, event.new) == (
                change.generation,
                change.setting,
                change.old,
                change.new,
            ):
                return self.error(where, f"this change does not fit the run: {exc}")
        return InputError(f"{self.source}: {exc}")

    def check_row(self, stats: GenerationStats) -> None:
        """InputError unless a replayed generation's row equals the source's (all but seconds)."""
        expected = self.rows.get(stats.generation)
        if expected is None:
            return
        where, theirs = expected
        ours = log_row(stats).split(",")
        del ours[SECONDS]
        if ours != theirs:
            columns = [c for c in LOG_HEADER.split(",") if c != "seconds"]
            column = next(i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b)
            raise self.error(
                where,
                f"the row of generation {stats.generation} does not match the replay "
                f"({columns[column]} {ours[column] or 'empty'} replayed, {theirs[column] or 'empty'} recorded)",
            )

    def finish(self, evolution: Evolution) -> str:
        """After the replay: InputError if a row or the saved genomes were not reproduced; else a summary."""
        missing = sorted(set(self.rows) - set(range(evolution.state.reported)))
        if missing:
            where, _ = self.rows[missing[0]]
            raise self.error(where, f"generation {missing[0]} was not reached by the replay")
        if self.genomes is not None:
            best = evolution.best(len(self.genomes.genomes))
            same = (
                best is not None
                and best.genomes.shape == self.genomes.genomes.shape
                and (best.genomes == self.genomes.genomes).all()
                and (best.scores == self.genomes.scores).all()
            )
            if not same:
                raise self.error("genomes", "the replay's best genomes differ from the saved ones")
            return f"replay: the {len(self.genomes.genomes)} saved genomes of {self.source} match"
        return f"replay: {len(self.rows)} rows of {self.source} match"


class ReplayCheck(Reporter):
    """Checks each reported row against the source as the replay goes."""

    def __init__(self, plan: ReplayPlan) -> None:
        self.plan = plan

    def end_generation(self, evolution: Evolution, stats: GenerationStats) -> None:
        self.plan.check_row(stats)


def load_replay(path: str | Path) -> ReplayPlan:
    """The replay of a log (.csv), a checkpoint (.npz) or a genome file (.json); InputError naming the problem."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return _from_checkpoint(path)
    if suffix == ".json":
        return _from_genome_file(path)
    if suffix == ".csv":
        return _from_log(path)
    raise InputError(f"{path}: --replay takes a log (.csv), a checkpoint (.npz) or a genome file (.json)")


def _config(path: Path, where: str, values: dict, generations: int) -> RunConfig:
    """The start config of a record of a run's start (start_record.py), to `generations`; InputError naming where."""
    try:
        config = start_config(values, generations)
    except ValueError as exc:
        raise InputError(f"{path} {where}: {exc}") from None
    return _fits(config, f"{path} {where}")


def _fits(config: RunConfig, label: str) -> RunConfig:
    """config, if the run it describes fits the memory budget (InputError naming label otherwise): a replay
    allocates what the replayed run did."""
    check_run_size(config.population, config.layers, config.extra_tracks, label + ": population {} with layers {}")
    return config


def _run_flags(path: Path, line: str) -> tuple[dict, list[SettingEvent]]:
    """The record of a '# neuroracer run:' line: its settings, and its --set 0:... changes."""
    try:
        return from_line(line)
    except ValueError as exc:
        raise InputError(f"{path} line 1: {exc}") from None


def _from_log(path: Path) -> ReplayPlan:
    try:
        lines = read_limited(path, MAX_LOG_BYTES, "log").decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a neuroracer log (not UTF-8 text)") from None
    if not lines or not lines[0].startswith(RUN_LINE):
        raise InputError(f"{path} line 1: no '{RUN_LINE.strip()}' line: the log does not say how its run started")
    flags, start = _run_flags(path, lines[0])
    if len(lines) < 2 or lines[1] != LOG_HEADER:
        raise InputError(f"{path} line 2: expected the header {LOG_HEADER}")
    changes: list[tuple[SettingEvent, str]] = [(change, "line 1") for change in start]
    rows: dict[int, tuple[str, list[str]]] = {}
    strategy, last_change, last_row = flags["strategy"], 0, None
    continued = 0  # where the rows start: 0, or where a resumed run's new log says it continued
    for number, line in enumerate(lines[2:], start=3):
        where = f"line {number}"
        rest = line[len(CONTINUED_LINE) :]
        if line.startswith(CONTINUED_LINE) and rest.isdigit() and len(rest) <= 8 and last_row is None:
            continued = int(rest)
            continue
        if line.startswith(SET_LINE):
            try:
                event = parse_log_text(line[2:])
                if event.generation < last_change:
                    raise ValueError(f"generation {event.generation} is out of order (after {last_change})")
                check_applies(event.setting, strategy)
            except ValueError as exc:
                raise InputError(f"{path} {where}: {exc}") from None
            last_change = event.generation
            strategy = event.new if event.setting == "strategy" else strategy
            changes.append((event, where))
            continue
        if line.startswith("#"):
            continue
        fields = line.split(",")
        if len(fields) != 7 or not fields[0].isdigit() or len(fields[0]) > 8:
            raise InputError(f"{path} {where}: not a row of the log")
        generation = int(fields[0])
        if last_row is None and generation != continued:  # a replay races every generation up to the last row
            raise InputError(
                f"{path} {where}: the rows start at generation {generation}, not {continued}"
                + ("" if continued else " (and the log does not say that its run was continued there)")
            )
        if last_row is not None and generation != last_row + 1:
            raise InputError(f"{path} {where}: generation {generation} is out of order (after {last_row})")
        last_row = generation
        del fields[SECONDS]
        rows[generation] = (where, fields)
    if last_row is None:
        raise InputError(f"{path}: the log has no rows to replay")
    config = _config(path, "line 1", flags, last_row)
    try:
        track = resolve_track(flags["track"])
    except InputError as exc:
        raise InputError(f"{path} line 1: {exc}") from None
    return ReplayPlan(path, config, track, changes, rows)


def _from_checkpoint(path: Path) -> ReplayPlan:
    checkpoint = load_checkpoint(path)
    state = checkpoint.state
    if state.reported == 0:
        raise InputError(f"{path}: the checkpoint has no generation to replay yet")
    config = dataclasses.replace(initial_config(checkpoint.config, state.events), generations=state.reported - 1)
    _fits(config, f"{path}: the run's start")
    changes = [(event, f"(change {index}: {event.log_text()})") for index, event in enumerate(state.events)]
    rows = {}
    for generation in range(state.reported):
        fields = log_row(state.history.row(generation)).split(",")
        del fields[SECONDS]
        rows[generation] = (f"(generation {generation})", fields)
    track = checkpoint.track
    first = start_track(track.name, state.events)  # the track the run started on, before its track changes
    if first != track.name:
        try:
            track = resolve_track(first)
        except InputError as exc:
            raise InputError(f"{path}: the run's first track: {exc}") from None
    return ReplayPlan(path, config, track, changes, rows)


def _from_genome_file(path: Path) -> ReplayPlan:
    saved = load_genomes(path)
    if saved.settings is None:
        raise InputError(f"{path}: the file does not record the run that made it (saved before the lab)")
    values, start = from_json(saved.settings)  # (checked when the file was loaded)
    config = _config(path, "settings", values, saved.generation)
    try:
        track = resolve_track(values["track"])
    except InputError as exc:
        raise InputError(f"{path} settings: {exc}") from None
    changes = [(change, "settings") for change in start]
    changes += [(event, f"(event {index}: {event.log_text()})") for index, event in enumerate(saved.events)]
    return ReplayPlan(path, config, track, changes, {}, saved)
