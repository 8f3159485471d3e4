"""Types of command-line values, shared by the app's flags and the benchmarks: each parses a text or says why not.
(A run's settings have theirs from the settings table: app/options.py flag_type.)

Each is an argparse type: it returns the value, or raises argparse.ArgumentTypeError with a short
reason, which the parser turns into one line naming the flag.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from evolution.errors import shown

SPEEDS = (1, 2, 4, 8, 16, 32, 64, 0)  # race steps per window frame; 0 is turbo
TURBO = 0
MIN_WINDOW = (480, 360)
MAX_WINDOW = 10_000


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


def seed_list(text: str) -> list[int]:
    """Seeds as ranges and single seeds, e.g. 0-99,200 (--seeds of main.py and of the benchmarks)."""
    from evolution.many.sweep import parse_seeds  # here, not at the top: importing the sweep takes a while

    try:
        return parse_seeds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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
