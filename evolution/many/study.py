"""A study: every combination of a few settings, each run on every seed, on a Dask cluster or this machine.

A study's spec is a list of axes, each a setting of the settings table with its values
(`mutation_rate=0.1,0.3 strategy=classic,elitist`; a layers axis separates its lists by '/': `layers=7,8,1/7,4,4,1`).
Each combination is the run the other flags describe with those values (main.py builds its config exactly as
for the same run alone), made once per seed. The unit of work is sweep.run_batch: a few seeds of one combination
raced together. What travels to a worker is plain (the config's fields, the track's name, the seeds), and what
comes back is plain rows (dicts of numbers and strings); nothing is unpickled from a file.

The study's folder holds study.json (what decides its numbers), runs.csv (one row per finished run, appended and
on the disk as each arrives, the file locked while a study writes it) and summary.csv (one row per combination,
written atomically at the end, however the study ends). Running the same study into the same folder again skips
the runs runs.csv already holds, so an interrupted study goes on where it stopped.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import math
import os
import sys
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evolution.atomic import write_atomic, write_synced
from evolution.errors import InputError
from evolution.interrupts import atomic
from evolution.many.sweep import MAX_SEEDS, SeedOutcome, Summary, batch_size, run_batch, summarise, worker_pool
from evolution.outputs import check_regular, lock_open_file
from evolution.racing.track_names import resolve_track
from evolution.run.evolve import RunConfig
from evolution.run.settings import SETTINGS, SettingEvent, format_value, parse_value, setting, with_value

FORMAT = "neuroracer study"
VERSION = 1
STUDY_FILE, RUNS_FILE, SUMMARY_FILE = "study.json", "runs.csv", "summary.csv"
MAX_COMBINATIONS = 10_000  # a grid of more is a typo more often than a plan (and its summary a long table)
MAX_AXIS_VALUES = 1_000
MAX_STUDY_FILE = 16 * 2**20  # bytes of study.json read back
RESULT_FIELDS = ("seed", "first_finisher", "top20_all_finish_test", "unseen_share", "seconds")
SUMMARY_FIELDS = (
    "seeds",
    "within_40",
    "within_60",
    "within_150",
    "found",
    "median_first",
    "top20_all_finish_test",
    "mean_unseen_share",
)
RETRIES = 3  # a task whose worker died is run again elsewhere (Dask counts these), up to this many times more


@dataclass(frozen=True)
class Axis:
    """One setting a study varies, and its values as canonical texts (settings.format_value)."""

    name: str
    values: tuple[str, ...]


def parse_axis(text: str) -> Axis:
    """An axis from 'SETTING=VALUE,VALUE,...' (a layers axis: lists separated by '/'); ValueError in one line."""
    name, equals, raw = str(text).partition("=")
    name = name.strip()
    if not equals or not name:
        raise ValueError(f"--study {text[:60]!r}: expected SETTING=VALUE,VALUE,..., e.g. mutation_rate=0.1,0.3")
    try:
        spec = setting(name)
    except ValueError as exc:
        raise ValueError(f"--study: {exc}") from None
    parts = [part.strip() for part in raw.split("/" if spec.kind == "layers" else ",")]
    if not raw.strip() or any(not part for part in parts):
        raise ValueError(f"--study {text[:60]}: an empty value; give {name}=VALUE,VALUE,...")
    if len(parts) > MAX_AXIS_VALUES:
        raise ValueError(f"--study {name}: {len(parts)} values, at most {MAX_AXIS_VALUES}")
    values = []
    for part in parts:
        try:
            value = format_value(name, parse_value(name, part))
        except ValueError as exc:
            raise ValueError(f"--study {exc}") from None
        if value in values:
            raise ValueError(f"--study {name}: the value {part} is given twice")
        values.append(value)
    return Axis(name, tuple(values))


def parse_study(texts: Sequence[str], seeds: int) -> tuple[Axis, ...]:
    """The axes of a study from its specs, checked: known settings each given once, values in range, and a grid
    of at most MAX_COMBINATIONS combinations and MAX_SEEDS runs (counted before any list is made)."""
    axes = [parse_axis(text) for text in texts]
    names = [axis.name for axis in axes]
    for name in names:
        if names.count(name) > 1:
            raise ValueError(f"--study: the setting {name} is given twice; list its values once, e.g. {name}=1,2")
    count = math.prod(len(axis.values) for axis in axes)
    if count > MAX_COMBINATIONS:
        raise ValueError(f"--study: {count} combinations, more than the {MAX_COMBINATIONS} a study may hold")
    if count * seeds > MAX_SEEDS:
        raise ValueError(f"--study: {count} combinations x {seeds} seeds is more than the {MAX_SEEDS} runs of a study")
    return tuple(axes)


def combinations(axes: Sequence[Axis]) -> list[tuple[str, ...]]:
    """Every combination of the axes' values, the first axis slowest."""
    grid: list[tuple[str, ...]] = [()]
    for axis in axes:
        grid = [(*combo, value) for combo in grid for value in axis.values]
    return grid


