"""Side by side: two to four runs on one track, each with its own settings (`--compare SPEC SPEC ...`).

A SPEC is a strategy name with optional settings, `elitist:mutation_rate=0.1,extra_tracks=0` (the short
spellings mutation= and tracks= are read too); the settings a SPEC
does not give come from the other flags (evolution/run/specs.py reads them). Each run is its own Evolution (its own
generators), so its numbers are exactly those of the same run made alone; this module prints, for the runs raced
in lockstep (evolution/many/lockstep.py), one line per generation with every run's figures and a table at the end.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from evolution.run.climb import climb_text
from evolution.run.history import GenerationStats
from evolution.run.reporters import Reporter, print_line
from evolution.run.specs import RunSpec

if TYPE_CHECKING:
    from evolution.run.evolve import Evolution


def log_path(prefix: Path, index: int, spec: RunSpec) -> Path:
    """Run `index` (from 1)'s log: PREFIX-1-classic.csv (a .csv ending of the prefix is dropped first)."""
    return run_path(prefix, index, spec, ".csv")


def save_path(prefix: Path, index: int, spec: RunSpec) -> Path:
    """Run `index` (from 1)'s --save file: PREFIX-1-classic.json (a .json ending of the prefix is dropped first)."""
    return run_path(prefix, index, spec, ".json")


def run_path(prefix: Path, index: int, spec: RunSpec, suffix: str) -> Path:
    """PREFIX-INDEX-STRATEGY + suffix, beside PREFIX (whose own ending `suffix`, if any, is dropped)."""
    stem = prefix.name[: -len(suffix)] if prefix.name.lower().endswith(suffix) else prefix.name
    return prefix.with_name(f"{stem}-{index}-{spec.strategy}{suffix}")


def labels(specs: list[RunSpec]) -> list[str]:
    """Short names for the runs: the strategy alone where that tells them apart, else the whole SPEC."""
    names = [spec.strategy for spec in specs]
    return [spec.strategy if names.count(spec.strategy) == 1 else spec.text for spec in specs]


def first_finisher(evolution: Evolution) -> int | None:
    """The first generation in which a genome finished the training track, or None."""
    finished = evolution.history.column("finished")
    hits = (finished > 0).nonzero()[0]
    return int(hits[0]) if hits.size else None


class Lines(Reporter):
    """Gathers the runs' rows and prints one line per generation once every run has reported it."""

    def __init__(self, names: list[str], stream: TextIO | None = None, start: int = 0) -> None:
        """start: the first generation to print (a resumed comparison's rows before it were printed before)."""
        self.names = names
        self.stream = stream
        self.rows: list[dict[int, GenerationStats]] = [{} for _ in names]
        self.printed = start

    def for_run(self, index: int) -> Reporter:
        """The reporter that run `index` is given."""
        lines = self

        class One(Reporter):
            def end_generation(self, evolution: Evolution, stats: GenerationStats) -> None:
                if stats.generation >= lines.printed:
                    lines.rows[index][stats.generation] = stats
                lines.flush(evolution.config.generations)

        return One()

    def flush(self, total: int | None) -> None:
        while all(self.printed in rows for rows in self.rows):
            parts = [self.figures(name, rows.pop(self.printed)) for name, rows in zip(self.names, self.rows)]
            limit = "∞" if total is None else total
            self.printed += 1
            print_line(f"gen {self.printed - 1:>{len(str(limit))}}/{limit}  " + "  |  ".join(parts), self.stream)

    @staticmethod
    def figures(name: str, stats: GenerationStats) -> str:
        test = f" test {stats.test_best}" if stats.test_best >= 0 else ""
        return f"{name}: best {stats.best:>4} mean {stats.mean:7.2f} fin {stats.finished:>3}{test}"


def summary_table(names: list[str], evolutions: list[Evolution]) -> list[str]:
    """The table printed at the end: per run its first finisher's generation, last best, mean and test result."""
    rows = [("run", "first finisher", "best", "mean", "test track")]
    for name, evolution in zip(names, evolutions):
        last = evolution.history.last()
        first = first_finisher(evolution)
        if last is None:
            rows.append((name, "—", "—", "—", "—"))
            continue
        test = f"{last.test_best} of {last.test_finish}" if last.test_best >= 0 else "—"
        rows.append(
            (
                name,
                "never" if first is None else f"gen {first}",
                f"{last.best} of {last.finish}",
                f"{last.mean:.2f}",
                test,
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


def print_end(names: list[str], evolutions: list[Evolution], started: float) -> None:
    print(f"done: {len(evolutions)} runs · {time.perf_counter() - started:.2f} s")
    for line in summary_table(names, evolutions):
        print(line)
    for name, evolution in zip(names, evolutions):
        if climb_text(evolution):
            print(f"endless: {name} climbed to {climb_text(evolution)}")
