"""What a whole run would take of the memory budget (evolution/budget.py): its populations, networks, tracks,
best genomes and the past its archive keeps; checked before a run, a comparison, a sweep or ghosts start.
"""

from __future__ import annotations

from collections.abc import Sequence

from evolution import budget
from evolution.run.archive import archive_bytes


def run_bytes(population: int, layers: Sequence[int], extra_tracks: int = 0, extra_track_columns: int = 2000) -> int:
    """About the peak bytes of an evolution run: its populations, the networks' working values, the tracks,
    the best genomes ever and the champions waiting for their test drive (each with its copies), and the
    run's past the time machine keeps (evolution/run/archive.py, bounded).

    The main track is not counted (check it with budget.track_bytes when it is built); the test track is.
    """
    population, extra_tracks = int(population), int(extra_tracks)
    genomes = budget.genome_size(layers) * population * budget.FLOAT * budget.POPULATION_COPIES
    # a small population races its extra tracks in one stacked race: a copy of the genomes per track
    genomes += budget.genome_size(layers) * population * budget.FLOAT * extra_tracks * 2
    neurons = sum(layers) * population * budget.FLOAT * budget.NEURON_COPIES * (1 + extra_tracks)
    dots = population * budget.DOT_BYTES * (1 + extra_tracks)
    tracks = budget.track_bytes(budget.TEST_TRACK_COLUMNS) + extra_tracks * budget.track_bytes(extra_track_columns)
    best = (budget.BEST_EVER_COPIES + budget.CHAMPION_COPIES) * budget.genome_size(layers) * budget.FLOAT
    return genomes + neurons + dots + tracks + best + archive_bytes(population, budget.genome_size(layers))


def check_run_size(population: int, layers: Sequence[int], extra_tracks: int, what: str) -> None:
    """Refuse a run whose population and network would not fit the budget; what names it, with {} for the
    population and the layers (e.g. "--population {} with --layers {}" or "checkpoint x.npz: population {}")."""
    shown = ",".join(str(size) for size in layers)
    budget.check(what.format(population, shown), run_bytes(population, layers, extra_tracks))


def check_ghosts(population: int, layers: Sequence[int], extra_tracks: int, ghosts: Sequence) -> None:
    """Refuse ghosts (evolution/many/ghosts.py's Ghost: a genome and its layers) that with the run they race beside
    would not fit the budget: each races as a dot of its own network."""
    needed = run_bytes(population, layers, extra_tracks) + sum(budget.race_bytes(1, ghost.layers) for ghost in ghosts)
    budget.check(f"--ghost: {len(ghosts)} ghosts beside a run of population {population}", needed)


OUTCOME_BYTES = 1024  # a seed's outcome in a sweep, without its rows (and the seed in the list)


def check_sweep_size(
    population: int, layers: Sequence[int], extra_tracks: int, seeds: int, jobs: int, batch: int
) -> None:
    """Refuse a sweep that would not fit the budget: jobs processes each racing a batch of runs together, and
    every seed's outcome kept for the summary."""
    needed = int(jobs) * int(batch) * run_bytes(population, layers, extra_tracks) + int(seeds) * OUTCOME_BYTES
    budget.check(f"--seeds: {seeds} runs, {jobs} processes racing {batch} runs each at once", needed)