@dataclass(frozen=True)
class Combination:
    """One combination of a study: its values (one per axis), the config of its runs and the track's name."""

    values: tuple[str, ...]
    config: RunConfig
    track: str

    def label(self, axes: Sequence[Axis]) -> str:
        return " ".join(f"{axis.name}={value}" for axis, value in zip(axes, self.values))


@dataclass(frozen=True)
class Study:
    """A study: its axes, its combinations (each built as the same run alone), the --set changes every run makes."""

    axes: tuple[Axis, ...]
    combinations: tuple[Combination, ...]
    changes: tuple[SettingEvent, ...] = ()

    def identity(self) -> dict[str, Any]:
        """What decides the study's numbers, as plain data (study.json)."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "axes": [[axis.name, list(axis.values)] for axis in self.axes],
            "combinations": [
                {"values": list(combo.values), "config": plain_config(combo.config), "track": combo.track}
                for combo in self.combinations
            ],
            "changes": [[c.generation, c.setting, c.old, c.new] for c in self.changes],
        }

    def default_folder(self) -> Path:
        """studies/<the axes>-<a short hash of what decides the numbers>: the same command, the same folder."""
        text = json.dumps(self.identity(), sort_keys=True)
        digest = hashlib.sha256(text.encode()).hexdigest()[:8]
        slug = "_".join(f"{axis.name}-{'-'.join(axis.values)}" for axis in self.axes).replace(",", ".")
        slug = "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in slug)[:80]
        return Path("studies") / f"{slug}-{digest}"


# the settings a run alone takes as flags (app/options.py); the others are set in the config the flags make
FLAGS = tuple(name for name, spec in SETTINGS.items() if spec.flags)


def build_study(
    axes: Sequence[Axis],
    make_run: Callable[[dict[str, Any]], tuple[RunConfig, str, tuple[SettingEvent, ...]]],
) -> Study:
    """The study's combinations: make_run(settings) gives (config, track name, --set changes) of the run alone with
    those settings' flags (the command line's own), then each setting without a flag is set in the config;
    InputError naming a combination that cannot be run (a knob of another strategy, a track file, a run beyond the
    budget)."""
    built = []
    changes: tuple[SettingEvent, ...] = ()
    for values in combinations(axes):
        flags = {a.name: parse_value(a.name, v) for a, v in zip(axes, values) if a.name in FLAGS}
        config, track, changes = make_run(flags)
        for axis, value in zip(axes, values):
            if axis.name not in FLAGS:
                if not SETTINGS[axis.name].applies_to(config.strategy):
                    raise InputError(
                        f"--study {axis.name}: {SETTINGS[axis.name].why_not}; it does not go with strategy "
                        f"{config.strategy}"
                    )
                config = with_value(config, axis.name, parse_value(axis.name, value))
        from evolution.run.settings import is_built_track

        if not is_built_track(track):
            raise InputError(f"--study: the runs train on training, test or random:SEED tracks, not the file {track}")
        built.append(Combination(values, config, track))
    return Study(tuple(axes), tuple(built), tuple(changes))


def plain_config(config: RunConfig) -> dict[str, Any]:
    """A config's fields as plain JSON-able values (the seed left out: each task gives its own)."""
    return {name: value for name, value in config.plain().items() if name != "seed"}


