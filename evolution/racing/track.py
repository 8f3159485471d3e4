"""Tracks: a top and a bottom barrier, one height per column, built in or read from a file."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np
from scipy import ndimage

from evolution import budget
from evolution.atomic import check_file, read_npy
from evolution.breeding.seeds import SEEDS
from evolution.errors import InputError

SENSORS = (0, 5, 9)  # columns ahead at which a dot reads the barriers
MIN_COLUMNS = SENSORS[-1] + 1
MAX_COLUMNS = 10_000_000
MAX_TRACK_FILE_BYTES = 256 * 1024 * 1024
MAX_HEIGHT = 1e6  # track units; the window's spans of farther barriers overflow (9e307 - -9e307 is inf)
CSV_CHUNK_CHARS = 1 << 18  # a CSV is parsed this much at a time, so refusing it is cheap and Ctrl+C gets through
MAX_ROW_CHARS = 1000
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # where str.splitlines splits
HEADERS = ("top", "top,bottom")
RANDOM_TRACK_COLUMNS = 1000
TEST_TRACK_COLUMNS = 4000
TEST_TRACK_SEED = 0
SAVED_TRACK = re.compile(
    r"^tracks/[A-Za-z0-9_-]{1,60}\.csv$"
)  # where the editor saves (evolution/racing/track_draft.py)


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
    """The barriers as contiguous float64 arrays, or an InputError starting with label.

    They must be equal-length columns, finite, within MAX_HEIGHT, the bottom below the top, and the
    corridor must hold the dots' start: height 0 at column 0.
    """
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
    far = np.flatnonzero((np.abs(top) > MAX_HEIGHT) | (np.abs(bottom) > MAX_HEIGHT))
    if far.size:
        raise InputError(f"{label}: at column {far[0]} a barrier lies farther than {MAX_HEIGHT:g} from height 0")
    bad = np.flatnonzero(bottom >= top)
    if bad.size:
        raise InputError(f"{label}: at column {bad[0]} the bottom barrier is not below the top")
    if not bottom[0] < 0 < top[0]:
        raise InputError(
            f"{label}: the dots start at height 0, outside the corridor at column 0 ({bottom[0]:g} to {top[0]:g})"
        )
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
    budget.check(f"track {name}", budget.track_bytes(columns))
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
            data = read_npy(stream, path.stat().st_size, str(path), lambda shape: _check_npy_shape(shape, path))
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if data.dtype.kind not in "iuf":
        raise InputError(f"{path}: the array must hold real numbers")
    return data.astype(np.float64)


def _check_npy_shape(shape: tuple[int, ...], path: Path) -> None:
    """Refuse an array too long for a track or for the memory budget, by the shape its header declares."""
    rows = shape[0] if shape else 1
    if rows > MAX_COLUMNS:
        raise InputError(f"{path}: {rows} rows; a track has at most {MAX_COLUMNS} columns")
    budget.check(f"{path}: {rows} rows", budget.track_bytes(rows))


def _read_csv(path: Path) -> np.ndarray:
    """(rows, width) float64 of a CSV, read a chunk at a time; a leading UTF-8 byte-order mark is skipped."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as stream:
            return _parse_csv(stream, str(path))
    except (UnicodeDecodeError, OSError) as exc:
        raise InputError(f"{path}: not a readable text file ({_first_line(exc)})") from None


def _parse_csv(stream: TextIO, label: str) -> np.ndarray:
    """(rows, width) float64 of CSV text: blank lines skipped, an optional header, then width numbers a row.

    Each cell is read by float(), the exact double. The text is taken CSV_CHUNK_CHARS at a time, so a file
    of too many rows is refused having held at most MAX_COLUMNS rows, and Ctrl+C is answered between chunks.
    """
    blocks: list[np.ndarray] = []
    rows_read, width, carry, header_seen = 0, 0, "", False
    while True:
        chunk = stream.read(CSV_CHUNK_CHARS)
        lines = (carry + chunk).splitlines()
        carry = ""
        if chunk and lines and chunk[-1] not in LINE_BREAKS:
            carry = lines.pop()  # the start of a line that goes on in the next chunk
        rows = [row for row in map(str.strip, lines) if row]
        if rows and not header_seen:
            header_seen = True
            if rows[0].replace(" ", "").lower() in HEADERS:
                rows = rows[1:]
        if rows:
            width = width or _row_width(rows[0], label)
            blocks.append(_parse_rows(rows, width, rows_read, label))
            rows_read += len(rows)
            if rows_read > MAX_COLUMNS:
                raise InputError(f"{label}: more than {MAX_COLUMNS} rows; a track has at most {MAX_COLUMNS} columns")
            budget.check(f"{label}: {rows_read} rows", budget.track_bytes(rows_read))
        if len(carry) > MAX_ROW_CHARS:
            raise InputError(f"{label}: row {rows_read + 1} is longer than {MAX_ROW_CHARS} characters")
        if not chunk:
            break
    if not blocks:
        raise InputError(f"{label}: the track file holds no rows")
    return np.concatenate(blocks)


def _row_width(row: str, label: str) -> int:
    """The number of values in the first row: one (top) or two (top, bottom)."""
    width = row.count(",") + 1
    if width > 2:
        raise InputError(f"{label}: expected one column (top) or two (top, bottom), got {width} values in row 1")
    return width


def _parse_rows(rows: list[str], width: int, before: int, label: str) -> np.ndarray:
    """(len(rows), width) float64 of stripped, non-blank rows, numbered from before + 1 in messages.

    The first row that has another width or a cell float() refuses is reported, as a row-by-row reader would.
    """
    too_long = next((index for index, row in enumerate(rows) if len(row) > MAX_ROW_CHARS), len(rows))
    ragged = next((index for index, row in enumerate(rows) if row.count(",") != width - 1), len(rows))
    good = rows[: min(too_long, ragged)]
    try:
        values = list(map(float, ",".join(good).split(",") if width > 1 and good else good))
    except ValueError:
        for index, row in enumerate(good):
            try:
                [float(cell) for cell in row.split(",")]
            except ValueError:
                raise InputError(f"{label}: row {before + index + 1} is not numeric: {row[:40]!r}") from None
        raise
    if too_long < ragged:
        raise InputError(f"{label}: row {before + too_long + 1} is longer than {MAX_ROW_CHARS} characters")
    if ragged < len(rows):
        found = rows[ragged].count(",") + 1
        raise InputError(f"{label}: row {before + ragged + 1} has {found} values, the first row has {width}")
    return np.array(values, dtype=np.float64).reshape(-1, width)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def start_track(track_name: str, events) -> str:
    """The name of the track a run started on: the old value of its first track change, else track_name."""
    return next((event.old for event in events if event.setting == "track"), track_name)


def random_track_numbers(spec: str) -> tuple[int, int]:
    """The seed and columns of a track named random:SEED[:COLUMNS], or InputError naming what is wrong."""
    parts = spec.split(":")[1:]
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) not in (1, 2) or not 0 <= numbers[0] < SEEDS:
        raise InputError(f"track {spec!r}: expected random:SEED or random:SEED:COLUMNS, SEED in 0..{SEEDS - 1}")
    columns = numbers[1] if len(numbers) == 2 else RANDOM_TRACK_COLUMNS
    if not MIN_COLUMNS <= columns <= MAX_COLUMNS:
        raise InputError(f"track {spec!r}: COLUMNS must be between {MIN_COLUMNS} and {MAX_COLUMNS}")
    return numbers[0], columns
