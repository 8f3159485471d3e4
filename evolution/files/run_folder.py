"""Every run a folder: runs/STRATEGY-seedSEED-YYYYMMDD-HHMMSS holds the run's command line, log, checkpoint,
saves, recordings and figures, so nothing has to be chosen before a run to keep it.

The folder is made (with its command line) when the run starts and removed again if the run ends before it
wrote anything else (bad input found late); a test drive makes none. runs/ is the folder of the working
directory unless $NEURORACER_RUNS or --runs-dir says otherwise (the tests send it to a temporary folder).
`last` names the newest run's folder for --resume, --replay and --plot.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from evolution.atomic import write_atomic
from evolution.errors import InputError

if TYPE_CHECKING:
    from evolution.run.evolve import RunConfig

ENVIRONMENT = "NEURORACER_RUNS"
COMMAND = "command.txt"  # the run's settings as one command line
LOG = "log.csv"
CHECKPOINT = "checkpoint.npz"
BEST = "best.json"
SWEEP_LOG = "sweep.csv"
SEED_LOG = "log-seed{}.csv"  # a sweep's run of one seed
LAST = "last"
OLD_SAVES = Path("saves")  # where saves went before runs/: still listed and loaded


def runs_root(override: Path | None = None) -> Path:
    """Where run folders go: --runs-dir, else $NEURORACER_RUNS, else runs/ in the working directory."""
    if override is not None:
        return override
    return Path(os.environ.get(ENVIRONMENT) or "runs")


def folder_name(what: str, seed: int | str, started: datetime) -> str:
    """STRATEGY-seedSEED-YYYYMMDD-HHMMSS (what: a strategy, or 'compare-…', 'sweep-…')."""
    return f"{what}-seed{seed}-{started.strftime('%Y%m%d-%H%M%S')}"


def make_folder(root: Path, name: str) -> Path:
    """Create root/name (name-2, name-3, … if taken: two runs started in one second); InputError if it cannot."""
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{root}: cannot make the runs folder here ({exc.strerror or exc})") from None
    for number in range(1, 10_000):
        folder = root / (name if number == 1 else f"{name}-{number}")
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
        except OSError as exc:
            raise InputError(f"{folder}: cannot make the run's folder ({exc.strerror or exc})") from None
    raise InputError(f"{root}: no free name for a run folder {name}")


def free_name(path: Path) -> Path:
    """path, or path-2, path-3, … beside it if taken (a resumed run's folder already holds a best.json)."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def write_command(folder: Path, line: str) -> Path:
    """Write the run's one command line to its folder (atomically, replacing an earlier one)."""
    return write_atomic(folder / COMMAND, (line + "\n").encode())


def command_text(argv: list[str], seed: int | None = None) -> str:
    """The command as typed, with the seed drawn at random added (so the line repeats the run)."""
    flags = ["python", "main.py", *argv]
    if seed is not None and "--seed" not in argv:
        flags += ["--seed", str(seed)]
    return shlex.join(flags)


def is_run_folder(folder: Path) -> bool:
    """True for a folder a run made (it holds its command line)."""
    return (folder / COMMAND).is_file()


def remove_if_unused(folder: Path) -> None:
    """Remove a run's folder that holds nothing but its command line, empty files and a log with no rows (bad
    input found after the folder was made: the run never started)."""
    try:
        entries = [entry for entry in folder.iterdir() if entry.name != COMMAND and not entry.name.startswith(".")]
        if any(not entry.is_file() or (entry.stat().st_size and not _no_rows(entry)) for entry in entries):
            return
    except OSError:
        return
    shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):  # and runs/ itself, if this left it empty
        folder.parent.rmdir()


def _no_rows(path: Path) -> bool:
    """True for a log that holds its header and comments only."""
    if path.suffix != ".csv" or path.stat().st_size > 64 * 1024:
        return False
    text = path.read_text(encoding="utf-8", errors="replace")
    return sum(1 for line in text.splitlines() if line.strip() and not line.startswith("#")) <= 1  # the header


