"""Text on screen: the stats panel, the one-line footer, the help overlay and passing messages.

Every function takes a scale (a Scale or a plain factor; 1.0 is the design size at 1280×720).
"""

from __future__ import annotations

import pygame

from . import palette
from .keys import BINDINGS, GROUPS, footer_text, grouped
from .panel import draw_panel
from .scale import MIN_FONT, Scale, as_scale
from .text import fit, number

__all__ = [
    "draw_banner",
    "draw_footer",
    "draw_help",
    "draw_messages",
    "draw_panel_lines",
    "fit",
    "short_number",
    "value_column",
]

ROW = 16  # pixels at 1280×720 per label/value row
VALUE_AT = 104  # pixels at 1280×720 from the panel's left edge to the value column


def value_column(rect: pygame.Rect, scale: Scale | float = 1.0) -> tuple[int, int]:
    """(x, width) of the value column of draw_panel_lines in a panel rect: where values start, their room."""
    s = as_scale(scale)
    x = rect.x + s.px(VALUE_AT)
    return x, rect.right - x - s.px(6)


def draw_panel_lines(
    surface: pygame.Surface,
    rect: pygame.Rect,
    title: str,
    lines: list[tuple[str, str]],
    scale: Scale | float = 1.0,
) -> None:
    """A panel with a title and label/value rows; rows that do not fit are left out, long values shortened."""
    s = as_scale(scale)
    inner = draw_panel(surface, rect, title, s)
    label_font, value_font = s.font(12), s.font(12, bold=True)
    value_x, room = value_column(rect, s)
    label_room = value_x - (inner.x + s.px(2)) - s.px(4)
    row, height = s.px(ROW), max(label_font.get_height(), value_font.get_height())
    y = inner.y
    for label, value in lines:
        if y + height > rect.bottom - 1:
            break
        surface.blit(
            label_font.render(fit(label_font, label, label_room), True, palette.TEXT_DIM), (inner.x + s.px(2), y)
        )
        surface.blit(value_font.render(fit(value_font, value, room), True, palette.TEXT), (value_x, y))
        y += row


def short_number(value: float) -> str:
    """A mean for the panel: one decimal below 100, none from there on (its column is narrow); never -0.0."""
    return number(value, 1) if abs(value) < 99.95 else number(value, 0)


