"""Checkpoints: the whole state of a run in one .npz (read with allow_pickle=False) with a JSON header.

Arrays (population, strategy state, history, track) are .npy members; everything else (settings,
generators' states, counters) is the JSON header, stored as the member 'header'. Written atomically,
so the previous checkpoint stays whole until the new one is complete.
"""

from __future__ import annotations

import copy
import io
import json
import os
import time
import zipfile
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InputError
from .evolve import BEST_EVER, Evolution, RunConfig
from .files import check_file, read_npy, write_atomic
from .history import COLUMNS, History
from .track import Track

FORMAT = "neuroracer-checkpoint"
VERSION = 1
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_MEMBERS = 256


def _flatten(value: Any, name: str, arrays: dict[str, np.ndarray]) -> Any:
    """JSON for a state tree; its arrays go to `arrays` and are replaced by {"array": name}."""
    if isinstance(value, np.ndarray):
        arrays[name] = value
        return {"array": name}
    if isinstance(value, dict):
        return {"dict": {str(k): _flatten(v, f"{name}.{k}", arrays) for k, v in value.items()}}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_flatten(v, f"{name}.{i}", arrays) for i, v in enumerate(value)]
    return value


def _unflatten(value: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"array"}:
            return arrays[value["array"]]
        if set(value) == {"dict"} and isinstance(value["dict"], dict):
            return {k: _unflatten(v, arrays) for k, v in value["dict"].items()}
        raise ValueError("unexpected object in the state")
    if isinstance(value, list):
        return [_unflatten(v, arrays) for v in value]
    return value


def save_checkpoint(path: str | os.PathLike, evolution: Evolution, notes: dict[str, Any] | None = None) -> Path:
    """Write the run's whole state to path atomically (replacing the previous checkpoint only when complete)."""
    arrays: dict[str, np.ndarray] = {}
    strategy_state = _flatten(evolution.strategy.state(), "strategy", arrays)
    arrays["history"] = evolution.history.to_arrays()
    arrays["track_top"] = evolution.track.top
    arrays["track_bottom"] = evolution.track.bottom
    if evolution.ranked_genomes is not None:
        arrays["ranked_genomes"] = evolution.ranked_genomes
        arrays["ranked_scores"] = evolution.ranked_scores
    arrays["best_ever_genomes"] = evolution.best_ever_genomes
    arrays["best_ever_scores"] = evolution.best_ever_scores
    curve_generations, curve_genomes = evolution.test_curve.waiting_champions()
    arrays["curve_generations"] = curve_generations
    arrays["curve_genomes"] = curve_genomes
    arrays["curve_result_generations"] = np.array(sorted(evolution.test_curve.results), dtype=np.int64)
    arrays["curve_results"] = np.array(
        [evolution.test_curve.results[g] for g in sorted(evolution.test_curve.results)], dtype=np.int64
    )
    if evolution.pending is not None:
        arrays["pending"] = evolution.pending
        arrays["pending_track_seeds"] = evolution.pending_track_seeds
    header = {
        "format": FORMAT,
        "version": VERSION,
        "saved": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "config": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(evolution.config).items()},
        "generation": evolution.generation,
        "reported": evolution.reported,
        "track_name": evolution.track.name,
        "track_rng": evolution.track_rng.bit_generator.state,
        "strategy_state": strategy_state,
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
    if header.get("version") != VERSION:
        raise InputError(f"{path}: checkpoint version {header.get('version')!r} is not supported (reads {VERSION})")
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


