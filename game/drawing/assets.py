"""Fonts and the icon, loaded from the project's assets/ folder wherever the program is started from."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pygame

import assets as assets_package

ASSETS = Path(assets_package.__file__).resolve().parent
REGULAR = ASSETS / "DejaVuSans.ttf"
BOLD = ASSETS / "DejaVuSans-Bold.ttf"
ICON = ASSETS / "icon.png"


@cache
def font(size: int, bold: bool = False) -> pygame.font.Font:
    """The shipped DejaVu Sans at a pixel size."""
    return pygame.font.Font(str(BOLD if bold else REGULAR), size)


def start_pygame() -> None:
    """Start pygame's display and fonts; fonts cached from an earlier start are invalid, so they go."""
    pygame.display.init()
    pygame.font.init()
    font.cache_clear()


def icon() -> pygame.Surface:
    return pygame.image.load(str(ICON))