def config_from_plain(fields: dict[str, Any], seed: int) -> RunConfig:
    return RunConfig.from_plain({**fields, "seed": int(seed)})


def run_task(task: dict[str, Any]) -> list[dict[str, Any]]:
    """One batch on a worker: plain settings and seeds in, plain rows out (a dict per seed, in seed order)."""
    track = resolve_track(task["track"])
    changes = tuple(SettingEvent(int(g), str(s), str(o), str(n)) for g, s, o, n in task["changes"])
    configs = [config_from_plain(task["config"], seed) for seed in task["seeds"]]
    return [
        {"combination": int(task["combination"]), **outcome_row(outcome)}
        for outcome in run_batch(configs, track, True, changes)
    ]


def outcome_row(outcome: SeedOutcome) -> dict[str, Any]:
    """A run's outcome as a plain row."""
    return {
        "seed": int(outcome.seed),
        "first_finisher": outcome.first_finisher,
        "top20_all_finish_test": outcome.top_all_finish_test,
        "unseen_share": float(outcome.unseen_share),
        "seconds": float(outcome.seconds),
        "stopped": outcome.stopped,
    }


def tasks(study: Study, seeds: Sequence[int], done: set[tuple[tuple[str, ...], int]], jobs: int) -> list[dict]:
    """The batches still to run: each combination's seeds not done, in batches of sweep.batch_size."""
    todo = []
    for index, combo in enumerate(study.combinations):
        left = [seed for seed in seeds if (combo.values, seed) not in done]
        if not left:
            continue
        size = batch_size(len(left), jobs, combo.config.population)
        for start in range(0, len(left), size):
            todo.append(
                {
                    "combination": index,
                    "config": plain_config(combo.config),
                    "track": combo.track,
                    "changes": [[c.generation, c.setting, c.old, c.new] for c in study.changes],
                    "seeds": [int(seed) for seed in left[start : start + size]],
                }
            )
    return todo


# ---- where the batches run ----------------------------------------------------------------------------------


def run_on_pool(todo: Sequence[dict], jobs: int) -> Iterator[list[dict]]:
    """The batches on this machine's process pool (sweep.py's way), each batch's rows as it finishes."""
    if jobs <= 1:
        for task in todo:
            yield run_task(task)
        return
    pool = worker_pool(jobs)
    try:
        yield from pool.imap_unordered(run_task, todo)
        pool.close()
    finally:
        pool.terminate()  # at once: a stopped study does not wait for the batches under way
        pool.join()


class LostCluster(Exception):
    """The Dask scheduler or its workers went away: the study stops, its finished rows kept."""


def run_on_dask(
    todo: Callable[[int], Sequence[dict]], address: str | None, jobs: int, quiet: bool = True
) -> Iterator[list[dict]]:
    """The batches todo(processes) gives on a Dask cluster (address; processes: its workers' threads), or on a
    LocalCluster of `jobs` worker processes (address None), each batch's rows as it finishes (as_completed). A
    batch whose worker dies is run again on another (retries)."""
    import logging

    from distributed import Client, LocalCluster, as_completed

    if quiet:  # a lost worker or scheduler is said by the study in one line, not by pages of Dask's log
        for name in ["distributed", *logging.root.manager.loggerDict]:
            if name.startswith("distributed"):
                logging.getLogger(name).setLevel(logging.CRITICAL)
    cluster = None
    try:
        if address is None:
            cluster = local_cluster(LocalCluster, jobs)
        try:
            client = Client(cluster if cluster is not None else address, timeout=10)
        except (OSError, TimeoutError) as exc:
            raise InputError(f"--cluster {address}: no Dask scheduler answers there ({first_line(exc)})") from None
        except ValueError as exc:  # a malformed address: no port, a port that is not a number
            if address is None:
                raise
            raise InputError(
                f"--cluster {address}: not a scheduler's address ({first_line(exc)}); e.g. tcp://10.0.0.5:8786"
            ) from None
    except BaseException:
        if cluster is not None:
            cluster.close()
        raise
    futures = []
    try:
        if cluster is None:  # another machine's scheduler and workers run exactly this code: it is sent to them
            with tempfile.TemporaryDirectory() as folder:
                client.upload_file(str(code_archive(Path(folder))), load=True)
            if problem := cannot_run(client):
                raise InputError(f"--cluster {address}: {problem}")
        if not client.scheduler_info().get("workers"):
            print(f"waiting for workers to join the scheduler at {address}", file=sys.stderr, flush=True)
        threads = sum(client.nthreads().values()) if cluster is None else jobs
        batches = todo(max(1, threads or jobs))  # the batches' size depends on the cores, never the numbers
        futures = [client.submit(run_task, task, pure=False, retries=RETRIES) for task in batches]
        for future in as_completed(futures):
            try:
                rows = future.result()
            except (OSError, TimeoutError) as exc:
                raise LostCluster(f"lost the Dask scheduler ({first_line(exc)})") from None
            except Exception as exc:
                if type(exc).__name__ in ("KilledWorker", "CancelledError", "FutureCancelledError"):
                    lost = "scheduler" if "scheduler-connection-lost" in str(exc) else "workers"
                    raise LostCluster(f"lost the Dask {lost} ({first_line(exc)})") from None
                raise
            future.release()
            yield rows
    finally:
        with contextlib.suppress(Exception):
            client.cancel(futures)
        with contextlib.suppress(Exception):
            client.close(timeout=5)
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close(timeout=10)


