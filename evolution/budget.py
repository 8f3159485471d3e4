"""The memory budget: what a run, a track or a genome file would take, checked before anything is allocated.

A request larger than the budget is refused in one line instead of failing deep inside numpy (or
swapping the machine to a standstill). The budget is half the physical memory unless set by
NEURORACER_MEMORY_BUDGET (bytes, or with a suffix: 512M, 2G) or by set_budget (the --memory-budget flag).
The estimates are generous on purpose: refusing a run that would just fit costs less than a run
that dies an hour in.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from itertools import pairwise

from evolution.errors import InputError

ENVIRONMENT = "NEURORACER_MEMORY_BUDGET"
SHARE = 0.5  # of the physical memory, by default
FALLBACK_MEMORY = 8 * 2**30  # assumed physical memory where the system does not say
FLOAT = 8  # bytes of a float64
PYTHON_FLOAT = 32  # a float in a Python list: the object (24 bytes) and the list's pointer
# How many (P, genome_size) float64 arrays a run may hold at once: the strategy's ranked copy and its noise,
# the population asked for, the network's negated copy, its shrunk copy while dots drop, the ranked genomes.
POPULATION_COPIES = 6
# Per dot and per neuron: each layer's values, its stage buffer, the product buffer, and a margin.
NEURON_COPIES = 4
# Per dot: the race's (7, P) inputs, position, speed, half step, scores, alive flags, final values, a 48-row
# float32 trail, ranks and standings; rounded up.
DOT_BYTES = 64 * FLOAT
# Per column: top and bottom, their noise and smoothed copies, the (finish, 6) sensor table, the camera's
# and the overview's working copies (float64), and the race's two Python lists of barrier heights.
TRACK_COLUMN_BYTES = 14 * FLOAT + 2 * PYTHON_FLOAT
# The best genomes ever raced (evolution/run/run_state.py's BEST_EVER) and their new copy while they are renewed, and
# the champions waiting for their test drive: the queue, its copy as one joins, and the batch driving.
BEST_EVER_COPIES = 2 * 20
CHAMPION_COPIES = 3 * 12
JSON_FACTOR = 12  # bytes of parsed JSON per byte of text, at most
TEST_TRACK_COLUMNS = 4000  # every run drives its champions on the blog's test track
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40, "p": 2**50}
_SIZE = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*([kmgtp]?)(i?b)?", re.IGNORECASE | re.ASCII)
MAX_SIZE = 2**62

_budget: int | None = None  # set_budget's value; None: the environment variable or the default


def parse_size(text: str) -> int:
    """A size in bytes from text such as 1000000, 512M, 2G, 1.5GiB or 64kB (binary units; B optional).

    Raises ValueError, whose message says what is wrong, for anything else (negative, zero, NaN, words).
    """
    match = _SIZE.fullmatch(text.strip()) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"{str(text)[:40]!r} is not a size: give bytes, or a number with K, M, G or T, e.g. 2G")
    number, unit, _ = match.groups()
    size = float(number) * _UNITS[unit.lower()]
    if not 1 <= size <= MAX_SIZE:
        raise ValueError(f"{text.strip()[:40]!r} is not a size from 1 byte to {format_size(MAX_SIZE)}")
    return int(size)


def format_size(size: float) -> str:
    """A byte count for people: 800 bytes, 3.2 MiB, 11.7 GiB, 1.2 TiB."""
    if size < 1024:
        return f"{int(size)} bytes"
    for unit in ("KiB", "MiB", "GiB", "TiB", "PiB"):
        size /= 1024
        if size < 1024 or unit == "PiB":
            return f"{size:.1f} {unit}"
    raise AssertionError("unreachable")


def physical_memory() -> int:
    """The machine's physical memory in bytes, or FALLBACK_MEMORY where the system does not say."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return FALLBACK_MEMORY
    return memory if memory > 0 else FALLBACK_MEMORY


def set_budget(size: int | None) -> None:
    """Set the budget in bytes for this process (the --memory-budget flag); None goes back to the default."""
    global _budget
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
        raise ValueError(f"a memory budget is a whole number of bytes, at least 1, not {size!r}")
    _budget = size


def budget_bytes() -> int:
    """The budget in bytes: set_budget's, else NEURORACER_MEMORY_BUDGET's, else SHARE of the physical memory."""
    if _budget is not None:
        return _budget
    text = os.environ.get(ENVIRONMENT, "").strip()
    if text:
        try:
            return parse_size(text)
        except ValueError as exc:
            raise InputError(f"{ENVIRONMENT}: {exc}") from None
    return int(physical_memory() * SHARE)


def check(what: str, needed_bytes: float) -> None:
    """Refuse (InputError, one line starting with what) a request for more memory than the budget allows."""
    budget = budget_bytes()
    if not needed_bytes <= budget:  # also refuses a NaN estimate
        raise InputError(
            f"{what}: needs about {format_size(needed_bytes)}, more than the memory budget of "
            f"{format_size(budget)} (set {ENVIRONMENT} or --memory-budget to change it)"
        )


def genome_size(layers: Sequence[int]) -> int:
    """The weights and biases of a network with these layer sizes (as Network.genome_size, unchecked)."""
    return sum(a * b + b for a, b in pairwise(layers))


def track_bytes(columns: int) -> int:
    """About the bytes a track of this many columns takes while it is built, raced and drawn."""
    return int(columns) * TRACK_COLUMN_BYTES


def race_bytes(count: int, layers: Sequence[int]) -> int:
    """About the bytes of a race of count genomes of this network that are already in memory (ghosts, a
    --load drive): a copy of the genomes, the network's working values and the dots."""
    count = int(count)
    return count * (genome_size(layers) * FLOAT * 2 + sum(layers) * FLOAT * NEURON_COPIES + DOT_BYTES)


def json_bytes(file_bytes: int) -> int:
    """About the bytes Python's json takes to parse a file of this size: a float written in 4 bytes ("1.0,")
    becomes a 24-byte object and an 8-byte pointer, and a margin."""
    return int(file_bytes) * JSON_FACTOR


def genome_file_bytes(count: int, layers: Sequence[int]) -> int:
    """About the bytes the genomes of a genome file take once read: (count, genome_size) float64, scores."""
    return int(count) * (genome_size(layers) + 1) * FLOAT
