"""Text on screen: the stats panel, the one-line footer, the help overlay and passing messages.

Every function takes a scale (a Scale or a plain factor; 1.0 is the design size at 1280×720).
"""

from __future__ import annotations

from functools import lru_cache

import pygame

from game.drawing import palette
from game.drawing.assets import font as _font
from game.drawing.frame import draw_panel
from game.drawing.scale import Scale, as_scale
from game.drawing.text import draw, fit, number
from game.keys import BINDINGS, FOOTER_TIP, GROUPS, footer_text, grouped

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


def value_column(
    rect: pygame.Rect, scale: Scale | float = 1.0, label_font: pygame.font.Font | None = None
) -> tuple[int, int]:
    """(x, width) of the value column of draw_panel_lines in a panel rect: where values start, their room
    (with text above its designed size, the labels' column grows with it, up to 45% of the panel)."""
    s = as_scale(scale)
    label_font = label_font or s.font(12)
    grown = round(VALUE_AT * label_font.point_size / 12)  # the designed column, for text at its design size
    x = rect.x + min(grown, max(s.px(VALUE_AT), int(rect.width * 0.4)))
    return x, rect.right - x - s.px(6)


def draw_panel_lines(
    surface: pygame.Surface,
    rect: pygame.Rect,
    title: str,
    lines: list[tuple[str, str]],
    scale: Scale | float = 1.0,
) -> None:
    """A panel with a title and label/value rows; rows that do not fit are left out. A value too wide for its
    column goes whole on a line of its own under its label if it fits there (a row fewer), else shortened. A row
    with no label (a heading over the values) has the whole width: at the values' column if it fits from there."""
    s = as_scale(scale)
    inner = draw_panel(surface, rect, title, s)
    if not inner.width:
        return
    label_font, value_font = s.font(12), s.font(12, bold=True)
    value_x, room = value_column(rect, s, label_font)
    widest = max((label_font.size(label)[0] for label, _ in lines), default=0)
    # the labels' column as wide as its widest label, up to 45% of the panel
    value_x = max(value_x, min(inner.x + s.px(2) + widest + s.px(8), rect.x + int(rect.width * 0.45)))
    room = rect.right - value_x - s.px(6)
    label_room = value_x - (inner.x + s.px(2)) - s.px(4)
    row, height = s.line(12, at_least=ROW), max(label_font.get_height(), value_font.get_height())
    y = inner.y
    for label, value in lines:
        if y + height > rect.bottom - 1:
            break
        width = value_font.size(value)[0]
        if not label:  # a heading: one row, moved left as far as it must to fit
            shown = fit(value_font, value, inner.width - s.px(6))
            x = max(inner.x + s.px(2), min(value_x, inner.right - value_font.size(shown)[0] - s.px(4)))
            draw(surface, value_font, shown, palette.TEXT, rect, palette.PANEL, topleft=(x, y))
            y += row
            continue
        own_line = room < width <= inner.width - s.px(14)  # the value whole on a line of its own, under its label
        if own_line and y + row + height > rect.bottom - 1:
            break  # no room for that: a row fewer rather than a value cut
        label_at = (inner.x + s.px(2), y)
        shown_label = fit(label_font, label, label_room)
        draw(surface, label_font, shown_label, palette.TEXT_DIM, rect, palette.PANEL, topleft=label_at)
        if own_line:
            y += row
            at, shown = (inner.right - width - s.px(4), y), value
        else:
            at, shown = (value_x, y), fit(value_font, value, room)
        draw(surface, value_font, shown, palette.TEXT, rect, palette.PANEL, topleft=at)
        y += row


def short_number(value: float) -> str:
    """A mean for the panel: one decimal below 100, none from there on (its column is narrow); never -0.0."""
    return number(value, 1) if abs(value) < 99.95 else number(value, 0)


