"""Observers of a run: progress lines and the CSV log live here, not inside the loop."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .errors import InputError
from .history import GenerationStats

if TYPE_CHECKING:
    from .evolve import Evolution

LOG_HEADER = "generation,best,mean,median,finished,seconds,test_best"


class Reporter:
    """Hooks called by a run; each does nothing unless overridden."""

    def end_generation(self, evolution: Evolution, stats: GenerationStats) -> None:
        """Called after every generation has been scored."""

    def close(self) -> None:
        """Called once when the run ends, however it ends."""


def log_row(stats: GenerationStats) -> str:
    """One CSV row; mean and median use repr so they read back exactly."""
    test_best = "" if stats.test_best < 0 else str(stats.test_best)
    return (
        f"{stats.generation},{stats.best},{stats.mean!r},{stats.median!r},{stats.finished},{stats.seconds:.3f},"
        f"{test_best}"
    )


class CsvLog(Reporter):
    """Writes one row per generation to a CSV file, flushed as it goes so a crash loses at most a row.

    continue_at: when resuming, keep an existing log's rows before that generation and append after them.
    An existing file that is not a neuroracer log is refused, never replaced. A write that fails later (a
    full disk) stops the log with one warning (warn); the run, its checkpoint and its save go on.
    """

    def __init__(self, path: str | Path, continue_at: int | None = None, warn=None) -> None:
        self.path = Path(path)
        self.warn = warn or (lambda text: print(text, file=sys.stderr))
        self.failed = False
        kept = ""
        if self.path.is_file() and self.path.stat().st_size:
            if continue_at is not None:
                kept = self._rows_before(continue_at)
            elif not self._is_a_log():
                raise InputError(f"{self.path}: exists and is not a neuroracer log; --log never replaces other files")
        if self.path.is_dir():
            raise InputError(f"{self.path}: is a folder; --log needs a file")
        try:
            self._stream: TextIO = open(self.path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
            self._stream.write(kept or LOG_HEADER + "\n")
            self._stream.flush()
        except OSError as exc:
            raise InputError(f"{self.path}: cannot write the log ({exc.strerror or exc})") from None

    def _is_a_log(self) -> bool:
        try:
            with open(self.path, encoding="utf-8") as stream:
                return stream.readline().rstrip("\n") == LOG_HEADER
        except (OSError, UnicodeDecodeError):
            return False

    def _rows_before(self, generation: int) -> str:
        """The header and rows of an earlier log for generations before `generation`, as text."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{self.path}: cannot read the log to continue it ({exc})") from None
        if not lines or lines[0] != LOG_HEADER:
            raise InputError(f"{self.path}: not a neuroracer log; choose another --log to continue the run")
        kept = [lines[0]]
        for line in lines[1:]:
            first = line.split(",", 1)[0]
            if line.startswith("#") or (first.isdigit() and int(first) < generation):
                kept.append(line)
        return "\n".join(kept) + "\n"

    def _write(self, text: str) -> None:
        if self.failed:
            return
        try:
            self._stream.write(text)
            self._stream.flush()
        except OSError as exc:
            self.failed = True
            self.warn(f"{self.path}: the log stopped ({exc.strerror or exc}); the run goes on without it")

    def note(self, text: str) -> None:
        """A comment line in the log, such as where settings changed."""
        self._write(f"# {text}\n")

    def end_generation(self, evolution: Evolution, stats: GenerationStats) -> None:
        self._write(log_row(stats) + "\n")

    def close(self) -> None:
        try:
            self._stream.close()
        except OSError:
            if not self.failed:
                self.failed = True
                self.warn(f"{self.path}: the log's last rows could not be written")


class OutputClosed(Exception):
    """Standard output was closed (a pipe into `head`, say): the run ends quietly, saving first."""


class ProgressLine(Reporter):
    """Prints one line per generation."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream  # None: whatever sys.stdout is when a line is printed

    def end_generation(self, evolution: Evolution, stats: GenerationStats) -> None:
        total = evolution.config.generations if evolution.config.generations is not None else "∞"
        population = evolution.config.population
        try:
            print(
                f"gen {stats.generation:>{len(str(total))}}/{total}  best {stats.best:>5}  mean {stats.mean:8.2f}"
                f"  median {stats.median:7.1f}  finished {stats.finished:>{len(str(population))}}/{population}"
                f"  {stats.seconds:7.2f}s" + (f"  test {stats.test_best}" if stats.test_best >= 0 else ""),
                file=self.stream or sys.stdout,
                flush=True,
            )
        except BrokenPipeError:
            raise OutputClosed from None