def cannot_run(client) -> str:
    """'' if every worker now joined imports the study's code, else what the first that cannot says. A worker
    without a package the core needs (numpy, say) would otherwise fail to read its first task, drop its connection
    and leave the study waiting for workers for ever. exec is sent, a built-in every worker has, not a function of
    ours that the worker could not unpickle."""
    answers = client.run(exec, "import evolution.many.study", on_error="return")
    for worker, answer in sorted(answers.items()):
        if isinstance(answer, BaseException):
            why = f"{type(answer).__name__}: {first_line(answer)}"
            return f"the worker at {worker} cannot run the study ({why}); it needs the packages of requirements.txt"
    return ""


def local_cluster(LocalCluster, jobs: int):
    """A LocalCluster of jobs single-threaded worker processes that ignore SIGINT (as sweep.py's workers do): a
    Ctrl+C, which the terminal sends to every process, is this process's to handle (it stops them), and the
    workers do not each print a traceback. An ignored signal stays ignored in the processes started meanwhile;
    their log is quiet unless DASK_LOGGING__DISTRIBUTED says otherwise."""
    import signal

    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "critical")  # the workers' log: the study says what matters
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with warnings.catch_warnings():  # its scheduler's web port, taken by another cluster: it takes another
            warnings.filterwarnings("ignore", message="Port .* is already in use")
            return LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
    finally:
        signal.signal(signal.SIGINT, before)


def code_archive(folder: Path) -> Path:
    """The evolution package's modules, its sub-packages' too, in a zip (evolution/**/*.py) in folder: what a
    cluster's scheduler and workers import to run a batch, so that they need only the same Python packages
    installed, not a copy of the project."""
    path = folder / "neuroracer_evolution.zip"
    package = Path(__file__).resolve().parents[1]  # evolution/
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for module in sorted(package.rglob("*.py")):
            archive.write(module, module.relative_to(package.parent).as_posix())
    return path


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


# ---- the folder ---------------------------------------------------------------------------------------------


def runs_header(axes: Sequence[Axis]) -> list[str]:
    return [axis.name for axis in axes] + list(RESULT_FIELDS)


