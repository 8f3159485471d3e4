"""Observers of a run: progress lines and the CSV log live here, not inside the loop."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .errors import InputError
from .history import GenerationStats

if TYPE_CHECKING:
    from .evolve import Evolution

LOG_HEADER = "generation,best,mean,median,finished,seconds"


class Reporter:
    """Hooks called by a run; each does nothing unless overridden."""

    def end_generation(self, evolution: Evolution, stats: GenerationStats) -> None:
        """Called after every generation has been scored."""

    def close(self) -> None:
        """Called once when the run ends, however it ends."""


def log_row(stats: GenerationStats) -> str:
    """One CSV row; mean and median use repr so they read back exactly."""
    return f"{stats.generation},{stats.best},{stats.mean!r},{stats.median!r},{stats.finished},{stats.seconds:.3f}"


class CsvLog(Reporter):
    """Writes one row per generation to a CSV file, flushed as it goes so a crash loses at most a row."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self._stream: TextIO = open(self.path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 (open for the run)
        except OSError as exc:
            raise InputError(f"{self.path}: cannot write the log ({exc.strerror or exc})") from None
        self._stream.write(LOG_HEADER + "\n")
        self._stream.flush()

    def end_generation(self, evolution: Evolution, stats: GenerationStats) -> None:
        self._stream.write(log_row(stats) + "\n")
        self._stream.flush()

    def close(self) -> None:
        self._stream.close()


class ProgressLine(Reporter):
    """Prints one line per generation."""

    def __init__(self, stream: TextIO = sys.stdout) -> None:
        self.stream = stream

    def end_generation(self, evolution: Evolution, stats: GenerationStats) -> None:
        total = evolution.config.generations
        population = evolution.config.population
        print(
            f"gen {stats.generation:>{len(str(total))}}/{total}  best {stats.best:>5}  mean {stats.mean:8.2f}"
            f"  median {stats.median:7.1f}  finished {stats.finished:>{len(str(population))}}/{population}"
            f"  {stats.seconds:7.2f}s",
            file=self.stream,
            flush=True,
        )