def draw_footer(
    surface: pygame.Surface, rect: pygame.Rect, scale: Scale | float = 1.0, note: str = "", works=None
) -> None:
    """The one-line key reminder (the keys that work in the view shown: works(command)), shortened to the
    window's width; a note (the projector layout's) first."""
    s = as_scale(scale)
    pygame.draw.rect(surface, palette.BACKGROUND, rect)
    text_font = s.font(12)
    keys = footer_text(works)
    line = f"{note}   ·   {keys}" if note else keys
    room = rect.width - 2 * s.px(8)
    if text_font.size(line)[0] > room and line.endswith(FOOTER_TIP):
        # a key cut in the middle ("…ions" at 800×500) reads as nothing: the tip about clicking goes first, whole
        line = line[: -len(FOOTER_TIP)] + "…"
    shown = fit(text_font, line, room)
    y = rect.y + (rect.height - text_font.get_height()) // 2
    draw(surface, text_font, shown, palette.TEXT_DIM, rect, palette.BACKGROUND, topleft=(rect.x + s.px(8), y))


def draw_banner(
    surface: pygame.Surface,
    view: pygame.Rect,
    text: str,
    colour=palette.TEXT,
    scale: Scale | float = 1.0,
    dry: bool = False,
) -> pygame.Rect:
    """A line of large text at the top middle of the track view (pause, run complete); returns its box
    (dry: only the box, nothing drawn)."""
    s = as_scale(scale)
    banner_font = s.font(18, bold=True)
    shown = fit(banner_font, text, view.width - 2 * s.px(20))
    size = banner_font.size(shown)
    box = pygame.Rect((0, 0), size)
    box.midtop = (view.centerx, view.y + s.px(10))
    box = box.inflate(s.px(20), s.px(10))
    if dry:
        return box
    pygame.draw.rect(surface, palette.PANEL, box, border_radius=s.px(6))
    pygame.draw.rect(surface, palette.PANEL_EDGE, box, max(1, s.px(1)), border_radius=s.px(6))
    draw(surface, banner_font, shown, colour, box, palette.PANEL, center=box.center)
    return box


def draw_messages(
    surface: pygame.Surface,
    view: pygame.Rect,
    messages: list[tuple[str, bool]],
    scale: Scale | float = 1.0,
    banner: pygame.Rect | None = None,
    dry: bool = False,
) -> list[pygame.Rect]:
    """Recent messages, newest last, at the top right of the track view; errors in red with a bar at their left
    (not told by colour alone). A message that would cover the banner (its box given) goes below it, and so
    do the ones after it. Returns the boxes drawn (dry: the boxes only, nothing drawn)."""
    s = as_scale(scale)
    message_font = s.font(13, bold=True)
    y = view.y + s.px(10)
    boxes: list[pygame.Rect] = []
    for text, is_error in messages:
        shown = fit(message_font, text, view.width - 2 * s.px(12) - s.px(14))
        if not shown:
            break
        rendered = pygame.Rect((0, 0), message_font.size(shown))
        box = rendered.move_to(topright=(view.right - s.px(12), y)).inflate(s.px(14), s.px(8))
        if banner is not None and box.colliderect(banner):
            y += banner.bottom + s.px(4) - box.top
            box = rendered.move_to(topright=(view.right - s.px(12), y)).inflate(s.px(14), s.px(8))
        if box.bottom > view.bottom:
            break
        boxes.append(box)
        y += box.height + s.px(4)
        if dry:
            continue
        pygame.draw.rect(surface, palette.PANEL, box, border_radius=s.px(5))
        pygame.draw.rect(surface, palette.PANEL_EDGE, box, max(1, s.px(1)), border_radius=s.px(5))
        colour = palette.WARNING if is_error else palette.GOOD
        if is_error:
            pygame.draw.rect(surface, palette.WARNING, (box.x, box.y, s.px(4), box.height), border_radius=s.px(2))
        draw(surface, message_font, shown, colour, box, palette.PANEL, center=box.center)
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


