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
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from .budget import check_run_size
from .errors import InputError
from .evolve import Evolution, RunConfig
from .files import check_file, read_npy, write_atomic
from .network import Network
from .outputs import CheckpointLock
from .run_state import RunState
from .settings import knobs
from .state_codec import checked_text, decode, encode
from .strategies import make_strategy
from .track import Track

FORMAT = "neuroracer-checkpoint"
VERSION = 2
READS = (1, 2)  # version 1: written before the run's state was one object; read by translating it
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_MEMBERS = 256


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


def save_checkpoint(
    path: str | os.PathLike, config: RunConfig, track: Track, state: RunState, notes: dict[str, Any] | None = None
) -> Path:
    """Write a run's whole state to path atomically (replacing the previous checkpoint only when complete)."""
    arrays: dict[str, np.ndarray] = {"track_top": track.top, "track_bottom": track.bottom}
    header = {
        "format": FORMAT,
        "version": VERSION,
        "saved": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "config": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(config).items()},
        "track_name": track.name,
        "state": encode(state, "state", arrays),
        "notes": notes or {},
    }
    buffer = io.BytesIO()
    np.savez(buffer, header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8), **arrays)
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
    """A run's settings, track and state from a checkpoint, every field and their agreement checked."""
    path = Path(path)
    header, arrays = _read_members(path)
    try:
        raw_config = header["config"]
        config_fields = {f.name for f in fields(RunConfig)}
        if not isinstance(raw_config, dict) or set(raw_config) - config_fields:
            raise ValueError("unknown settings in the checkpoint")
        raw_config = {k: tuple(v) if k == "layers" and isinstance(v, list) else v for k, v in raw_config.items()}
        config = RunConfig(**raw_config)
        check_run_size(config.population, config.layers, config.extra_tracks, "its population of {} with layers {}")
        track = Track(checked_text(header["track_name"], "track_name"), arrays["track_top"], arrays["track_bottom"])
        genome_size = Network(config.layers).genome_size
        strategy = make_strategy(config.strategy, genome_size, config.population, 0.0, **knobs(config))
        tree = header["state"] if header["version"] == VERSION else _version_1_state(header, arrays)
        if isinstance(tree, dict):  # written before the lab: no settings changes
            tree = {"events": [], "scheduled": [], "archive": None, **tree}  # None: an empty archive
        state = decode(tree, RunState, arrays, "state", {"state.strategy": strategy.state_type})
        state.check(strategy, config.extra_tracks, config.test_curve, config.generations)
        if state.pending is None:
            trial = copy.deepcopy(state.strategy)  # a damaged state shows itself when used
            asked = strategy.ask(trial)
            if asked.shape != (config.population, strategy.genome_size) or not np.isfinite(asked).all():
                raise ValueError("the strategy's state does not fit the run")
        notes = header.get("notes", {})
        return Checkpoint(config, track, state, notes if isinstance(notes, dict) else {})
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    except (KeyError, ValueError, TypeError, IndexError, AttributeError, OverflowError) as exc:
        detail = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: the checkpoint's state is damaged ({detail})") from None


def _version_1_state(header: dict[str, Any], arrays: dict[str, np.ndarray]) -> dict[str, Any]:
    """The state tree of a version-1 checkpoint, whose fields were separate header keys and members."""

    def unflatten(value: Any) -> Any:  # version 1 wrote dicts as {"dict": {...}} and arrays as {"array": name}
        if isinstance(value, dict) and set(value) == {"dict"} and isinstance(value["dict"], dict):
            return {k: unflatten(v) for k, v in value["dict"].items()}
        return value

    def member(name: str) -> dict[str, str] | None:
        return {"array": name} if name in arrays else None

    old = unflatten(header["strategy_state"])
    rng = old["rng"]
    if header["config"]["strategy"] == "classic":
        random_state = {k: rng[k] for k in ("keys", "pos", "has_gauss", "cached")}
        strategy = {"rng": {"random_state": random_state}, "ranked": member("strategy.ranked")}
        strategy["told"] = header["generation"]
    elif header["config"]["strategy"] == "elitist":
        strategy = {"rng": {"generator": rng}, "ranked": member("strategy.ranked"), "told": old["told"]}
    else:
        strategy = {"rng": {"generator": rng}, "mean": old["mean"], "spread": old["spread"]}
        strategy["noise"] = member("strategy.noise")
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
        """Write now; True if it worked."""
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