def csv_line(values: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def row_line(study: Study, row: dict[str, Any]) -> str:
    """A finished run's line of runs.csv (floats as repr: they read back exactly)."""
    combo = study.combinations[row["combination"]]
    first = row["first_finisher"]
    top = row["top20_all_finish_test"]
    return csv_line(
        [
            *combo.values,
            row["seed"],
            "" if first is None else int(first),
            "" if top is None else int(bool(top)),
            repr(float(row["unseen_share"])),
            f"{float(row['seconds']):.3f}",
        ]
    )


def read_runs(path: Path, axes: Sequence[Axis]) -> dict[tuple[tuple[str, ...], int], dict[str, Any]]:
    """The runs a runs.csv holds, by (values, seed); a last line cut short (a kill mid-write) is left out;
    InputError for a file that is not this study's."""
    check_regular(path, "the study's runs.csv")
    text = path.read_text(encoding="utf-8", errors="replace")
    if not text:
        return {}
    whole = text[: text.rfind("\n") + 1]
    lines = list(csv.reader(io.StringIO(whole)))
    header = runs_header(axes)
    if not lines or lines[0] != header:
        raise InputError(f"{path}: is not the runs of this study (its first line should be {','.join(header)})")
    runs: dict[tuple[tuple[str, ...], int], dict[str, Any]] = {}
    width = len(axes)
    for number, line in enumerate(lines[1:], start=2):
        try:
            if len(line) != len(header):
                raise ValueError
            values = tuple(line[:width])
            seed, first, top, share, seconds = line[width:]
            row = {
                "seed": int(seed),
                "first_finisher": int(first) if first else None,
                "top20_all_finish_test": bool(int(top)) if top else None,
                "unseen_share": float(share),
                "seconds": float(seconds),
            }
        except ValueError:
            raise InputError(f"{path}: line {number} is not a run of this study") from None
        runs.setdefault((values, row["seed"]), row)
    return runs


class RunsFile:
    """runs.csv, open for appending and locked (a second study into the same folder is refused): each row written
    and on the disk (fsync) before the next; a torn last line left by a kill is cut off first."""

    def __init__(self, path: Path, header: str) -> None:
        self.path = path
        check_regular(path, "the study's runs.csv")
        try:
            handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise InputError(f"{path}: cannot write the study's runs ({exc.strerror or exc})") from None
        lock_open_file(handle, f"{path.parent}: another study is writing this folder; wait for it or choose another")
        self.handle = handle
        size = os.fstat(handle).st_size
        data = os.pread(handle, size, 0) if size else b""
        keep = data.rfind(b"\n") + 1
        if keep != size:
            os.ftruncate(handle, keep)
        os.lseek(handle, keep, os.SEEK_SET)
        if keep == 0:
            self.append(header)

    def append(self, line: str) -> None:
        write_synced(self.handle, line.encode())

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.handle)


def missing_folders(folder: Path) -> list[Path]:
    """folder and those of its parents that do not exist yet, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def remove_unstarted(folder: Path, made: list[Path]) -> None:
    """Remove a study's files from a folder it made and ran nothing in, then the folders made (if empty)."""
    for name in (STUDY_FILE, RUNS_FILE, SUMMARY_FILE):
        with contextlib.suppress(OSError):
            (folder / name).unlink()
    for each in made:
        with contextlib.suppress(OSError):
            each.rmdir()


def open_folder(study: Study, folder: Path) -> None:
    """Write study.json into a new folder, or check that the folder's is this study's (InputError if not)."""
    path = folder / STUDY_FILE
    mine = study.identity()
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: is a file, not a study's folder")
    if path.exists():
        theirs = read_study_file(path)
        if theirs != json.loads(json.dumps(mine)):
            raise InputError(f"{folder}: holds another study (its settings differ); choose another folder")
        return
    if folder.exists() and any(folder.iterdir()):
        raise InputError(f"{folder}: is not empty and holds no study; choose another folder")
    write_atomic(path, (json.dumps(mine, indent=1) + "\n").encode())


def read_study_file(path: Path) -> dict[str, Any]:
    """study.json, checked to be a study's (InputError in one line if not)."""
    check_regular(path, "study.json")
    if path.stat().st_size > MAX_STUDY_FILE:
        raise InputError(f"{path}: larger than a study file may be")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise InputError(f"{path}: is not a study file (not JSON)") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise InputError(f"{path}: is not a neuroracer study file of version {VERSION}")
    return data


def is_study_folder(path: Path) -> bool:
    """True when path is a folder holding a study's study.json (what --plot of a study takes)."""
    return Path(path).is_dir() and (Path(path) / STUDY_FILE).is_file()


# ---- the summary --------------------------------------------------------------------------------------------


def summary_rows(study: Study, runs: dict, seeds: Sequence[int]) -> list[tuple[tuple[str, ...], Summary]]:
    """Each combination's summary over the given seeds' finished runs (sweep.summarise)."""
    table = []
    for combo in study.combinations:
        outcomes = [
            SeedOutcome(seed, row["first_finisher"], None, row["top20_all_finish_test"], row["unseen_share"], (), 0.0)
            for seed in seeds
            if (row := runs.get((combo.values, seed))) is not None
        ]
        table.append((combo.values, summarise(outcomes)))
    return table