def wrap(text_font: pygame.font.Font, text: str, width: int) -> list[str]:
    """text in lines of at most width pixels, broken between words (a word wider than width is shortened)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_font.size(f"{lines[-1]} {word}")[0] <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(fit(text_font, word, width))
    return lines


def packed(heights: list[int], capacity: int) -> int:
    """Columns that rows of heights (in lines) take, filled in order, capacity lines each, none split."""
    columns, used = 1, 0
    for height in heights:
        if used + height > capacity and used:
            columns, used = columns + 1, 0
        used += height
    return columns


def help_layout(
    screen: pygame.Rect, scale: Scale, rows: list[tuple[str, str]] | None = None
) -> tuple[int, int, int, int]:
    """(font size, columns, description width, lines per column) of the help: the designed size (15, scaled)
    down to the window's text floor, in one column or more, descriptions wrapped between words: the largest
    text with which every row fits whole in the window; at the floor, in the most columns, the rows that do
    not fit are left out (never smaller text)."""
    rows = help_rows() if rows is None else rows
    pad, margin, between = scale.px(20), scale.px(10), scale.px(16)
    for size in range(scale.font_size(15), scale.floor - 1, -1):
        key_font, text_font = _font(size, True), _font(size)
        key_w = max(key_font.size(label)[0] for label, _ in rows) + scale.px(12)
        for columns in (1, 2, 3):
            column_w = (screen.width - 2 * margin - 2 * pad - (columns - 1) * between) // columns
            room = min(column_w - key_w, max(text_font.size(d)[0] for _, d in rows))
            if room < 6 * size:
                break
            heights = [len(wrap(text_font, d, room)) for _, d in rows]
            capacity = (screen.height - 2 * margin - _help_top(scale, size) - pad) // text_font.get_linesize()
            if capacity >= max(heights) and packed(heights, capacity) <= columns:
                # as few lines a column as still fit the columns: the columns even
                while capacity > max(heights) and packed(heights, capacity - 1) <= columns:
                    capacity -= 1
                return size, columns, room, capacity
    # at the floor, rows that do not all fit go on pages: the columns that take the fewest
    floor = _font(scale.floor)
    key_w = max(_font(scale.floor, True).size(label)[0] for label, _ in rows) + scale.px(12)
    capacity = max((screen.height - 2 * margin - _help_top(scale, scale.floor) - pad) // floor.get_linesize(), 1)
    best = (scale.floor, 1, max(screen.width - 2 * margin - 2 * pad - key_w, 1), capacity)
    fewest = None
    for columns in (1, 2, 3):
        column_w = (screen.width - 2 * margin - 2 * pad - (columns - 1) * between) // columns
        room = min(column_w - key_w, max(floor.size(d)[0] for _, d in rows))
        if room < 6 * scale.floor:
            break
        wrapped = [(label, wrap(floor, d, room)) for label, d in rows]
        if max(len(lines) for _, lines in wrapped) > capacity:
            continue
        pages = len(_paged(wrapped, columns, capacity))
        if fewest is None or pages < fewest:
            fewest, best = pages, (scale.floor, columns, room, capacity)
    return best


def _help_top(scale: Scale, size: int) -> int:
    """Pixels from the help box's top to its first row: the title 'Keys' and some air."""
    return scale.px(14) + _font(size + 3, True).get_linesize() + scale.px(8)


def _paged(rows: list[tuple[str, list[str]]], columns: int, per_column: int) -> list[list[tuple[int, int]]]:
    """The help's pages: for each, (row index, column) of the rows it shows, filled in order, a row never split
    between columns; a page starts where the last one's columns are full."""
    pages: list[list[tuple[int, int]]] = [[]]
    column, used = 0, 0
    for index, (_, lines) in enumerate(rows):
        if used + len(lines) > per_column and used:
            column, used = column + 1, 0
            if column >= columns:
                pages.append([])
                column = 0
        pages[-1].append((index, column))
        used += len(lines)
    return pages


def _help_parts(screen: pygame.Rect, s: Scale, works=None):
    """(size, columns, room, per_column, rows wrapped, pages) of the help in this window (not to be changed)."""
    return _help_parts_of(screen.size, s, tuple(help_rows(works)))