def draw_footer(surface: pygame.Surface, rect: pygame.Rect, scale: Scale | float = 1.0, works=None) -> None:
    """The one-line key reminder (the keys that work in the view shown: works(command)), shortened to the
    window's width."""
    s = as_scale(scale)
    pygame.draw.rect(surface, palette.BACKGROUND, rect)
    text_font = s.font(12)
    text = text_font.render(fit(text_font, footer_text(works), rect.width - 2 * s.px(8)), True, palette.TEXT_DIM)
    surface.blit(text, (rect.x + s.px(8), rect.y + (rect.height - text.get_height()) // 2))


def draw_banner(
    surface: pygame.Surface, view: pygame.Rect, text: str, colour=palette.TEXT, scale: Scale | float = 1.0
) -> pygame.Rect:
    """A line of large text at the top middle of the track view (pause, run complete); returns its box."""
    s = as_scale(scale)
    banner_font = s.font(18, bold=True)
    rendered = banner_font.render(fit(banner_font, text, view.width - 2 * s.px(20)), True, colour)
    box = rendered.get_rect(midtop=(view.centerx, view.y + s.px(10))).inflate(s.px(20), s.px(10))
    pygame.draw.rect(surface, palette.PANEL, box, border_radius=s.px(6))
    pygame.draw.rect(surface, palette.PANEL_EDGE, box, max(1, s.px(1)), border_radius=s.px(6))
    surface.blit(rendered, rendered.get_rect(center=box.center))
    return box


def draw_messages(
    surface: pygame.Surface,
    view: pygame.Rect,
    messages: list[tuple[str, bool]],
    scale: Scale | float = 1.0,
    banner: pygame.Rect | None = None,
) -> list[pygame.Rect]:
    """Recent messages, newest last, at the top right of the track view; errors in red. A message that would
    cover the banner (its box given) goes below it, and so do the ones after it. Returns the boxes drawn."""
    s = as_scale(scale)
    message_font = s.font(13, bold=True)
    y = view.y + s.px(10)
    boxes: list[pygame.Rect] = []
    for text, is_error in messages:
        shown = fit(message_font, text, view.width - 2 * s.px(12) - s.px(14))
        rendered = message_font.render(shown, True, palette.WARNING if is_error else palette.GOOD)
        box = rendered.get_rect(topright=(view.right - s.px(12), y)).inflate(s.px(14), s.px(8))
        if banner is not None and box.colliderect(banner):
            y += banner.bottom + s.px(4) - box.top
            box = rendered.get_rect(topright=(view.right - s.px(12), y)).inflate(s.px(14), s.px(8))
        if box.bottom > view.bottom:
            break
        pygame.draw.rect(surface, palette.PANEL, box, border_radius=s.px(5))
        pygame.draw.rect(surface, palette.PANEL_EDGE, box, max(1, s.px(1)), border_radius=s.px(5))
        surface.blit(rendered, rendered.get_rect(center=box.center))
        boxes.append(box)
        y += box.height + s.px(4)
    return boxes


HEADING = "—"  # the key column of a heading row


def help_rows(works=None) -> list[tuple[str, str]]:
    """The help's rows: the keys under their headings (those that work in the view shown, works(command)), a row
    naming the keys that do nothing here, and the mouse."""
    rows: list[tuple[str, str]] = []
    for heading, bindings in grouped(works):
        rows.append((HEADING, heading))
        rows += [(b.label, b.description) for b in bindings]
    idle = [b.label.split(" or ")[0] for b in BINDINGS if works is not None and not works(b.command)]
    if idle:
        verb = "does" if len(idle) == 1 else "do"
        rows.append(("not here", f"{', '.join(idle)} {verb} nothing in this view"))
    return [*rows, ("click", "follow a dot: marker and network view")]


def is_heading(row: tuple[str, str]) -> bool:
    return row[0] == HEADING and row[1] in GROUPS.values()


def help_scale(screen: pygame.Rect, scale: Scale, rows: list[tuple[str, str]] | None = None) -> Scale:
    """The scale the help is drawn at: the window's, or smaller until every row fits whole in the window
    (an 800×500 window left out the last rows and cut the longest ones), but never below the smallest font."""
    rows = help_rows() if rows is None else rows
    step = scale
    while True:
        text_font = step.font(15)
        width = step.px(140) + max(text_font.size(d)[0] for _, d in rows) + 2 * step.px(20)
        height = step.px(60) + step.px(26) * len(rows)
        fits = width <= screen.width - 2 * step.px(10) and height <= screen.height - 2 * step.px(10)
        if fits or step.font_size(15) <= MIN_FONT:
            return step
        step = Scale(step.factor * 0.95)


def draw_help(surface: pygame.Surface, scale: Scale | float = 1.0, works=None) -> None:
    """Every key of the table over a dimmed window, grouped under headings, in a box that fits the window (smaller
    text if need be; rows left out only if even the smallest text does not fit); works(command) says which keys
    work in the view shown (the others are named on one line)."""
    shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
    shade.fill((20, 20, 30, 150))
    surface.blit(shade, (0, 0))
    screen = surface.get_rect()
    rows = help_rows(works)
    s = help_scale(screen, as_scale(scale), rows)
    key_font, text_font = s.font(15, bold=True), s.font(15)
    key_w = s.px(140)
    width = min(key_w + max(text_font.size(d)[0] for _, d in rows) + 2 * s.px(20), screen.width - 2 * s.px(10))
    row = s.px(26)
    height = min(s.px(60) + row * len(rows), screen.height - 2 * s.px(10))
    box = pygame.Rect(0, 0, width, height)
    box.center = screen.center
    pygame.draw.rect(surface, palette.PANEL, box, border_radius=s.px(10))
    title = "Keys (the run is paused while this is open; H closes it)"
    title_font = s.font(18, bold=True)
    title = fit(title_font, title, box.width - 2 * s.px(20))
    surface.blit(title_font.render(title, True, palette.TEXT), (box.x + s.px(20), box.y + s.px(14)))
    room = box.right - s.px(20) - (box.x + s.px(20) + key_w)
    y = box.y + s.px(50)
    for label, description in rows:
        if y + text_font.get_height() > box.bottom:
            break
        surface.blit(
            key_font.render(fit(key_font, label, key_w - s.px(8)), True, palette.ACCENT), (box.x + s.px(20), y)
        )
        heading = is_heading((label, description))
        shown_font = key_font if heading else text_font
        rendered = shown_font.render(
            fit(shown_font, description, room), True, palette.GOOD if heading else palette.TEXT
        )
        surface.blit(rendered, (box.x + s.px(20) + key_w, y))
        y += row
