"""Text on screen: the stats panel, the one-line footer, the help overlay and passing messages."""

from __future__ import annotations

import pygame

from . import palette
from .assets import font
from .keys import BINDINGS, footer_text


def draw_panel_lines(surface: pygame.Surface, rect: pygame.Rect, title: str, lines: list[tuple[str, str]]) -> None:
    """A white panel with a title and label/value rows."""
    pygame.draw.rect(surface, palette.PANEL, rect)
    pygame.draw.rect(surface, palette.PANEL_EDGE, rect, 1)
    surface.blit(font(13, bold=True).render(title, True, palette.TEXT), (rect.x + 8, rect.y + 5))
    label_font, value_font = font(12), font(12, bold=True)
    room = rect.right - (rect.x + 104) - 6
    y = rect.y + 26
    for label, value in lines:
        if y + 15 > rect.bottom:
            break
        surface.blit(label_font.render(label, True, palette.TEXT_DIM), (rect.x + 10, y))
        surface.blit(value_font.render(fit(value_font, value, room), True, palette.TEXT), (rect.x + 104, y))
        y += 16


def fit(text_font: pygame.font.Font, text: str, width: int) -> str:
    """The text, shortened in the middle with an ellipsis if it is wider than width pixels."""
    if text_font.size(text)[0] <= width:
        return text
    keep = len(text)
    while keep > 2 and text_font.size(text[: keep // 2] + "…" + text[len(text) - keep // 2 :])[0] > width:
        keep -= 1
    return text[: keep // 2] + "…" + text[len(text) - keep // 2 :]


def short_number(value: float) -> str:
    """A mean for the panel: one decimal below 100, none from there on (its column is narrow)."""
    return f"{value:.1f}" if abs(value) < 100 else f"{value:.0f}"


def draw_footer(surface: pygame.Surface, rect: pygame.Rect) -> None:
    pygame.draw.rect(surface, palette.BACKGROUND, rect)
    text = font(12).render(footer_text(), True, palette.TEXT_DIM)
    surface.blit(text, (rect.x + 8, rect.y + (rect.height - text.get_height()) // 2))


def draw_banner(surface: pygame.Surface, view: pygame.Rect, text: str, colour=palette.TEXT) -> None:
    """A line of large text at the top middle of the track view (pause, run complete)."""
    rendered = font(18, bold=True).render(text, True, colour)
    box = rendered.get_rect(midtop=(view.centerx, view.y + 10)).inflate(20, 10)
    pygame.draw.rect(surface, palette.PANEL, box, border_radius=6)
    pygame.draw.rect(surface, palette.PANEL_EDGE, box, 1, border_radius=6)
    surface.blit(rendered, rendered.get_rect(center=box.center))


def draw_messages(surface: pygame.Surface, view: pygame.Rect, messages: list[tuple[str, bool]]) -> None:
    """Recent messages, newest last, at the top right of the track view; errors in red."""
    y = view.y + 10
    for text, is_error in messages:
        rendered = font(13, bold=True).render(text, True, palette.WARNING if is_error else palette.GOOD)
        box = rendered.get_rect(topright=(view.right - 12, y)).inflate(14, 8)
        pygame.draw.rect(surface, palette.PANEL, box, border_radius=5)
        pygame.draw.rect(surface, palette.PANEL_EDGE, box, 1, border_radius=5)
        surface.blit(rendered, rendered.get_rect(center=box.center))
        y += box.height + 4


def draw_help(surface: pygame.Surface) -> None:
    """Every key of the table over a dimmed window."""
    shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
    shade.fill((20, 20, 30, 150))
    surface.blit(shade, (0, 0))
    key_font, text_font = font(15, bold=True), font(15)
    rows = [(b.label, b.description) for b in BINDINGS] + [("click", "follow a dot: marker and network view")]
    width = 160 + max(text_font.size(d)[0] for _, d in rows)
    height = 60 + 26 * len(rows)
    box = pygame.Rect(0, 0, width + 40, height).clamp(surface.get_rect())
    box.center = surface.get_rect().center
    pygame.draw.rect(surface, palette.PANEL, box, border_radius=10)
    surface.blit(font(18, bold=True).render("Keys", True, palette.TEXT), (box.x + 20, box.y + 14))
    y = box.y + 50
    for label, description in rows:
        surface.blit(key_font.render(label, True, palette.ACCENT), (box.x + 20, y))
        surface.blit(text_font.render(description, True, palette.TEXT), (box.x + 160, y))
        y += 26
