"""Per-generation statistics of a run, kept as compact growable arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

COLUMNS = ("generation", "best", "mean", "median", "finished", "seconds", "test_best", "finish", "test_finish")


@dataclass(frozen=True)
class GenerationStats:
    """One generation's results; test_best is -1 when the champion was not driven on the test track.

    finish and test_finish are the scores that finish the race's track and the test track.
    """

    generation: int
    best: int
    mean: float
    median: float
    finished: int
    seconds: float
    test_best: int = -1
    finish: int = 0
    test_finish: int = 0

    @classmethod
    def from_scores(cls, generation: int, scores: np.ndarray, finish: int, seconds: float) -> GenerationStats:
        return cls(
            generation=generation,
            best=int(scores.max()),
            mean=float(scores.mean()),
            median=float(np.median(scores)),
            finished=int((scores >= finish).sum()),
            seconds=seconds,
            finish=finish,
        )


class History:
    """Append-only table of GenerationStats stored column-wise in float64 arrays that double when full."""

    def __init__(self, capacity: int = 256) -> None:
        self._data = np.zeros((len(COLUMNS), capacity))
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def append(self, stats: GenerationStats) -> None:
        if self._size == self._data.shape[1]:
            self._data = np.concatenate([self._data, np.zeros_like(self._data)], axis=1)
        self._data[:, self._size] = [getattr(stats, name) for name in COLUMNS]
        self._size += 1

    def column(self, name: str) -> np.ndarray:
        """A read-only view of one column over all generations so far."""
        view = self._data[COLUMNS.index(name), : self._size]
        view.flags.writeable = False
        return view

    def row(self, index: int) -> GenerationStats:
        """One generation's statistics."""
        if not 0 <= index < self._size:
            raise IndexError(index)
        kinds = (int, int, float, float, int, float, int, int, int)
        return GenerationStats(*(kind(value) for kind, value in zip(kinds, self._data[:, index])))

    def last(self) -> GenerationStats | None:
        return self.row(self._size - 1) if self._size else None

    def set(self, index: int, name: str, value: float) -> None:
        """Fill in a value that arrives later (a champion's test-track score)."""
        if not 0 <= index < self._size:
            raise IndexError(index)
        self._data[COLUMNS.index(name), index] = value

    def to_arrays(self) -> np.ndarray:
        return self._data[:, : self._size].copy()

    @classmethod
    def from_arrays(cls, data: np.ndarray) -> History:
        history = cls(max(256, data.shape[1]))
        history._data[:, : data.shape[1]] = data
        history._size = data.shape[1]
        return history
