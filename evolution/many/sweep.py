"""Many independent runs of one configuration, one per seed, spread over processes; and their summary.

Each run is exactly the run `Evolution(config with that seed, track)` gives alone: same log rows (all
but the wall-clock seconds), same saved genomes. After its last generation a run is also judged: the
first generation with a genome that finishes the training track, whether the saved top KEEP all finish
the blog's test track, and the share of UNSEEN_SEEDS' random tracks its champion finishes.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from evolution.atomic import write_synced
from evolution.breeding.seeds import SEEDS
from evolution.errors import InputError
from evolution.many.lockstep import Lockstep
from evolution.outputs import check_regular, lock_open_file
from evolution.racing import race_kernel
from evolution.racing.race import StackedRace, race_scores
from evolution.racing.track import Track, blog_test_track, random_track, training_track
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.history import GenerationStats
from evolution.run.settings import SettingEvent

KEEP = 20  # the genomes a run saves at the end (Evolution.best(KEEP)), all driven on the test track
UNSEEN_SEEDS = range(900_000, 900_050)  # random tracks no run trains on (theirs are drawn from the run's seed)
TUNING_SEEDS = range(0, 100)  # settings are chosen on these ...
HELD_OUT_SEEDS = range(10_000, 10_100)  # ... and reported on these, never used for choosing
BATCH_DOTS = 500  # a batch races at most about this many dots on the training track at once


@dataclass(frozen=True)
class SeedOutcome:
    """What one seed's run gave.

    first_finisher: the first generation with a training-track finisher (None: never);
    seconds_to_first: wall-clock seconds from the run's start to the end of that generation;
    top_all_finish_test: whether the saved top KEEP all finish the test track (None: not judged);
    unseen_share: the share of the unseen tracks the champion finishes (nan: not judged);
    rows: the run's per-generation statistics, as its log has them.
    """

    seed: int
    first_finisher: int | None
    seconds_to_first: float | None
    top_all_finish_test: bool | None
    unseen_share: float
    rows: tuple[GenerationStats, ...]
    seconds: float  # the whole run, judging included
    stopped: str | None = None  # why the run stopped before its last generation (its numbers overflowed)


@dataclass(frozen=True)
class Summary:
    """A sweep's outcomes in a few numbers; first-finisher counts are of seeds with one by that generation."""

    seeds: int
    within_40: int
    within_60: int
    within_150: int
    found: int  # seeds with a finisher at all, in however many generations were run
    median_first: float  # inf when most seeds never get one
    top_all_finish_test: int
    mean_unseen_share: float


def run_batch(
    configs: Sequence[RunConfig],
    track: Track | None = None,
    judge: bool = True,
    changes: Sequence[SettingEvent] = (),
) -> list[SeedOutcome]:
    """Several runs (one config each, differing in seed) in lockstep (the one scheduler, evolution/many/lockstep.py),
    their races raced together.

    Each generation, every run's population races the training track in one race, and every run's extra
    tracks in one stacked race (each group of dots on its own run's track); the results are split back
    and each run closes its generation as if it had raced alone. The network and the physics work dot by
    dot, so every run's numbers equal its numbers alone (tests/test_sweep.py checks it), and at these
    populations a step of many dots costs little more than a step of few. Judging is batched the same way.
    A seed's seconds are the batch's divided by its size, the share of the work that was its own.
    Every run is given the same changes (--set), scheduled as a run alone schedules them.
    """
    started = time.perf_counter()
    track = track if track is not None else training_track()
    evolutions = [Evolution(config, track) for config in configs]
    for evolution in evolutions:
        evolution.schedule_all(list(changes))
    firsts: list[int | None] = [None] * len(evolutions)
    to_first: list[float | None] = [None] * len(evolutions)
    seen = [0] * len(evolutions)  # the rows of each run looked at for its first finisher

    def note_first_finishers() -> None:
        now = time.perf_counter()
        for index, evolution in enumerate(evolutions):
            while firsts[index] is None and seen[index] < len(evolution.history):
                row = evolution.history.row(seen[index])
                seen[index] += 1
                if row.finished > 0:
                    firsts[index], to_first[index] = row.generation, (now - started) / len(evolutions)

    # the one lockstep scheduler: each round's races joined, the champions' test drives in one batch at the end,
    # and a run whose numbers overflow stops at its last finite state while the others go on
    lockstep = Lockstep(evolutions, after_round=note_first_finishers, drives_at_end=True, stop_alone=True)
    lockstep.run()
    note_first_finishers()  # (a run stopped in the last round)
    for index in lockstep.stopped:
        evolutions[index].finish_test_drives_now()
    stopped = [lockstep.stopped.get(index) for index in range(len(evolutions))]
    judged = _judge_together(evolutions) if judge else [(None, float("nan"))] * len(evolutions)
    share = (time.perf_counter() - started) / len(evolutions)
    return [
        SeedOutcome(
            evolution.config.seed,
            first,
            seconds,
            top_all,
            unseen,
            tuple(evolution.history.row(index) for index in range(len(evolution.history))),
            share,
            why,
        )
        for evolution, first, seconds, (top_all, unseen), why in zip(evolutions, firsts, to_first, judged, stopped)
    ]


