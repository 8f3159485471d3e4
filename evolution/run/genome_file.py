"""Genome files: JSON with a format name and version, the genomes best first; never pickle.

Floats are written with Python's repr, which reads back to the same double exactly.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import reprlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from evolution import budget
from evolution.atomic import read_limited, write_atomic
from evolution.breeding.seeds import SEEDS
from evolution.errors import InputError
from evolution.racing.network import (  # as --layers: a file's network costs what a run's may
    MAX_LAYER_WIDTH,
    MAX_LAYERS,
    Network,
)
from evolution.racing.race import INPUTS
from evolution.run.saved_run import check_saved_run

FORMAT = "neuroracer-genomes"
VERSION = 1
MAX_BYTES = 32 * 1024 * 1024  # about 15,000 genomes of 105 weights; parsed JSON takes several times that
# Every field a file must hold, and no other; a new field is added here and checked in _check.
FIELDS = ("format", "version", "layers", "strategy", "seed", "generation", "track", "created", "genomes")
TEXT_FIELDS = ("strategy", "track", "created")
MAX_TEXT = 200  # characters of a text field
MIN_WEIGHT_BYTES = 2  # the shortest a weight can be written in the file: a digit and a comma
SAVED_WEIGHT_BYTES = 6  # the least a weight takes in a file save_genomes writes: its line's indent, a digit, its end
# The largest weight a file holds: with inputs of at most a few million (the barriers' MAX_HEIGHT) and 4096 neurons
# a layer, no sum of a network reaches inf, whose inf - inf would drive a dot on NaN, which no barrier stops.
MAX_WEIGHT = 1e100
OPTIONAL_FIELDS = ("settings", "events")  # the run that made the genomes: its start settings and its changes


@dataclass(frozen=True, eq=False)
class GenomeFile:
    """Saved genomes, best first. genomes: (K, D) float64; scores: (K,) int64."""

    layers: tuple[int, ...]
    genomes: np.ndarray
    scores: np.ndarray
    strategy: str
    seed: int | None
    generation: int
    track: str
    created: str = ""
    settings: dict[str, Any] | None = None  # the run's start settings (lab.start_settings); None in older files
    events: tuple = ()  # the run's settings changes (settings.SettingEvent), in order

    @property
    def network(self) -> Network:
        return Network(self.layers)


def save_genomes(path: str | os.PathLike, record: GenomeFile, replace: bool = False) -> Path:
    """Write a genome file atomically; an existing file is kept unless replace is set."""
    created = record.created or datetime.now(UTC).isoformat(timespec="seconds")
    document = {
        "format": FORMAT,
        "version": VERSION,
        "layers": list(record.layers),
        "strategy": shown(record.strategy),
        "seed": record.seed,
        "generation": int(record.generation),
        "track": shown(record.track),
        "created": shown(created),
        "genomes": [
            {"score": int(score), "weights": [float(w) for w in weights]}
            for score, weights in zip(record.scores, record.genomes)
        ],
    }
    too_large = np.flatnonzero(~(np.abs(np.asarray(record.genomes, dtype=np.float64)) <= MAX_WEIGHT).all(axis=1))
    if too_large.size:  # never write a file that load_genomes would refuse
        raise InputError(
            f"{path}: genome {too_large[0]} holds a weight beyond ±{MAX_WEIGHT:g} (or not a number), which a "
            "genome file may not hold; not written"
        )
    if record.settings is not None:
        document["settings"] = record.settings
        document["events"] = [dataclasses.asdict(event) for event in record.events]
    data = json.dumps(document, indent=1, allow_nan=False).encode("utf-8")
    if len(data) > MAX_BYTES:  # never write a file that load_genomes would refuse
        raise InputError(
            f"{path}: {len(record.genomes)} genomes of layers {','.join(map(str, record.layers))} take {len(data)} "
            f"bytes, more than a genome file may hold ({MAX_BYTES} bytes); not written: keep fewer (--keep)"
        )
    return write_atomic(path, data, replace=replace)


def smallest_saved_bytes(count: int, layers: tuple[int, ...]) -> int:
    """The fewest bytes save_genomes can write for count genomes of these layers (their weights alone)."""
    return int(count) * budget.genome_size(layers) * SAVED_WEIGHT_BYTES


def shown(text: str) -> str:
    """text as a genome file may hold it: at most MAX_TEXT printable characters (others become U+FFFD).

    A track file's name can hold a control character or, undecodable, a lone surrogate; the file saved
    from it must still load.
    """
    text = "".join(char if char.isprintable() else "\ufffd" for char in str(text))
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed")


def load_genomes(path: str | os.PathLike) -> GenomeFile:
    """Read and check a genome file; anything wrong raises InputError naming the file and the problem."""
    data = read_limited(path, MAX_BYTES, "genome file")
    budget.check(f"{path}: parsing {len(data)} bytes of JSON", budget.json_bytes(len(data)))
    try:
        document = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a genome file (not UTF-8 text)") from None
    except RecursionError:
        raise InputError(f"{path}: not a genome file (JSON nested too deeply)") from None
    except ValueError as exc:
        raise InputError(f"{path}: not a genome file (bad JSON: {exc})") from None
    try:
        return _check(document, str(path), len(data))
    except (ValueError, TypeError) as exc:
        raise InputError(f"{path}: {exc}") from None


def _whole(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"field {field!r} must be a whole number")
    if not low <= value <= high:
        raise ValueError(f"field {field!r} is {value}, outside {low}..{high}")
    return value


def _finite_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _text(value: Any, field: str) -> str:
    """A text field's value: printable (no control characters, no lone surrogates) and short."""
    if not isinstance(value, str):
        raise ValueError(f"field {field!r} must be text, not {reprlib.repr(value)}")
    if len(value) > MAX_TEXT:
        raise ValueError(f"field {field!r} is {len(value)} characters long, more than {MAX_TEXT}")
    bad = next((index for index, char in enumerate(value) if not char.isprintable()), None)
    if bad is not None:
        raise ValueError(f"field {field!r} holds a character that cannot be shown: U+{ord(value[bad]):04X} at {bad}")
    return value


