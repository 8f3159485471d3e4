"""Checkpoints: a run's settings, track and RunState in one .npz (never unpickled) with a JSON header.

The state is written whole by state_codec: its arrays become .npy members, everything else
(settings, generators' states, counters) the JSON header, stored as the member 'header'. Read back,
every field's type and the fields' agreement with each other are checked. Written atomically,
so the previous checkpoint stays whole until the new one is complete.
"""

from __future__ import annotations

import copy
import io
import json
import os
import time
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from evolution.atomic import check_file, read_npy, write_atomic
from evolution.breeding.strategies import STRATEGIES, NotFinite, make_strategy
from evolution.budget import FLOAT, format_size
from evolution.errors import InputError
from evolution.files.state_codec import checked_text, decode, encode
from evolution.outputs import CheckpointLock
from evolution.racing.network import Network
from evolution.racing.track import Track
from evolution.run.archive import archive_bytes
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.history import COLUMNS
from evolution.run.run_size import check_run_size
from evolution.run.run_state import BEST_EVER, RunState
from evolution.run.settings import initial_config, knobs, parse_value
from evolution.run.specs import check_sizes, parse_specs

FORMAT = "neuroracer-checkpoint"
VERSION = 2
READS = (1, 2)  # version 1: written before the run's state was one object; read by translating it
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_MEMBERS = 256
COMPARISON = "comparison"  # the kind of a checkpoint holding every run of a --compare


@dataclass
class Checkpoint:
    """What a checkpoint holds: a run's settings, its track, its state, and free-form notes."""

    config: RunConfig
    track: Track
    state: RunState
    notes: dict[str, Any]

    @property
    def seconds(self) -> float:
        """The run's seconds so far, as its log counts them."""
        history = self.state.history
        return float(history.column("seconds")[-1]) if len(history) else 0.0

    def evolution(self, reporters: list | None = None, config: RunConfig | None = None, track: Track | None = None):
        """The run, going on from here (with another config or track if given, e.g. a new mutation rate)."""
        return Evolution(config or self.config, track or self.track, reporters, self.state, self.seconds)


@dataclass
class Comparison:
    """What a comparison's checkpoint holds: its SPECs as typed on the command line and each run's checkpoint."""

    specs: list[str]
    runs: list[Checkpoint]
    notes: dict[str, Any]


def save_checkpoint(
    path: str | os.PathLike, config: RunConfig, track: Track, state: RunState, notes: dict[str, Any] | None = None
) -> Path:
    """Write a run's whole state to path atomically (replacing the previous checkpoint only when complete)."""
    arrays: dict[str, np.ndarray] = {}
    header = {"format": FORMAT, "version": VERSION, "saved": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    header |= _run_tree(config, track, state, "", arrays)
    header["notes"] = notes or {}
    return _write(path, header, arrays)


def save_comparison(
    path: str | os.PathLike,
    specs: list[str],
    runs: list[tuple[RunConfig, Track, RunState]],
    notes: dict[str, Any] | None = None,
) -> Path:
    """Write every run of a comparison (its SPECs as typed, and each run's settings, track and state) to one
    file atomically; run i's arrays are named run{i}.track_top, run{i}.state..., its header is runs[i - 1]."""
    arrays: dict[str, np.ndarray] = {}
    header = {
        "format": FORMAT,
        "version": VERSION,
        "saved": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "kind": COMPARISON,
        "specs": list(specs),
        "runs": [_run_tree(*run, f"run{index}.", arrays) for index, run in enumerate(runs, start=1)],
        "notes": notes or {},
    }
    return _write(path, header, arrays)


def _run_tree(config: RunConfig, track: Track, state: RunState, prefix: str, arrays: dict[str, np.ndarray]) -> dict:
    """One run's part of a header (its arrays added to `arrays`, their names starting with prefix)."""
    arrays[f"{prefix}track_top"], arrays[f"{prefix}track_bottom"] = track.top, track.bottom
    return {
        "config": config.plain(),
        "track_name": track.name,
        "state": encode(state, f"{prefix}state", arrays),
    }


def _write(path: str | os.PathLike, header: dict[str, Any], arrays: dict[str, np.ndarray]) -> Path:
    buffer = io.BytesIO()
    np.savez(buffer, header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8), **arrays)
    size = buffer.getbuffer().nbytes  # stored, not compressed: the file's size is what it unpacks to, about
    if size > min(MAX_FILE_BYTES, MAX_UNPACKED_BYTES):  # never write a checkpoint that read_checkpoint refuses
        raise InputError(
            f"{path}: the checkpoint would take {format_size(size)}, more than a checkpoint may hold "
            f"({format_size(MAX_FILE_BYTES)}); not written (the previous one, if any, is kept)"
        )
    return write_atomic(path, buffer.getvalue(), replace=True)


