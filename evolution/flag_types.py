"""Types of command-line values, shared by main.py and the benchmarks: each parses a text or says why not.

Each is an argparse type: it returns the value, or raises argparse.ArgumentTypeError with a short
reason, which the parser turns into one line naming the flag.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from .network import MAX_LAYER_WIDTH, MAX_LAYERS
from .race import INPUTS

SPEEDS = (1, 2, 4, 8, 16, 32, 64, 0)  # race steps per window frame; 0 is turbo
TURBO = 0
MIN_WINDOW = (480, 360)
MAX_WINDOW = 10_000
MAX_TEXT = 200  # longer flag values are cut in messages


def shown(text: str) -> str:
    """A flag's value as a message quotes it: shortened if long."""
    return repr(text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…")


def whole(low: int, high: int | None = None) -> Callable[[str], int]:
    """A whole number from low to high (no upper bound if high is None)."""

    def parse(text: str) -> int:
        try:
            value = int(text) if text.strip().lstrip("+-").isascii() else int("x")
        except ValueError:
            raise argparse.ArgumentTypeError(f"{shown(text)} is not a whole number") from None
        if value < low or (high is not None and value > high):
            allowed = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{value}: must be {allowed}")
        return value

    return parse


def number(low: float, high: float) -> Callable[[str], float]:
    """A number from low to high (NaN refused)."""

    def parse(text: str) -> float:
        try:
            value = float(text) if text.isascii() else float("x")
        except ValueError:
            raise argparse.ArgumentTypeError(f"{shown(text)} is not a number") from None
        if not (value == value and low <= value <= high):
            raise argparse.ArgumentTypeError(f"{shown(text)} must be a number from {low:g} to {high:g}")
        return value

    return parse


rate = number(0, 100)


def seed_list(text: str) -> list[int]:
    """Seeds as ranges and single seeds, e.g. 0-99,200 (--seeds of main.py and of the benchmarks)."""
    from .sweep import parse_seeds  # here, not at the top: the sweep's modules import this one

    try:
        return parse_seeds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def layer_list(text: str) -> tuple[int, ...]:
    """Layer sizes such as 7,8,4,1: 7 inputs, 1 output, at most MAX_LAYERS layers of 1..4096."""
    parts = text.split(",")
    if len(parts) > MAX_LAYERS:
        raise argparse.ArgumentTypeError(f"{len(parts)} layers: at most {MAX_LAYERS}")
    try:
        layers = tuple(int(part) for part in parts if part.strip().isascii()) if all(parts) else ()
    except ValueError:
        layers = ()
    if len(layers) != len(parts):
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a comma-separated list of whole numbers")
    if len(layers) < 2 or any(not 1 <= size <= MAX_LAYER_WIDTH for size in layers):
        raise argparse.ArgumentTypeError(f"{shown(text)}: give at least two layer sizes, each 1..{MAX_LAYER_WIDTH}")
    if layers[0] != INPUTS or layers[-1] != 1:
        raise argparse.ArgumentTypeError(f"{shown(text)}: a network has {INPUTS} inputs and 1 output, e.g. 7,8,4,1")
    return layers


def speed(text: str) -> int:
    """Race steps per frame from '1', '2', ... '64', 'x4' or 'turbo' (turbo is TURBO, 0)."""
    cleaned = text.strip().lower().lstrip("x×")
    if cleaned == "turbo":
        return TURBO
    if cleaned.isascii() and cleaned.isdigit() and int(cleaned) in SPEEDS and int(cleaned) != TURBO:
        return int(cleaned)
    raise argparse.ArgumentTypeError(f"{shown(text)}: choose 1, 2, 4, 8, 16, 32, 64 or turbo")


def window_size(text: str) -> tuple[int, int]:
    """A window size WIDTHxHEIGHT, each side from the minimum to MAX_WINDOW."""
    try:
        width, height = (int(part) for part in text.lower().split("x") if part.isascii())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown(text)}: expected WIDTHxHEIGHT, e.g. 1280x720") from None
    if not (MIN_WINDOW[0] <= width <= MAX_WINDOW and MIN_WINDOW[1] <= height <= MAX_WINDOW):
        raise argparse.ArgumentTypeError(
            f"{shown(text)}: each side must be from {MIN_WINDOW[0]}×{MIN_WINDOW[1]} to {MAX_WINDOW}"
        )
    return width, height