def _check(document: Any, label: str, file_bytes: int) -> GenomeFile:
    """The GenomeFile a parsed document describes; ValueError (or InputError starting with label) if wrong."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f'not a genome file (no "format": "{FORMAT}")')
    version = document.get("version")
    if version != VERSION or isinstance(version, bool):
        raise ValueError(f"genome file version {reprlib.repr(version)} is not supported (this program reads {VERSION})")
    missing = [field for field in FIELDS if field not in document]
    if missing:
        raise ValueError(f"field {missing[0]!r} is missing")
    unknown = [field for field in document if field not in FIELDS + OPTIONAL_FIELDS]
    if unknown:
        raise ValueError(f"unknown field {reprlib.repr(unknown[0])}")
    layers = document["layers"]
    if not isinstance(layers, list) or not layers:
        raise ValueError("field 'layers' must be a list of layer sizes")
    if len(layers) > MAX_LAYERS:
        raise ValueError(f"field 'layers' has {len(layers)} sizes, more than {MAX_LAYERS} (as many as --layers allows)")
    layers = tuple(_whole(size, "layers", 1, MAX_LAYER_WIDTH) for size in layers)
    network = Network(layers)
    if layers[0] != INPUTS or layers[-1] != 1:
        raise ValueError(f"layers {list(layers)} cannot drive: a driver has {INPUTS} inputs and 1 output")
    seed = document["seed"]
    if seed is not None:
        seed = _whole(seed, "seed", 0, SEEDS - 1)
    generation = _whole(document["generation"], "generation", 0, 10**9)
    entries = document["genomes"]
    if not isinstance(entries, list) or not entries:
        raise ValueError("field 'genomes' must be a non-empty list")
    texts = {field: _text(document[field], field) for field in TEXT_FIELDS}
    size, count = network.genome_size, len(entries)
    # The layers say how many weights each entry must hold: bound them before allocating for them.
    what = f"{label}: {count} genomes of layers {list(layers)}"
    budget.check(what, budget.genome_file_bytes(count, layers))
    if count * size * MIN_WEIGHT_BYTES > file_bytes:
        raise ValueError(f"{count} genomes of {size} weights (layers {list(layers)}) cannot fit in {file_bytes} bytes")
    genomes = np.empty((count, size))
    scores = np.empty(len(entries), dtype=np.int64)
    for row, entry in enumerate(entries):
        if not isinstance(entry, dict) or set(entry) != {"score", "weights"}:
            raise ValueError(f"genome {row} must hold exactly 'score' and 'weights'")
        scores[row] = _whole(entry["score"], f"genomes[{row}].score", 0, 10**9)
        weights = entry["weights"]
        if not isinstance(weights, list) or len(weights) != size:
            found = len(weights) if isinstance(weights, list) else type(weights).__name__
            raise ValueError(f"genome {row} has {found} weights; layers {list(layers)} need {size}")
        for value in weights:
            if not _finite_number(value):
                raise ValueError(f"genome {row} holds a weight that is not a finite number: {reprlib.repr(value)}")
        genomes[row] = weights
        largest = float(np.abs(genomes[row]).max(initial=0.0))
        if largest > MAX_WEIGHT:
            raise ValueError(
                f"genome {row} holds a weight of {largest:.3g}, beyond ±{MAX_WEIGHT:g}: its network's sums would "
                "overflow"
            )
    return GenomeFile(
        layers=layers,
        genomes=genomes,
        scores=scores,
        seed=seed,
        generation=generation,
        **texts,
        **check_saved_run(document),
    )
