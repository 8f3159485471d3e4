"""A comparison's SPECs (`--compare SPEC SPEC ...`): a strategy name with optional settings,
`elitist:mutation_rate=0.1,extra_tracks=0` (any spelling of a setting the table knows: mutation=, tracks=), read and
checked against the settings table and the memory budget. A comparison's checkpoint reads them back too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from evolution.breeding.strategies import STRATEGIES
from evolution.budget import check
from evolution.errors import InputError, shown
from evolution.run.run_size import check_run_size, run_bytes
from evolution.run.settings import RUN_SETTINGS, canonical

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