def summary_text(axes: Sequence[Axis], table: list[tuple[tuple[str, ...], Summary]]) -> str:
    """summary.csv's text: one line per combination."""
    lines = [csv_line([axis.name for axis in axes] + list(SUMMARY_FIELDS))]
    for values, s in table:
        numbers = [s.seeds, s.within_40, s.within_60, s.within_150, s.found]
        lines.append(
            csv_line([*values, *numbers, repr(s.median_first), s.top_all_finish_test, repr(s.mean_unseen_share)])
        )
    return "".join(lines)


def read_summary(folder: Path) -> tuple[list[str], list[dict[str, str]]]:
    """summary.csv of a study's folder: (the axes' names, a dict per combination); InputError if unreadable."""
    path = Path(folder) / SUMMARY_FILE
    check_regular(path, "summary.csv")
    if not path.is_file():
        raise InputError(f"{folder}: has no {SUMMARY_FILE} yet; run the study first")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8", errors="replace"))))
    if not rows or rows[0][-len(SUMMARY_FIELDS) :] != list(SUMMARY_FIELDS):
        raise InputError(f"{path}: is not a study's summary")
    header = rows[0]
    names = header[: -len(SUMMARY_FIELDS)]
    table = []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise InputError(f"{path}: line {number} is not a combination's summary")
        table.append(dict(zip(header, row)))
    return names, table


def print_table(axes: Sequence[Axis], table: list[tuple[tuple[str, ...], Summary]], out=None) -> None:
    """The summary as aligned columns."""
    out = out or sys.stdout
    head = [axis.name for axis in axes] + ["seeds", "within 40", "within 60", "within 150", "median first",
                                           "top 20 on test", "unseen share"]  # fmt: skip
    body = []
    for values, s in table:
        median = "never" if s.median_first == float("inf") else f"{s.median_first:g}"
        share = "-" if math.isnan(s.mean_unseen_share) else f"{100 * s.mean_unseen_share:.1f}%"
        body.append([*values, s.seeds, s.within_40, s.within_60, s.within_150, median, s.top_all_finish_test, share])
    widths = [max(len(str(cell)) for cell in column) for column in zip(head, *body)]
    for line in [head, *body]:
        print("  ".join(str(cell).rjust(width) for cell, width in zip(line, widths)), file=out)


# ---- the whole study ----------------------------------------------------------------------------------------


