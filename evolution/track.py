"""Tracks: a top and a bottom barrier, one height per column, built in or read from a file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import ndimage

from .errors import InputError
from .files import check_file, read_npy

SENSORS = (0, 5, 9)  # columns ahead at which a dot reads the barriers
MIN_COLUMNS = SENSORS[-1] + 1
MAX_COLUMNS = 10_000_000
MAX_TRACK_FILE_BYTES = 256 * 1024 * 1024
RANDOM_TRACK_COLUMNS = 1000
TEST_TRACK_COLUMNS = 4000
TEST_TRACK_SEED = 0


@dataclass(frozen=True, eq=False)
class Track:
    """A corridor. top, bottom: (columns,) float64, track units; bottom < top everywhere."""

    name: str
    top: np.ndarray
    bottom: np.ndarray

    def __post_init__(self) -> None:
        top, bottom = check_barriers(f"track {self.name}", self.top, self.bottom)
        top.flags.writeable = False
        bottom.flags.writeable = False
        object.__setattr__(self, "top", top)
        object.__setattr__(self, "bottom", bottom)

    @property
    def columns(self) -> int:
        return int(self.top.size)

    @property
    def finish(self) -> int:
        """The score of a dot that reaches the end: the steps a race lasts."""
        return self.columns - SENSORS[-1]


def check_barriers(label: str, top: np.ndarray, bottom: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The barriers as contiguous float64 arrays, or an InputError starting with label."""
    top = np.ascontiguousarray(top, dtype=np.float64)
    bottom = np.ascontiguousarray(bottom, dtype=np.float64)
    if top.ndim != 1 or top.shape != bottom.shape:
        raise InputError(f"{label}: the barriers must be two columns of equal length")
    if top.size < MIN_COLUMNS:
        raise InputError(f"{label}: {top.size} columns is too short; the sensors need at least {MIN_COLUMNS}")
    if top.size > MAX_COLUMNS:
        raise InputError(f"{label}: {top.size} columns is more than {MAX_COLUMNS}")
    if not (np.isfinite(top).all() and np.isfinite(bottom).all()):
        raise InputError(f"{label}: the barriers hold a NaN or infinite value")
    bad = np.flatnonzero(bottom >= top)
    if bad.size:
        raise InputError(f"{label}: at column {bad[0]} the bottom barrier is not below the top")
    return top, bottom


def training_track() -> Track:
    """The blog's 400-column training track."""
    x = np.arange(0, 400) / 10
    bump = np.exp(-((x - 20) ** 2) / 100)
    bowl = (x - 25) ** 2 / 100
    top = np.sin(x * bump) * 0.5 + 0.1 + np.sin(x) + bowl
    top = top - top[0] + 0.5
    return Track("training", top, top - 1)


def noise_track(seed: int, columns: int, name: str) -> Track:
    """Smoothed uniform noise, the kind of the blog's test track, from numpy's RandomState(seed)."""
    noise = np.random.RandomState(seed).random(columns)
    top = ndimage.gaussian_filter1d(noise, 10) * 20
    top = top - top[0] + 0.5
    return Track(name, top, top - 1)


def blog_test_track() -> Track:
    """The blog's unseen 4000-column test track."""
    return noise_track(TEST_TRACK_SEED, TEST_TRACK_COLUMNS, "test")


def random_track(seed: int, columns: int = RANDOM_TRACK_COLUMNS) -> Track:
    """A new track of the test track's kind; random:0:4000 is the test track itself."""
    name = f"random:{seed}" if columns == RANDOM_TRACK_COLUMNS else f"random:{seed}:{columns}"
    return noise_track(seed, columns, name)


def load_track_file(path: str | os.PathLike) -> Track:
    """A track from .csv or .npy: one column (top; the bottom lies 1 below) or two (top, bottom)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".npy"):
        raise InputError(f"{path}: a track file must end in .csv or .npy")
    check_file(path, MAX_TRACK_FILE_BYTES, "track file")
    data = _read_npy(path) if suffix == ".npy" else _read_csv(path)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2 or data.shape[1] not in (1, 2):
        raise InputError(f"{path}: expected one column (top) or two (top, bottom), got shape {data.shape}")
    top = data[:, 0]
    bottom = data[:, 1] if data.shape[1] == 2 else top - 1
    top, bottom = check_barriers(str(path), top, bottom)
    return Track(path.name, top, bottom)


def _read_npy(path: Path) -> np.ndarray:
    try:
        with open(path, "rb") as stream:
            data = read_npy(stream, path.stat().st_size, str(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if data.dtype.kind not in "iuf":
        raise InputError(f"{path}: the array must hold real numbers")
    return data.astype(np.float64)


def _read_csv(path: Path) -> np.ndarray:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (UnicodeDecodeError, OSError) as exc:
        raise InputError(f"{path}: not a readable text file ({_first_line(exc)})") from None
    rows = [line.strip() for line in lines if line.strip()]
    if rows and rows[0].replace(" ", "").lower() in ("top", "top,bottom"):
        rows = rows[1:]
    if not rows:
        raise InputError(f"{path}: the track file holds no rows")
    width = len(rows[0].split(","))
    values = []
    for number, row in enumerate(rows, start=1):
        cells = row.split(",")
        if len(cells) != width:
            raise InputError(f"{path}: row {number} has {len(cells)} values, the first row has {width}")
        try:
            values.append([float(cell) for cell in cells])
        except ValueError:
            raise InputError(f"{path}: row {number} is not numeric: {row[:40]!r}") from None
    return np.array(values, dtype=np.float64)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def resolve_track(spec: str) -> Track:
    """A track from its name on the command line: training, test, random:SEED[:COLUMNS] or a file."""
    if spec == "training":
        return training_track()
    if spec == "test":
        return blog_test_track()
    if spec.startswith("random:"):
        parts = spec.split(":")[1:]
        try:
            numbers = [int(part) for part in parts]
        except ValueError:
            numbers = []
        if len(numbers) not in (1, 2) or not 0 <= numbers[0] < 2**32:
            raise InputError(f"track {spec!r}: expected random:SEED or random:SEED:COLUMNS, SEED in 0..2**32-1")
        columns = numbers[1] if len(numbers) == 2 else RANDOM_TRACK_COLUMNS
        if not MIN_COLUMNS <= columns <= MAX_COLUMNS:
            raise InputError(f"track {spec!r}: COLUMNS must be between {MIN_COLUMNS} and {MAX_COLUMNS}")
        return random_track(numbers[0], columns)
    return load_track_file(spec)
