"""Observers of a run: progress lines and the CSV log live here, not inside the loop."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from evolution.errors import InputError
from evolution.outputs import check_regular, lock_open_file
from evolution.run.history import GenerationStats
from evolution.run.settings import RUN_SETTINGS
from evolution.run.start_record import RUN_LINE, read_leniently

if TYPE_CHECKING:
    from evolution.run.evolve import Evolution

LOG_HEADER = "generation,best,mean,median,finished,seconds,test_best"
SET_LINE = "# set "  # a settings change: '# set GENERATION SETTING OLD -> NEW'
CONTINUED_LINE = "# continued at generation "  # a resumed run's new log: its rows start there, not at 0


class Reporter:
    """Hooks called by a run; each does nothing unless overridden."""

    def end_generation(self, evolution: Evolution, stats: GenerationStats) -> None:
        """Called after every generation has been scored."""

    def close(self) -> None:
        """Called once when the run ends, however it ends."""

    def changed(self, evolution: Evolution, event) -> None:
        """Called when a settings change (settings.SettingEvent) applies, at the start of its generation."""


def tell_all(reporters: list, hook: str, *args) -> None:
    """Call the hook of every reporter that has it with args, even when one raises (a progress line to a closed
    pipe); then the first error, if any, is raised."""
    first: Exception | None = None
    for reporter in reporters:
        call = getattr(reporter, hook, None)
        try:
            if call is not None:
                call(*args)
        except Exception as exc:
            first = first or exc
    if first is not None:
        raise first


def log_row(stats: GenerationStats) -> str:
    """One CSV row; mean and median use repr so they read back exactly."""
    test_best = "" if stats.test_best < 0 else str(stats.test_best)
    return (
        f"{stats.generation},{stats.best},{stats.mean!r},{stats.median!r},{stats.finished},{stats.seconds:.3f},"
        f"{test_best}"
    )


IDENTITY = ("seed", "strategy", "population", "layers")  # what no resume changes: whose run it is


def run_identity(line: str) -> tuple[str, ...]:
    """The settings of a run line ('neuroracer run: --seed 7 ...', read by start_record) that say whose run it
    is: its seed, strategy and starting population and layers, as 'flag value' texts; () if the line cannot be
    read."""
    values = read_leniently(line)
    return tuple(f"{RUN_SETTINGS[name].flags[0]} {RUN_SETTINGS[name].format(values[name])}"
                 for name in IDENTITY if name in values)  # fmt: skip


def starts_as_a_log(path: Path, headers: tuple[str, ...] = (LOG_HEADER,)) -> bool:
    """True if the file starts as a neuroracer log does: one of headers (after the run line, if any)."""
    try:
        with open(path, encoding="utf-8") as stream:
            first = stream.readline().rstrip("\n")
            if first.startswith(RUN_LINE):
                first = stream.readline().rstrip("\n")
            return first in headers
    except (OSError, UnicodeDecodeError):
        return False


class CsvLog(Reporter):
    """Writes one row per generation to a CSV file, flushed as it goes so a crash loses at most a row.

    continue_at: when resuming, keep an existing log's rows before that generation and append after them;
    its '# set' lines of `events` (the resumed run's settings changes so far) stay where they were, the others
    are dropped, and events it lacks are written after its rows.
    run_line: the run's seed and settings (lab.run_line), written as the first line '# neuroracer run: ...'
    (also before a continued log that lacks it); logs without it are still read and continued.
    An existing file that is not a neuroracer log is refused, never replaced. A write that fails later (a
    full disk) stops the log with one warning (warn); the run, its checkpoint and its save go on.
    """

    def __init__(
        self,
        path: str | Path,
        continue_at: int | None = None,
        run_line: str | None = None,
        events=(),
        warn=None,
    ) -> None:
        self.path = Path(path)
        self.warn = warn or (lambda text: print(text, file=sys.stderr))
        self.failed = False
        kept = ""
        if self.path.is_dir():
            raise InputError(f"{self.path}: is a folder; --log needs a file")
        check_regular(self.path, "--log")  # before opening: a FIFO would block, a link be followed
        try:  # opened without emptying it: it is locked (so no other run writes it) and checked first
            handle = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o644)
        except OSError as exc:
            raise InputError(f"{self.path}: cannot write the log ({exc.strerror or exc})") from None
        lock_open_file(handle, f"{self.path}: another run is writing this log; choose another --log")
        try:
            if self.path.is_file() and self.path.stat().st_size:
                if continue_at is not None:
                    kept, events = self._rows_before(continue_at, events)
                elif not self._is_a_log():
                    raise InputError(
                        f"{self.path}: exists and is not a neuroracer log; --log never replaces other files"
                    )
        except InputError:
            os.close(handle)
            raise
        if run_line is not None and kept.startswith(RUN_LINE):
            theirs = kept.split("\n", 1)[0]
            if run_identity(theirs) != run_identity(run_line):
                os.close(handle)
                raise InputError(
                    f"{self.path}: the log of another run ({' '.join(run_identity(theirs)) or 'unnamed'}); it is "
                    "only continued by its own run: choose another --log"
                )
        if run_line is not None and not kept.startswith(RUN_LINE):
            kept = f"# {run_line}\n" + (kept or LOG_HEADER + "\n")
        try:
            if stat.S_ISREG(os.fstat(handle).st_mode):
                os.ftruncate(handle, 0)
            self._stream: TextIO = open(handle, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as exc:
            os.close(handle)
            raise InputError(f"{self.path}: cannot write the log ({exc.strerror or exc})") from None
        try:
            self._stream.write(kept or LOG_HEADER + "\n")
            if continue_at and not any(line.split(",", 1)[0].isdigit() for line in kept.splitlines()):
                self._stream.write(f"{CONTINUED_LINE}{continue_at}\n")  # so a replay knows the rows start there
            for event in events:
                self._stream.write(f"# {event.log_text()}\n")
            self._stream.flush()
        except OSError as exc:
            with contextlib.suppress(OSError):
                self._stream.close()
            raise InputError(f"{self.path}: cannot write the log ({exc.strerror or exc})") from None

    def _is_a_log(self) -> bool:
        return starts_as_a_log(self.path)

    def _rows_before(self, generation: int, events=()) -> tuple[str, list]:
        """The header and rows of an earlier log for generations before `generation`, as text, with the '# set'
        lines of `events` (the changes the resumed run has made) where they were; and the events it lacks."""
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{self.path}: cannot read the log to continue it ({exc})") from None
        start = 1 if lines and lines[0].startswith(RUN_LINE) else 0  # logs written since the lab
        if len(lines) <= start or lines[start] != LOG_HEADER:
            raise InputError(f"{self.path}: not a neuroracer log; choose another --log to continue the run")
        kept = lines[: start + 1]
        missing = list(events)
        for line in lines[start + 1 :]:
            first = line.split(",", 1)[0]
            if line.startswith(SET_LINE):  # kept if the resumed run made that change (else it comes again)
                made = next((event for event in missing if line == f"# {event.log_text()}"), None)
                if made is not None:
                    missing.remove(made)
                    kept.append(line)
                continue
            if line.startswith("#") or (first.isdigit() and int(first) < generation):
                kept.append(line)
        return "\n".join(kept) + "\n", missing

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

    def changed(self, evolution: Evolution, event) -> None:
        """Mark a settings change: '# set 5 mutation_rate 0.3 -> 0.5'."""
        self.note(event.log_text())

    def close(self) -> None:
        try:
            self._stream.close()
        except OSError:
            if not self.failed:
                self.failed = True
                self.warn(f"{self.path}: the log's last rows could not be written")


class OutputClosed(Exception):
    """Standard output was closed (a pipe into `head`, say): the run ends quietly, saving first."""


class GuardedOutput:
    """Standard output that outlives its reader: once the pipe is closed (`| head`, `| true`), what is written
    goes nowhere instead of raising BrokenPipeError wherever a line is printed (a save's message on the way out,
    say), and pipe_closed says so; the progress lines (print_line) then end the run, which saves first."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.pipe_closed = False

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            self._closed()
            return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            self._closed()

    def _closed(self) -> None:
        self.pipe_closed = True
        with contextlib.suppress(OSError, ValueError, AttributeError):  # what the stream still holds goes nowhere
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
            os.close(devnull)
        self.stream = open(os.devnull, "w")  # noqa: SIM115  (standard output's stand-in until the program ends)

    def __getattr__(self, name: str):
        return getattr(self.stream, name)


def print_line(line: str, stream: TextIO | None = None) -> None:
    """Print a progress line (to sys.stdout unless stream is given); OutputClosed if its reader has gone."""
    out = stream or sys.stdout
    try:
        print(line, file=out, flush=True)
    except BrokenPipeError:
        raise OutputClosed from None
    if getattr(out, "pipe_closed", False):
        raise OutputClosed


class ProgressLine(Reporter):
    """Prints one line per generation."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream  # None: whatever sys.stdout is when a line is printed

    def end_generation(self, evolution: Evolution, stats: GenerationStats) -> None:
        total = evolution.config.generations if evolution.config.generations is not None else "∞"
        population = evolution.config.population
        self._print(
            f"gen {stats.generation:>{len(str(total))}}/{total}  best {stats.best:>5}  mean {stats.mean:8.2f}"
            f"  median {stats.median:7.1f}  finished {stats.finished:>{len(str(population))}}/{population}"
            f"  {stats.seconds:7.2f}s" + (f"  test {stats.test_best}" if stats.test_best >= 0 else "")
        )

    def changed(self, evolution: Evolution, event) -> None:
        self._print(event.log_text())

    def _print(self, line: str) -> None:
        print_line(line, self.stream)