class Progress:
    """A bar with the time left on a terminal (tqdm), a plain line per finished run otherwise."""

    def __init__(self, total: int, done: int) -> None:
        self.total, self.done, self.started = total, 0, time.perf_counter()
        self.bar = None
        if sys.stderr is not None and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="run", file=sys.stderr)

    def step(self, label: str, row: dict[str, Any]) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
            return
        elapsed = time.perf_counter() - self.started
        left = elapsed / self.done * (self.total - self.done)
        first = "never" if row["first_finisher"] is None else row["first_finisher"]
        print(
            f"{label} seed {row['seed']}: first finisher {first} · {self.done}/{self.total} runs · "
            f"{elapsed:.0f} s, ~{left:.0f} s left",
            file=sys.stderr,
            flush=True,
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@dataclass
class StudyResult:
    """How a study went: the runs done before, now, in all (of total), and the summary table."""

    skipped: int
    ran: int
    total: int
    table: list[tuple[tuple[str, ...], Summary]]
    stopped: str | None = None  # the runs whose numbers overflowed, said


def run_study(
    study: Study,
    seeds: Sequence[int],
    folder: Path,
    cluster: str | None = None,
    jobs: int | None = None,
    backend: str = "dask",
    progress: bool = True,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> StudyResult:
    """Run every combination on every seed not already in folder/runs.csv, on Dask (cluster's scheduler, or a
    LocalCluster of jobs processes) or on this machine's pool (backend "pool"); each row written as it comes.
    summary.csv is written however this ends (an interruption, a lost cluster): the runs done so far."""
    seeds = list(seeds)
    folder = Path(folder)
    made = missing_folders(folder)  # removed again if the study cannot start (a --cluster that is wrong)
    open_folder(study, folder)
    runs_path = folder / RUNS_FILE
    log = RunsFile(runs_path, csv_line(runs_header(study.axes)))
    runs = read_runs(runs_path, study.axes)
    wanted = {(combo.values, seed) for combo in study.combinations for seed in seeds}
    done = {key for key in runs if key in wanted}
    total = len(wanted)
    jobs = max(1, jobs or os.cpu_count() or 1)
    todo = tasks(study, seeds, done, jobs)
    result = StudyResult(len(done), 0, total, [])
    bar = Progress(total - len(done), len(done)) if progress and todo else None
    overflowed = []
    unstarted = False
    try:
        if todo:
            if backend == "pool":
                stream = run_on_pool(todo, jobs)
            else:
                stream = run_on_dask(lambda processes: tasks(study, seeds, done, processes), cluster, jobs)
            with contextlib.closing(stream):
                for batch in stream:
                    for row in batch:
                        combo = study.combinations[row["combination"]]
                        key = (combo.values, row["seed"])
                        if key in runs:  # a batch run twice (a retry after its result came) is kept once
                            continue
                        with atomic():  # a signal waits: the row is whole in the file and in the table
                            log.append(row_line(study, row))
                            runs[key] = row
                        result.ran += 1
                        if row.get("stopped"):
                            overflowed.append(f"{combo.label(study.axes)} seed {row['seed']}: {row['stopped']}")
                        if bar is not None:
                            bar.step(combo.label(study.axes), row)
                        if on_row is not None:
                            on_row(row)
    except InputError:  # the cluster could not be reached: with nothing run, the folders made for it go
        unstarted = bool(made) and not runs
        raise
    finally:
        if bar is not None:
            bar.close()
        log.close()
        if unstarted:
            remove_unstarted(folder, made)
        else:
            result.table = summary_rows(study, runs, seeds)
            write_atomic(folder / SUMMARY_FILE, summary_text(study.axes, result.table).encode())
    result.stopped = "; ".join(overflowed) or None
    return result


def study_main(
    study: Study, seeds: Sequence[int], folder: Path | None, cluster: str | None, prog: str = "main.py"
) -> int:
    """--study: check the study fits the memory budget, run it (resuming its folder), print its table; the exit
    status (0 done, 1 a run's numbers overflowed or the cluster was lost, 128+N stopped by a signal)."""
    from evolution.errors import Interrupted
    from evolution.interrupts import ignore_signals
    from evolution.run.run_size import check_sweep_size

    jobs = os.cpu_count() or 1
    total = len(study.combinations) * len(seeds)
    for combo in study.combinations:
        config = combo.config
        batch = batch_size(len(seeds), jobs, config.population)
        try:
            check_sweep_size(config.population, config.layers, config.extra_tracks, total, jobs, batch)
        except InputError as exc:
            raise InputError(str(exc).replace("--seeds: ", "--study: ", 1)) from None
    folder = Path(folder) if folder is not None else study.default_folder()
    where = cluster if cluster is not None else f"a local Dask cluster of {jobs} processes"
    print(f"study: {len(study.combinations)} combinations x {len(seeds)} seeds = {total} runs, on {where}, "
          f"into {folder}", flush=True)  # fmt: skip
    kept = f"the runs done are in {folder / RUNS_FILE}; the same command goes on from there"
    try:
        result = run_study(study, seeds, folder, cluster, jobs)
    except Interrupted as stop:
        ignore_signals()
        print(f"interrupted; {kept}", file=sys.stderr)
        return stop.status
    except LostCluster as exc:
        print(f"{prog}: error: {exc}; {kept}", file=sys.stderr)
        return 1
    if result.skipped:
        print(f"{result.skipped} of {result.total} runs were already done in {folder}; ran the other {result.ran}")
    print_table(study.axes, result.table)
    print(f"rows: {folder / RUNS_FILE} · summary: {folder / SUMMARY_FILE} · figure: --plot {folder}")
    if result.stopped:
        print(f"{prog}: error: {result.stopped}; those runs stopped at their last finite generation", file=sys.stderr)
        return 1
    return 0