def _read_members(path: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    check_file(path, MAX_FILE_BYTES, "checkpoint")
    try:
        arrays = _read_npz(path)
    except InputError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, NotImplementedError, RuntimeError) as exc:
        text = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: not a readable checkpoint ({text})") from None
    raw = arrays.pop("header", None)
    if raw is None or raw.dtype != np.uint8 or raw.ndim != 1:
        raise InputError(f"{path}: not a checkpoint (no header)")
    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InputError(f"{path}: the checkpoint's header is damaged") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InputError(f"{path}: not a neuroracer checkpoint")
    if header.get("version") not in READS:
        raise InputError(f"{path}: checkpoint version {header.get('version')!r} is not supported (reads 1 and 2)")
    return header, arrays


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """The arrays of an .npz, each member's declared size checked against its bytes before it is read."""
    arrays: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise InputError(f"{path}: too many members for a checkpoint")
        if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
            raise InputError(f"{path}: unpacks to more than a checkpoint may hold")
        for member in members:
            if not member.filename.endswith(".npy") or "/" in member.filename:
                raise InputError(f"{path}: not a checkpoint (unexpected member {member.filename[:40]!r})")
            with archive.open(member) as stream:
                array = read_npy(stream, member.file_size, f"{path}: member {member.filename[:40]!r}")
            arrays[member.filename[: -len(".npy")]] = array
    return arrays


def load_checkpoint(path: str | os.PathLike) -> Checkpoint:
    """A run's settings, track and state from a checkpoint, every field and their agreement checked
    (InputError for a comparison's checkpoint: read_checkpoint reads both)."""
    found = read_checkpoint(path)
    if isinstance(found, Comparison):
        raise InputError(
            f"{path}: holds a comparison of {len(found.runs)} runs, not one run (continue it with --resume alone)"
        )
    return found


def read_checkpoint(path: str | os.PathLike) -> Checkpoint | Comparison:
    """A checkpoint of one run, or of a comparison's runs, every field and their agreement checked."""
    path = Path(path)
    header, arrays = _read_members(path)
    try:
        if "kind" not in header:
            return _read_run(header, arrays, "", header["version"])
        if header["kind"] != COMPARISON or header["version"] != VERSION:
            raise ValueError(f"unknown kind of checkpoint {str(header['kind'])[:40]!r}")
        return _read_comparison(header, arrays)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    except (KeyError, ValueError, TypeError, IndexError, AttributeError, OverflowError) as exc:
        detail = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: the checkpoint's state is damaged ({detail})") from None


def check_resumed_total(path: str | os.PathLike, state: RunState, generations: int | None) -> None:
    """InputError unless a run resumed from path with this last generation (--generations, the total from the
    start; None: no limit) could be checkpointed again: a run already past it would be written into a
    checkpoint its own loader refuses, so it is refused here, before anything is written."""
    last_raced = state.generation - 1
    if generations is not None and last_raced > generations:
        raise InputError(
            f"--generations {generations}: {path} has already raced generation {last_raced}; give {last_raced} "
            "or more (the total from the run's start), or leave --generations out"
        )


CHAMPIONS_WAITING = 64  # champions waiting for their test drive, at most about (a drive takes ~10 generations)
HEADER_BYTES = 2**20  # the JSON header (settings, changes, generators' states) and the archive's members, about


def checkpoint_bytes(config: RunConfig, track_columns: int) -> int:
    """About the most bytes a checkpoint of this run ever takes (its file, and unpacked): the population
    ranked, pending and in the strategy's state, the best genomes ever and the champions waiting, the archive,
    the history (a row per generation, if the run has a last one) and the track."""
    genome_size = Network(config.layers).genome_size
    population = int(config.population)
    raced = None if config.generations is None else int(config.generations) + 1
    waiting = CHAMPIONS_WAITING if raced is None else min(CHAMPIONS_WAITING, raced)
    genomes = (3 * population + BEST_EVER + waiting + 2) * genome_size * FLOAT
    history = (raced or 0) * len(COLUMNS) * FLOAT
    track = 2 * int(track_columns) * FLOAT
    return genomes + archive_bytes(population, genome_size, raced) + history + track + HEADER_BYTES


def largest_checkpoint_bytes(config: RunConfig, track_columns: int, scheduled=()) -> int:
    """checkpoint_bytes of the run at its largest: its start, or after any scheduled change of its size."""
    sizes, largest = {}, checkpoint_bytes(config, track_columns)
    for change in scheduled:
        if change.setting in ("population", "layers"):
            sizes[change.setting] = parse_value(change.setting, change.new)
            largest = max(largest, checkpoint_bytes(replace(config, **sizes), track_columns))
    return largest