def load_checkpoint(path: str | os.PathLike, reporters: list | None = None) -> tuple[Evolution, dict[str, Any]]:
    """A run restored from a checkpoint, ready to go on exactly where it was; and the header's notes."""
    path = Path(path)
    header, arrays = _read_members(path)
    try:
        config_fields = {f.name for f in fields(RunConfig)}
        raw_config = header["config"]
        if not isinstance(raw_config, dict) or set(raw_config) - config_fields:
            raise ValueError("unknown settings in the checkpoint")
        raw_config = {k: tuple(v) if k == "layers" else v for k, v in raw_config.items()}
        config = RunConfig(**raw_config)
        track = Track(str(header["track_name"]), arrays.pop("track_top"), arrays.pop("track_bottom"))
        evolution = Evolution(config, track, reporters or [])
        generation = header["generation"]
        history = arrays.pop("history")
        if history.dtype.kind != "f":
            raise ValueError("the history must hold floats")
        if not isinstance(generation, int) or history.shape != (len(COLUMNS), generation):
            raise ValueError("the history does not match the generation count")
        if not np.isfinite(history).all():
            raise ValueError("the history holds a NaN or infinite value")
        evolution.generation = generation
        reported = header["reported"]
        if not isinstance(reported, int) or not 0 <= reported <= generation:
            raise ValueError("the count of reported generations does not fit the run")
        evolution.reported = reported
        curve_generations, curve_genomes = arrays.pop("curve_generations"), arrays.pop("curve_genomes")
        result_generations, results = arrays.pop("curve_result_generations"), arrays.pop("curve_results")
        if (
            curve_generations.ndim != 1
            or curve_genomes.shape != (len(curve_generations), evolution.network.genome_size)
            or curve_generations.dtype.kind not in "iu"
            or curve_genomes.dtype.kind != "f"
            or not np.isfinite(curve_genomes).all()
            or result_generations.shape != results.shape
            or result_generations.ndim != 1
            or results.dtype.kind not in "iu"
            or result_generations.dtype.kind not in "iu"
        ):
            raise ValueError("the test curve's waiting champions are damaged")
        evolution.test_curve.restore(curve_generations, curve_genomes)
        evolution.test_curve.results = dict(zip(result_generations.tolist(), results.tolist()))
        evolution.history = History.from_arrays(history.astype(np.float64))
        evolution.track_rng.bit_generator.state = header["track_rng"]
        size = (config.population, evolution.network.genome_size)
        for name in ("ranked_genomes", "pending"):
            if name in arrays and (
                arrays[name].shape != size or arrays[name].dtype.kind != "f" or not np.isfinite(arrays[name]).all()
            ):
                raise ValueError(f"{name} has the wrong shape or a non-finite value")
        if "ranked_genomes" in arrays:
            evolution.ranked_genomes = arrays.pop("ranked_genomes").astype(np.float64)
            scores = arrays.pop("ranked_scores")
            if scores.shape != (config.population,) or scores.dtype.kind not in "iu":
                raise ValueError("ranked_scores has the wrong shape or type")
            evolution.ranked_scores = scores.astype(np.int64)
        best_genomes, best_scores = arrays.pop("best_ever_genomes"), arrays.pop("best_ever_scores")
        if (
            best_genomes.ndim != 2
            or best_genomes.shape[1] != evolution.network.genome_size
            or best_genomes.shape[0] > BEST_EVER
            or best_scores.shape != (best_genomes.shape[0],)
            or best_genomes.dtype.kind != "f"
            or best_scores.dtype.kind not in "iu"
            or not np.isfinite(best_genomes).all()
        ):
            raise ValueError("the best-ever genomes are damaged")
        evolution.best_ever_genomes = best_genomes.astype(np.float64)
        evolution.best_ever_scores = best_scores.astype(np.int64)
        evolution.pending = arrays.pop("pending").astype(np.float64) if "pending" in arrays else None
        if evolution.pending is not None:
            seeds = arrays.pop("pending_track_seeds")
            if seeds.shape != (config.extra_tracks,) or seeds.dtype.kind not in "iu":
                raise ValueError("pending_track_seeds does not fit the run")
            evolution.pending_track_seeds = seeds.astype(np.int64)
        evolution.strategy.set_state(_unflatten(header["strategy_state"], arrays))
        trial = copy.deepcopy(evolution.strategy)  # a damaged state shows itself when used
        if evolution.pending is None:
            asked = trial.ask()
            if asked.shape != size or not np.isfinite(asked).all():
                raise ValueError("the strategy's state does not fit the run")
        seconds = float(history[COLUMNS.index("seconds"), -1]) if generation else 0.0
        evolution.restart_clock(seconds)
        notes = header.get("notes", {})
        return evolution, notes if isinstance(notes, dict) else {}
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    except (KeyError, ValueError, TypeError, IndexError, AttributeError, OverflowError) as exc:
        detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: the checkpoint's state is damaged ({detail})") from None


class Checkpointer:
    """A reporter that writes a checkpoint every `every` generations; a failed write is reported, not fatal."""

    def __init__(self, path: str | os.PathLike, every: int, warn) -> None:
        self.path = Path(path)
        self.every = every
        self.warn = warn  # called with one line when a write fails; the run goes on
        self.saved_generation: int | None = None
        self.notes: dict[str, Any] = {}

    def end_generation(self, evolution: Evolution, stats) -> None:
        if evolution.generation % self.every == 0:
            self.save(evolution)

    def save(self, evolution: Evolution) -> bool:
        """Write now; True if it worked."""
        try:
            save_checkpoint(self.path, evolution, self.notes)
        except InputError as exc:
            self.warn(f"checkpoint not saved: {exc}")
            return False
        self.saved_generation = evolution.generation
        return True

    def close(self) -> None:
        pass