@lru_cache(maxsize=8)
def _help_parts_of(window: tuple[int, int], s: Scale, given: tuple[tuple[str, str], ...]):
    """_help_parts, worked out once for a window size, scale and rows: not again at each frame the help is open."""
    screen = pygame.Rect((0, 0), window)
    size, columns, room, per_column = help_layout(screen, s, list(given))
    text_font = _font(size)
    rows = [(label, wrap(text_font, description, room)) for label, description in given]
    return size, columns, room, per_column, rows, _paged(rows, columns, per_column)


def help_pages(screen: pygame.Rect, scale: Scale | float = 1.0, works=None) -> int:
    """How many pages the help takes in this window: 1 where every row fits at once (the text is never made
    smaller than the window's floor; a small window turns pages with H instead)."""
    return len(_help_parts(screen, as_scale(scale), works)[5])


@lru_cache(maxsize=1)
def help_shade(size: tuple[int, int]) -> pygame.Surface:
    """The dim veil the help is drawn over, made once per window size (a 3840×2160 one every frame cost a
    frame's allocation and fill); never drawn on, only blitted."""
    shade = pygame.Surface(size, pygame.SRCALPHA)
    shade.fill((20, 20, 30, 150))
    return shade


def draw_help(surface: pygame.Surface, scale: Scale | float = 1.0, works=None, page: int = 0) -> None:
    """Every key of the table over a dimmed window, grouped under headings, in a box that fits the window (text
    down to the window's floor if need be, descriptions wrapped, in columns: never smaller text; where even that
    does not hold every row, in pages that H turns); works(command) says which keys work in the view shown (the
    others are named on one line)."""
    surface.blit(help_shade(surface.get_size()), (0, 0))
    screen = surface.get_rect()
    s = as_scale(scale)
    size, columns, room, per_column, rows, pages = _help_parts(screen, s, works)
    page = min(max(page, 0), len(pages) - 1)
    key_font, text_font = _font(size, True), _font(size)
    pad, between = s.px(20), s.px(16)
    key_w = max(key_font.size(label)[0] for label, _ in rows) + s.px(12)
    line = text_font.get_linesize()
    column_w = key_w + room
    width = columns * column_w + (columns - 1) * between + 2 * pad
    height = min(_help_top(s, size) + line * per_column + pad, screen.height - 2 * s.px(10))
    box = pygame.Rect(0, 0, width, height)
    box.center = screen.center
    pygame.draw.rect(surface, palette.PANEL, box, border_radius=s.px(10))
    title = (box.x + pad, box.y + s.px(14))
    title_font = _font(size + 3, True)
    draw(surface, title_font, "Keys", palette.TEXT, box, palette.PANEL, topleft=title)
    if len(pages) > 1:
        turn = "H: the next page" if page + 1 < len(pages) else "H closes it"
        note = f"page {page + 1} of {len(pages)} · {turn} · the run is paused"
    else:
        note = "the run is paused while this is open; H closes it"
    note_at = (
        title[0] + title_font.size("Keys")[0] + s.px(16),
        title[1] + title_font.get_ascent() - text_font.get_ascent(),
    )
    note = fit(text_font, note, box.right - pad - note_at[0])
    if text_font.size(note)[0] <= box.right - pad - note_at[0]:
        draw(surface, text_font, note, palette.TEXT_DIM, box, palette.PANEL, topleft=note_at)
    top = box.y + _help_top(s, size)
    y, last_column = top, 0
    for index, column in pages[page]:
        label, lines = rows[index]
        if column != last_column:
            y, last_column = top, column
        x = box.x + pad + column * (column_w + between)
        draw(
            surface,
            key_font,
            fit(key_font, label, key_w - s.px(8)),
            palette.ACCENT_TEXT,
            box,
            palette.PANEL,
            topleft=(x, y),
        )
        heading = is_heading((label, " ".join(lines)))
        for part in lines:
            colour = palette.GOOD if heading else palette.TEXT  # (in the font its lines were wrapped for)
            draw(surface, text_font, part, colour, box, palette.PANEL, topleft=(x + key_w, y))
            y += line