def _judge_together(evolutions: list[Evolution]) -> list[tuple[bool | None, float]]:
    """judge_genomes for every run's saved top KEEP, raced together: (all finish the test track, share)."""
    bests = [evolution.best(KEEP) for evolution in evolutions]
    judged = [index for index, best in enumerate(bests) if best is not None]
    results: list[tuple[bool | None, float]] = [(None, float("nan"))] * len(evolutions)
    if not judged:
        return results
    network = evolutions[judged[0]].network
    test = blog_test_track()
    on_test = StackedRace([bests[index].genomes for index in judged], [test] * len(judged), network)
    on_test.run()
    unseen = [random_track(seed) for seed in UNSEEN_SEEDS]  # all 1000 columns: one stacked race
    champions = [bests[index].genomes[:1] for index in judged for _ in unseen]
    on_unseen = StackedRace(champions, unseen * len(judged), network)
    on_unseen.run()
    finished = [
        bool(score[0] >= each.finish)
        for score, each in zip(on_unseen.per_track_values(on_unseen.scores), unseen * len(judged))
    ]
    for place, (index, scores) in enumerate(zip(judged, on_test.per_track_values(on_test.scores))):
        shares = finished[place * len(unseen) : (place + 1) * len(unseen)]
        results[index] = (bool((scores >= test.finish).all()), float(np.mean(shares)))
    return results


def judge_genomes(ranked: np.ndarray, network) -> tuple[bool, float]:
    """(whether all of ranked (k, D) finish the test track, share of the unseen tracks ranked[0] finishes)."""
    test = blog_test_track()
    all_finish = bool((race_scores(ranked, test, network) >= test.finish).all())
    unseen = [random_track(seed) for seed in UNSEEN_SEEDS]  # all 1000 columns: one stacked race
    race = StackedRace(ranked[:1], unseen, network)
    race.run()
    finished = [score >= track.finish for score, track in zip(race.per_track_values(race.scores), unseen)]
    return all_finish, float(np.mean([bool(f[0]) for f in finished]))


def _task(args: tuple[RunConfig, list[int], Track | None, bool, tuple[SettingEvent, ...], bool]) -> list[SeedOutcome]:
    """One batch in a worker: config's run for each seed (built here, so a long list of seeds is not a long
    list of configs waiting in the queue); rows dropped unless keep_rows."""
    config, seeds, track, judge, changes, keep_rows = args
    outcomes = run_batch([replace(config, seed=int(seed)) for seed in seeds], track, judge, changes)
    return outcomes if keep_rows else [replace(outcome, rows=()) for outcome in outcomes]