@dataclass(frozen=True)
class RunEntry:
    """A run's folder as a list shows it: its name, when it last wrote, and what it holds."""

    folder: Path
    modified: float
    command: str

    @property
    def checkpoint(self) -> Path | None:
        path = self.folder / CHECKPOINT
        return path if path.is_file() else None

    def holds(self) -> str:
        """What is in the folder, in words: 'log, checkpoint, 2 saves, 1 figure'."""
        names = [entry.name for entry in self.folder.iterdir() if not entry.name.startswith(".")]
        parts = []
        for label, test in (
            ("log", lambda n: n.endswith(".csv")),
            ("checkpoint", lambda n: n.endswith(".npz")),
            ("save", lambda n: n.endswith(".json")),
            ("recording", lambda n: n.endswith((".mp4", ".gif"))),
            ("figure", lambda n: n.endswith((".png", ".svg"))),
        ):
            count = sum(1 for name in names if test(name))
            if count:
                parts.append(label if count == 1 else f"{count} {label}s")
        return ", ".join(parts) or "nothing yet"


def list_runs(root: Path | None = None) -> list[RunEntry]:
    """Every run folder under the runs folder, the one that wrote last first."""
    root = runs_root(root)
    if not root.is_dir():
        return []
    entries = []
    for folder in root.iterdir():
        if not folder.is_dir() or not is_run_folder(folder):
            continue
        try:
            modified = max(entry.stat().st_mtime for entry in folder.iterdir())
            command = (folder / COMMAND).read_text(encoding="utf-8", errors="replace").strip()
        except (OSError, ValueError):
            continue
        entries.append(RunEntry(folder, modified, command[:300]))
    return sorted(entries, key=lambda entry: (-entry.modified, entry.folder.name))


def listing(root: Path | None = None, limit: int = 20) -> str:
    """The newest runs, one line each, for `--resume` / `--replay` / `--plot` given without a path."""
    entries = list_runs(root)
    if not entries:
        return f"no runs under {runs_root(root)}/ yet"
    lines = [f"runs under {runs_root(root)}/, the latest first ({LAST} names the first):"]
    for entry in entries[:limit]:
        when = datetime.fromtimestamp(entry.modified).strftime("%Y-%m-%d %H:%M")
        lines.append(f"  {entry.folder}  ·  {when}  ·  {entry.holds()}")
    if len(entries) > limit:
        lines.append(f"  … and {len(entries) - limit} older")
    return "\n".join(lines)


def last_run(root: Path | None = None, needs: str | None = None) -> Path:
    """The newest run folder (holding the file `needs`, if given); InputError if there is none."""
    for entry in list_runs(root):
        if needs is None or (entry.folder / needs).is_file():
            return entry.folder
    what = f" with a {needs}" if needs else ""
    raise InputError(f"no run{what} under {runs_root(root)}/ yet")


def resolve(text: Path, needs: str, root: Path | None = None) -> Path:
    """A --resume / --replay argument: `last` (the newest run holding `needs`), a run's folder (its `needs`
    file) or a file, as given."""
    if str(text) == LAST:
        return last_run(root, needs) / needs
    if text.is_dir() and is_run_folder(text):
        path = text / needs
        if not path.is_file():
            raise InputError(f"{text}: this run's folder holds no {needs}")
        return path
    return text


def folder_of(path: Path) -> Path | None:
    """The run folder a file lies in, or None."""
    folder = path.parent
    return folder if is_run_folder(folder) else None


def write_seed_logs(folder: Path, config: RunConfig, track: str, outcomes, exact: bool) -> list[Path]:
    """A sweep's runs, each seed's rows as its log (for --plot; with its run line, for --replay too, when the
    sweep made no --set change, which the rows alone do not record)."""
    from evolution.run.lab import run_line
    from evolution.run.reporters import LOG_HEADER, log_row

    written = []
    for outcome in outcomes:
        head = [f"# {run_line(replace(config, seed=outcome.seed), track)}"] if exact else []
        lines = [*head, LOG_HEADER, *(log_row(row) for row in outcome.rows)]
        written.append(write_atomic(folder / SEED_LOG.format(outcome.seed), ("\n".join(lines) + "\n").encode()))
    return written
