"""A track being drawn in the editor: a centre line through control points, a corridor width, a length.

The editor (game/views/editor_view.py) changes a TrackDraft; the barriers are the centre line, straight between
its control points, plus and minus half the width. check() is the editor's verdict (evolution/racing/drivable.py:
the start inside the corridor, no column too narrow for a dot, and a driving that reaches the finish), and
save() writes a track file that --track reads back (top,bottom rows of exact numbers), atomically and never
over another file, into tracks/.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evolution.atomic import write_atomic
from evolution.errors import InputError
from evolution.racing.drivable import MIN_WIDTH, Drivability, check_editable
from evolution.racing.track import MIN_COLUMNS, Track

SPACING = 20  # columns between control points
DEFAULT_COLUMNS = 600
MAX_EDIT_COLUMNS = 4000
MAX_WIDTH = 5.0
FOLDER = Path("tracks")
MAX_NUMBERED = 10_000


@dataclass
class TrackDraft:
    """heights: the centre line at columns 0, SPACING, 2·SPACING, … (the last at columns - 1); width: the
    corridor's; columns: the track's length."""

    columns: int = DEFAULT_COLUMNS
    width: float = 1.0
    heights: np.ndarray = field(default_factory=lambda: np.zeros(DEFAULT_COLUMNS // SPACING + 1))

    def __post_init__(self) -> None:
        self.heights = np.asarray(self.heights, dtype=np.float64).copy()
        self.resize(self.columns)

    @property
    def point_columns(self) -> np.ndarray:
        """(k,) the column of each control point."""
        return np.minimum(np.arange(self.heights.size) * SPACING, self.columns - 1)

    def centre(self) -> np.ndarray:
        """(columns,) the centre line, straight between control points."""
        return np.interp(np.arange(self.columns), self.point_columns, self.heights)

    def barriers(self) -> tuple[np.ndarray, np.ndarray]:
        """(top, bottom), (columns,) each."""
        centre = self.centre()
        return centre + self.width / 2, centre - self.width / 2

    def nearest_point(self, column: float) -> int:
        """The index of the control point nearest a column."""
        return int(np.clip(round(column / SPACING), 0, self.heights.size - 1))

    def set_height(self, index: int, height: float) -> None:
        self.heights[int(np.clip(index, 0, self.heights.size - 1))] = float(np.clip(height, -1e4, 1e4))

    def draw_to(self, column: float, height: float) -> int:
        """Put the centre line through (column, height): the nearest control point moves there. Its index."""
        index = self.nearest_point(column)
        self.set_height(index, height)
        return index

    def draw_line(self, start: tuple[float, float], end: tuple[float, float]) -> int:
        """Put the centre line along the segment from start to end, (column, height) each: every control point
        between them moves onto it (a quick stroke skips none). The index of the point nearest end."""
        (c0, h0), (c1, h1) = start, end
        first, last = sorted((self.nearest_point(c0), self.nearest_point(c1)))
        for index in range(first, last + 1):
            column = float(self.point_columns[index])
            share = 0.0 if c1 == c0 else float(np.clip((column - c0) / (c1 - c0), 0.0, 1.0))
            self.set_height(index, h0 + share * (h1 - h0))
        return self.draw_to(c1, h1)

    def widen(self, by: float) -> None:
        """A wider (by > 0) or narrower corridor; never under a tenth of the least a dot needs."""
        self.width = float(np.clip(round(self.width + by, 6), MIN_WIDTH / 10, MAX_WIDTH))

    def smooth(self) -> None:
        """Each control point moves halfway to the mean of its neighbours (the ends keep their heights)."""
        if self.heights.size > 2:
            inner = self.heights[1:-1]
            neighbours = (self.heights[:-2] + self.heights[2:]) / 2
            self.heights[1:-1] = (inner + neighbours) / 2

    def resize(self, columns: int) -> None:
        """Another length: control points added at the last one's height, or dropped from the end."""
        self.columns = int(np.clip(columns, MIN_COLUMNS + SPACING, MAX_EDIT_COLUMNS))
        count = -(-(self.columns - 1) // SPACING) + 1
        if count > self.heights.size:
            last = self.heights[-1] if self.heights.size else 0.0
            self.heights = np.concatenate([self.heights, np.full(count - self.heights.size, last)])
        self.heights = self.heights[:count]

    def check(self) -> Drivability:
        """The editor's verdict: refused with a reason (off start, too narrow, undrivable), or the driving."""
        return check_editable(*self.barriers())

    def csv_text(self) -> str:
        """The track file: a top,bottom header, then each column's barriers as exact numbers."""
        top, bottom = self.barriers()
        return "top,bottom\n" + "".join(f"{t!r},{b!r}\n" for t, b in zip(top.tolist(), bottom.tolist()))

    def save(self, folder: Path = FOLDER) -> Path:
        """Write the track into folder as track-N.csv (N the first free number) if it passes check(); its path.
        InputError with the reason if it does not, or cannot be written."""
        verdict = self.check()
        if not verdict.drivable:
            raise InputError(f"not saved: {verdict.reason}")
        data = self.csv_text().encode()
        for number in range(1, MAX_NUMBERED):
            path = Path(folder) / f"track-{number}.csv"
            if path.exists():
                continue
            try:
                return write_atomic(path, data, replace=False)
            except InputError:
                if not path.exists():
                    raise
        raise InputError(f"{folder}: no free track-N.csv name left")

    @classmethod
    def from_track(cls, track: Track) -> TrackDraft:
        """A draft of an existing track: its centre line at the control points, its median width."""
        columns = min(track.columns, MAX_EDIT_COLUMNS)
        centre = (track.top[:columns] + track.bottom[:columns]) / 2
        draft = cls(columns=columns, width=float(np.median(track.top - track.bottom)), heights=np.zeros(1))
        draft.heights = centre[draft.point_columns]
        return draft