def _worker_signals() -> None:
    """A worker leaves SIGINT to the sweep's own process (which stops the workers) and dies at SIGTERM."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def worker_pool(jobs: int) -> multiprocessing.pool.Pool:
    """A pool of `jobs` worker processes (a sweep's, a study's on this machine), forked once the race kernel has
    loaded: they race compiled from the start, and no child inherits a lock held by the loading thread."""
    race_kernel.ready(wait=True)
    return multiprocessing.Pool(jobs, initializer=_worker_signals)


def sweep(
    config: RunConfig,
    seeds: Sequence[int],
    track: Track | None = None,
    jobs: int | None = None,
    judge: bool = True,
    progress: bool = True,
    changes: Sequence[SettingEvent] = (),
    on_outcome: Callable[[SeedOutcome], None] | None = None,
    keep_rows: bool = True,
) -> list[SeedOutcome]:
    """One run of config per seed (config's own seed is ignored), in seed order; jobs processes at once.

    jobs defaults to os.cpu_count(); 1 runs in this process. progress shows a bar on a terminal's
    stderr (tqdm), plain lines otherwise. changes: the lab's changes (--set) every run makes, each from
    its generation on (e.g. mutation 0.5 until generation 20, then 0.1). on_outcome is called with each
    outcome as soon as it and every seed before it are done (a log row written at once); when the sweep is
    stopped (Interrupted, an error), first with the outcomes done out of order too, then the workers are
    stopped at once. keep_rows=False drops each run's per-generation rows (a long sweep's memory).
    """
    seeds = list(seeds)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(seeds) or 1))
    size = batch_size(len(seeds), jobs, config.population)
    tasks = ((config, seeds[start : start + size], track, judge, tuple(changes), keep_rows) for start in
             range(0, len(seeds), size))  # fmt: skip
    report = _progress(len(seeds)) if progress else (lambda outcome: None)
    outcomes: list[SeedOutcome] = []

    def take(batch: list[SeedOutcome]) -> None:
        for outcome in batch:
            outcomes.append(outcome)
            report(outcome)
            if on_outcome is not None:
                on_outcome(outcome)

    waiting: dict[int, list[SeedOutcome]] = {}  # batches done before an earlier one
    pool = worker_pool(jobs) if jobs > 1 else None
    try:
        if pool is None:
            for task in tasks:
                take(_task(task))
        else:
            following = 0
            for index, batch in pool.imap_unordered(_indexed_task, enumerate(tasks)):
                waiting[index] = batch
                while following in waiting:
                    take(waiting.pop(following))
                    following += 1
            pool.close()
    finally:
        for index in sorted(waiting):  # stopped early: what was done is handed over all the same
            take(waiting.pop(index))
        if pool is not None:
            pool.terminate()  # at once: a stopped sweep does not wait for the batches under way
            pool.join()
        report(None)
    return outcomes


def _indexed_task(item: tuple[int, tuple]) -> tuple[int, list[SeedOutcome]]:
    index, task = item
    return index, _task(task)


def batch_size(runs: int, jobs: int, population: int) -> int:
    """How many runs race together: enough that a step's fixed cost is shared (up to BATCH_DOTS dots of
    training race), few enough that every process gets several batches (the progress bar moves, and the
    processes finish together)."""
    most = max(1, BATCH_DOTS // max(1, population))
    return max(1, min(most, -(-runs // (4 * jobs))))


def _progress(total: int) -> Callable[[SeedOutcome | None], None]:
    """A callback to call with each finished outcome, then with None at the end."""
    started = time.perf_counter()
    if sys.stderr.isatty():
        from tqdm import tqdm  # only for a terminal

        bar = tqdm(total=total, unit="seed", file=sys.stderr)

        def report(outcome: SeedOutcome | None) -> None:
            bar.close() if outcome is None else bar.update(1)

        return report
    done = 0

    def plain(outcome: SeedOutcome | None) -> None:
        nonlocal done
        if outcome is None:
            return
        done += 1
        elapsed = time.perf_counter() - started
        left = elapsed / done * (total - done)
        first = "never" if outcome.first_finisher is None else outcome.first_finisher
        print(
            f"seed {outcome.seed}: first finisher {first} · {done}/{total} seeds · {elapsed:.0f} s, ~{left:.0f} s left",
            file=sys.stderr,
            flush=True,
        )

    return plain


def summarise(outcomes: Sequence[SeedOutcome]) -> Summary:
    """The counts and means of a sweep's outcomes (judged fields count only where judged)."""
    firsts = np.array([np.inf if o.first_finisher is None else o.first_finisher for o in outcomes], dtype=float)
    shares = [o.unseen_share for o in outcomes if not np.isnan(o.unseen_share)]
    return Summary(
        seeds=len(outcomes),
        within_40=int((firsts <= 40).sum()),
        within_60=int((firsts <= 60).sum()),
        within_150=int((firsts <= 150).sum()),
        found=int(np.isfinite(firsts).sum()),
        median_first=float(np.median(firsts)) if len(firsts) else float("inf"),
        top_all_finish_test=sum(o.top_all_finish_test is True for o in outcomes),
        mean_unseen_share=float(np.mean(shares)) if shares else float("nan"),
    )


