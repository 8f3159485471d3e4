"""Side by side: two to four runs on one track, each with its own settings (`--compare SPEC SPEC ...`).

A SPEC is a strategy name with optional settings, `elitist:mutation_rate=0.1,extra_tracks=0` (the short
spellings mutation= and tracks= are read too); the settings a SPEC
does not give come from the other flags. Each run is its own Evolution (its own generators), so its
numbers are exactly those of the same run made alone; this module parses SPECs and prints, for the runs raced
in lockstep (evolution/many/lockstep.py), one line per generation with every run's figures and a table at the end.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from evolution.breeding.strategies import STRATEGIES
from evolution.errors import InputError, shown
from evolution.racing.endless import climb_text
from evolution.run.budget import check, check_run_size, run_bytes
from evolution.run.history import GenerationStats
from evolution.run.reporters import Reporter, print_line
from evolution.run.settings import RUN_SETTINGS, canonical

if TYPE_CHECKING:
    from evolution.run.evolve import Evolution

MIN_RUNS, MAX_RUNS = 2, 4
# the settings a SPEC may give (their ranges and spellings are the settings table's)
SPEC_SETTINGS = ("mutation_rate", "extra_tracks", "seed", "population")


@dataclass(frozen=True)
class RunSpec:
    """One run of a comparison: its strategy and the settings it gives (setting name -> value)."""

    text: str  # as written on the command line, e.g. "elitist:mutation=0.1"
    strategy: str
    settings: dict[str, Any] = field(default_factory=dict)

    def apply(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """The settings of this run: those the other flags give (setting name -> value), with this run's strategy
        and settings over them; the ones neither gives are the defaults (the strategy's, where it has its own)."""
        return {**given, "strategy": self.strategy, **self.settings}


def parse_spec(text: str) -> RunSpec:
    """A SPEC such as `classic`, `snes:tracks=0` or `elitist:mutation=0.1,seed=3`; InputError naming it if bad."""
    name, colon, rest = text.partition(":")
    where = f"--compare {shown(text)}"
    if name not in STRATEGIES:
        raise InputError(f"{where}: unknown strategy {shown(name)}; choose {', '.join(sorted(STRATEGIES))}")
    settings: dict[str, Any] = {}
    choices = ", ".join(f"{setting}=" for setting in SPEC_SETTINGS)
    if colon and not rest.strip():  # "elitist:" promises settings and gives none: a slip, said rather than guessed
        raise InputError(f"{where}: no settings after ':'; give {choices} joined by commas, or drop the ':'")
    for part in rest.split(",") if rest else []:
        key, equals, value = part.partition("=")
        key = canonical(key)  # any spelling of the setting (mutation, mutation-rate, tracks, ...)
        if not equals or key not in SPEC_SETTINGS:
            raise InputError(f"{where}: unknown setting {shown(part)}; give {choices} joined by commas")
        if key in settings:
            raise InputError(f"{where}: {key} is given twice")
        try:
            settings[key] = RUN_SETTINGS[key].parse(value.strip())
        except ValueError as exc:
            raise InputError(f"{where}: {exc}") from None
    return RunSpec(text, name, settings)


def parse_specs(texts: list[str]) -> list[RunSpec]:
    """Two to four SPECs; InputError in one line otherwise."""
    if not MIN_RUNS <= len(texts) <= MAX_RUNS:
        raise InputError(f"--compare takes {MIN_RUNS} to {MAX_RUNS} SPECs, not {len(texts)}")
    return [parse_spec(text) for text in texts]


def check_sizes(specs: list[RunSpec], sizes: list[tuple[int, tuple[int, ...], int]]) -> None:
    """Refuse runs that would not fit the memory budget, each alone and all together (sizes: each run's
    population, layers and extra tracks); InputError naming the SPEC."""
    for spec, (population, layers, tracks) in zip(specs, sizes):
        check_run_size(population, layers, tracks, f"--compare {shown(spec.text)}: population {{}} with layers {{}}")
    check(f"--compare: {len(specs)} runs together", sum(run_bytes(*size) for size in sizes))


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
