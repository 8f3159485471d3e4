"""Text helpers shared by the panels: shortening to a width, and numbers that never read "-0.00"."""

from __future__ import annotations

import pygame


def fit(text_font: pygame.font.Font, text: str, width: int) -> str:
    """The text, shortened in the middle with an ellipsis if it is wider than width pixels ("" if nothing fits)."""
    if text_font.size(text)[0] <= width:
        return text

    def shortened(keep: int) -> str:
        return text[: keep // 2] + "…" + text[len(text) - keep // 2 :]

    # the most characters kept that fit: a binary search, as the width only grows with what is kept
    low, high = 2, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if text_font.size(shortened(middle))[0] <= width:
            low = middle
        else:
            high = middle - 1
    short = shortened(low)
    return short if text_font.size(short)[0] <= width else ""


def number(value: float, digits: int = 2) -> str:
    """value with digits decimals; a value that rounds to zero reads 0.00, never -0.00."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def signed(value: float, digits: int = 2) -> str:
    """value with an explicit sign (+1.25, −0.50 as -0.50); one that rounds to zero reads 0.00, unsigned."""
    text = f"{value:+.{digits}f}"
    return text[1:] if float(text) == 0 else text


def reading(value: float) -> str:
    """A signed sensor reading in at most six characters: +1.25, -12.50, +123, and ±9999 beyond."""
    if abs(value) < 99.995:
        return signed(value, 2)
    return signed(max(min(value, 9999.0), -9999.0), 0)