def check_checkpoint_fits(path: str | os.PathLike, runs: list[tuple[RunConfig, int, tuple]]) -> None:
    """InputError, before the run starts, unless a checkpoint of these runs (config, track columns, scheduled
    changes; several for a comparison) would be one the loader reads back: what it could not read is never
    written."""
    needed = sum(largest_checkpoint_bytes(*run) for run in runs)
    if needed > min(MAX_FILE_BYTES, MAX_UNPACKED_BYTES):
        raise InputError(
            f"--checkpoint {path}: the checkpoint would take about {format_size(needed)}, more than a checkpoint "
            f"may hold ({format_size(MAX_FILE_BYTES)}), so it could never be resumed; choose a smaller population "
            "or network (or fewer --generations)"
        )


def _read_comparison(header: dict[str, Any], arrays: dict[str, np.ndarray]) -> Comparison:
    """The runs of a comparison's header, each read as a checkpoint of its own, and their SPECs checked."""
    texts, trees = header["specs"], header["runs"]
    if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
        raise ValueError("the comparison's SPECs should be a list of texts")
    if not isinstance(trees, list) or len(trees) != len(texts):
        raise ValueError("the comparison should hold one run per SPEC")
    specs = parse_specs([checked_text(text, "spec") for text in texts])
    runs = []
    for index, (spec, tree) in enumerate(zip(specs, trees), start=1):
        if not isinstance(tree, dict):
            raise ValueError(f"run {index} should be a mapping")
        prefix = f"run{index}."  # a run reads only its own arrays
        own = {name: array for name, array in arrays.items() if name.startswith(prefix)}
        run = _read_run(tree, own, prefix, VERSION)
        started = initial_config(run.config, run.state.events).strategy  # the settings panel may have changed it
        if started != spec.strategy:
            raise ValueError(f"run {index} started as {started!r}, but its SPEC says {spec.strategy!r}")
        runs.append(run)
    check_sizes(specs, [(r.config.population, r.config.layers, r.config.extra_tracks) for r in runs])
    notes = header.get("notes", {})
    return Comparison(texts, runs, notes if isinstance(notes, dict) else {})


def _read_run(header: dict[str, Any], arrays: dict[str, np.ndarray], prefix: str, version: Any) -> Checkpoint:
    """One run from its part of a header: its settings, its track (arrays named prefix + track_top, ...) and
    its state (version 1: its fields as separate header keys, read by translating them)."""
    config = RunConfig.from_plain(header["config"])
    check_run_size(config.population, config.layers, config.extra_tracks, "its population of {} with layers {}")
    top, bottom = arrays[f"{prefix}track_top"], arrays[f"{prefix}track_bottom"]
    track = Track(checked_text(header["track_name"], "track_name"), top, bottom)
    genome_size = Network(config.layers).genome_size
    strategy = make_strategy(config.strategy, genome_size, config.population, 0.0, **knobs(config))
    tree = header["state"] if version == VERSION else _version_1_state(header, arrays)
    if isinstance(tree, dict):  # written before the lab: no settings changes
        tree = {"events": [], "scheduled": [], "archive": None, **tree}  # None: an empty archive
    state = decode(tree, RunState, arrays, f"{prefix}state", {f"{prefix}state.strategy": strategy.state_type})
    state.check(strategy, config.extra_tracks, config.test_curve, config.generations)
    if state.pending is None:
        trial = copy.deepcopy(state.strategy)  # a damaged state shows itself when used
        try:
            asked = strategy.ask(trial)
        except NotFinite:  # a run's last finite state, kept when its next one overflowed: it stops there again
            asked = np.zeros((config.population, strategy.genome_size))
        if asked.shape != (config.population, strategy.genome_size) or not np.isfinite(asked).all():
            raise ValueError("the strategy's state does not fit the run")
    notes = header.get("notes", {})
    return Checkpoint(config, track, state, notes if isinstance(notes, dict) else {})