MAX_SEEDS = 1_000_000  # seeds in one sweep: a million runs of the smallest take days already


def parse_seeds(text: str) -> list[int]:
    """Seeds from '0-99', '5', or a comma list of both ('0-9,20,30-31'); at most MAX_SEEDS of them, counted
    before any list is made (so 0-4294967295 is refused at once, not after filling the memory)."""
    spans: list[tuple[int, int]] = []
    count = 0
    for part in text.split(","):
        low, dash, high = part.strip().partition("-")
        if not low.isdigit() or (dash and not high.isdigit()) or len(low) > 12 or len(high) > 12:
            raise ValueError(f"seeds {text[:80]!r}: expected e.g. 0-99 or 1,5,10-20")
        first, last = int(low), int(high) if dash else int(low)
        if last < first or last >= SEEDS:
            raise ValueError(f"seeds {text[:80]!r}: a range must run upwards, within 0..{SEEDS - 1}")
        count += last - first + 1
        if count > MAX_SEEDS:
            raise ValueError(f"seeds {text[:80]!r}: more than {MAX_SEEDS} seeds; one sweep runs at most {MAX_SEEDS}")
        spans.append((first, last))
    return [seed for first, last in spans for seed in range(first, last + 1)]


class SweepLog:
    """A sweep's --log: locked while the sweep runs (a second sweep given it is refused), its header and each
    seed's row appended and flushed to the disk as the seed finishes, so a stopped sweep, or one that fills
    the disk, keeps every row it finished. A row that cannot be written is cut off whole (the log ends with
    its last whole row) and the log stops with one warning; the sweep goes on. An existing file is emptied only
    when the first row comes; a sweep that ends without a row leaves no file of its own behind."""

    def __init__(self, path: Path, header: str, warn: Callable[[str], None]) -> None:
        self.path = Path(path)
        self.header = header
        self.warn = warn
        self.rows = 0
        self.failed = False
        check_regular(self.path, "--log")
        self._existed = self.path.exists()
        try:
            handle = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o644)
        except OSError as exc:
            raise InputError(f"{self.path}: cannot write the log ({exc.strerror or exc})") from None
        lock_open_file(handle, f"{self.path}: another run is writing this log; choose another --log")
        self._handle: int | None = handle
        self._size = 0
        self._emptied = False  # the file's old content (if any) is gone: the header and rows are ours

    def write(self, row: str) -> None:
        """Append one seed's row (after the header, before the first), on the disk before this returns."""
        if self.failed:
            return
        if not self._emptied:
            try:
                os.ftruncate(self._handle, 0)
            except OSError as exc:
                self._stop(exc)
                return
            self._emptied = True
            if not self._append(self.header + "\n"):
                return
        if self._append(row + "\n"):
            self.rows += 1

    def _append(self, text: str) -> bool:
        data = text.encode()
        try:
            write_synced(self._handle, data)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(self._handle, self._size)  # no torn row: the log ends with its last whole one
            self._stop(exc)
            return False
        self._size += len(data)
        return True

    def _stop(self, exc: OSError) -> None:
        self.failed = True
        self.warn(f"{self.path}: the log stopped after {self.rows} rows ({exc.strerror or exc}); they are kept")

    def close(self) -> None:
        """Let the file (and its lock) go; a file this log made, or emptied, that holds no row is removed."""
        if self._handle is None:
            return
        if not self.rows and (self._emptied or not self._existed):
            with contextlib.suppress(OSError):
                self.path.unlink()
        with contextlib.suppress(OSError):
            os.close(self._handle)
        self._handle = None