def _version_1_state(header: dict[str, Any], arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """The state tree of a version-1 checkpoint, whose fields were separate header keys and members."""

    def unflatten(value: Any) -> Any:  # version 1 wrote dicts as {"dict": {...}} and arrays as {"array": name}
        if isinstance(value, dict) and set(value) == {"dict"} and isinstance(value["dict"], dict):
            return {k: unflatten(v) for k, v in value["dict"].items()}
        return value

    def member(name: str) -> dict[str, str] | None:
        return {"array": name} if name in arrays else None

    old = unflatten(header["strategy_state"])
    strategy = STRATEGIES[header["config"]["strategy"]].version_1_state(old, header["generation"], member)
    champions = ("generations", "genomes", "result_generations", "results")
    return {
        "strategy": strategy,
        "track_rng": {"generator": header["track_rng"]},
        "history": {"array": "history"},
        "champions": {name: {"array": f"curve_{name}"} for name in champions},
        "best_ever_genomes": {"array": "best_ever_genomes"},
        "best_ever_scores": {"array": "best_ever_scores"},
        "generation": header["generation"],
        "reported": header["reported"],
        "ranked_genomes": member("ranked_genomes"),
        "ranked_scores": member("ranked_scores"),
        "pending": member("pending"),
        "pending_track_seeds": member("pending_track_seeds"),
    }


class Checkpointer:
    """A reporter that writes a checkpoint every `every` generations; a failed write is reported, not fatal.

    claim() locks the checkpoint's path for this run (another run that tries gets an InputError);
    release() lets it go when the run's last checkpoint is written.
    """

    def __init__(self, path: str | os.PathLike, every: int, warn) -> None:
        self.path = Path(path)
        self.every = every
        self.warn = warn  # called with one line when a write fails; the run goes on
        self.saved_generation: int | None = None
        self.notes: dict[str, Any] = {}
        self._lock: CheckpointLock | None = None

    def claim(self) -> None:
        """Lock the path for this run, or InputError if another run holds it."""
        lock = CheckpointLock(self.path)
        lock.acquire()
        self._lock = lock

    def move_to(self, path: Path) -> None:
        """Checkpoint to another path from now on (a new run started in the same window)."""
        lock = CheckpointLock(path)
        lock.acquire()
        self.release()
        self.path, self._lock, self.saved_generation = Path(path), lock, None

    def end_generation(self, evolution: Evolution, stats) -> None:
        if evolution.generation % self.every == 0:
            self.save(evolution)

    def save(self, evolution: Evolution) -> bool:
        """Write now; True if it worked (never a state an error left half changed: the file keeps the last one)."""
        if evolution.torn is not None:
            self.warn(f"checkpoint not saved: an error left the run half changed; {self.path} keeps its last state")
            return False
        try:
            save_checkpoint(self.path, evolution.config, evolution.track, evolution.state, self.notes)
        except InputError as exc:
            self.warn(f"checkpoint not saved: {exc}")
            return False
        self.saved_generation = evolution.generation
        return True

    def close(self) -> None:
        """Nothing: the lock is held until release(), after the run's last checkpoint."""

    def release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


class ComparisonCheckpointer:
    """Writes every run of a comparison to one checkpoint: when all runs have raced a multiple of `every`
    generations (due()), and at the end; a failed write is reported, not fatal. Locked like Checkpointer."""

    def __init__(self, path: str | os.PathLike, every: int, warn, specs: list[str]) -> None:
        self.path = Path(path)
        self.every = every
        self.warn = warn  # called with one line when a write fails; the runs go on
        self.specs = list(specs)
        self.evolutions: list[Evolution] = []
        self.saved_marks: tuple[int, ...] | None = None  # each run's generation at the last write
        self.failed = False  # the latest write failed (said through warn)
        self._due_seen = 0
        self._lock: CheckpointLock | None = None

    def claim(self) -> None:
        """Lock the path for this comparison, or InputError if another run holds it."""
        lock = CheckpointLock(self.path)
        lock.acquire()
        self._lock = lock

    def attach(self, evolutions: list[Evolution]) -> None:
        """The runs to write, from where they are now (a resumed comparison's file already holds that)."""
        self.evolutions = list(evolutions)
        self._due_seen = self.generation

    @property
    def generation(self) -> int:
        """The generations every run has raced: the lowest run's next generation."""
        return min(evolution.generation for evolution in self.evolutions)

    def due(self) -> bool:
        """True once per multiple of `every` that every run has reached."""
        generation = self.generation
        if generation % self.every or generation == self._due_seen:
            return False
        self._due_seen = generation
        return True

    @property
    def up_to_date(self) -> bool:
        """True when the file holds every run as it is now."""
        return self.saved_marks == tuple(evolution.generation for evolution in self.evolutions)

    def save(self) -> bool:
        """Write every run now; True if it worked (never a state an error left half changed)."""
        if any(evolution.torn is not None for evolution in self.evolutions):
            self.warn(f"checkpoint not saved: an error left a run half changed; {self.path} keeps its last state")
            self.failed = True
            return False
        runs = [(evolution.config, evolution.track, evolution.state) for evolution in self.evolutions]
        try:
            save_comparison(self.path, self.specs, runs)
        except InputError as exc:
            self.warn(f"checkpoint not saved: {exc}")
            self.failed = True
            return False
        self.failed = False
        self.saved_marks = tuple(evolution.generation for evolution in self.evolutions)
        return True

    def release(self) -> None:
        """Let the path go, after the last write."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None
