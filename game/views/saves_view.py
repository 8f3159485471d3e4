"""The list of saves that L opens: this run's saves first, then the others, newest first; pick one to test-drive.

The list is there at once (the files' names and times); what each file holds is read on a thread
(game/takeaway/saves.py, SaveScan), shown as it comes with a progress line, so the window never waits for a
folder of large saves."""

from __future__ import annotations

from pathlib import Path

import pygame

from game.drawing import palette
from game.drawing.frame import content_rect, draw_panel
from game.drawing.layout import Layout
from game.drawing.text import cover, draw, fit, reserve
from game.takeaway.saves import SaveEntry, SaveScan
from game.views.view import View

ROW = 24  # pixels at 1280×720


class SavesView(View):
    """Pick a save with ↑/↓ and Enter (or a click); Esc or L goes back to the run, which keeps going meanwhile."""

    title = "pick a save"

    def __init__(self, window, back, own_folder: Path | list[Path] | None) -> None:
        """own_folder: the run's saves folder (a comparison's: every run's), whose saves are listed first."""
        super().__init__(window)
        self.back = back
        self.scan = SaveScan(own_folder)
        self.chosen = 0
        self._rows: list[tuple[pygame.Rect, int]] = []  # where each listed entry goes (arrange), for clicks
        self._places: tuple[pygame.Rect, list[pygame.Rect], pygame.Rect | None] = (pygame.Rect(0, 0, 0, 0), [], None)

    def on_show(self) -> None:
        if not self.entries:  # nothing to list: back at once
            self.window.say("no saves yet: press S to save", error=True)
            self.leave()

    @property
    def entries(self) -> list[SaveEntry]:
        """The saves listed, with what has been read of them so far."""
        return self.scan.entries

    def update(self, steps: int, deadline: float) -> None:
        self.back.update(steps, deadline)  # evolution goes on behind the list

    def arrange(self, layout: Layout) -> None:
        self.back.arrange(layout)
        self._places = list_places(layout, self.window.overlays(layout)[-1], reading=not self.scan.done)
        rows = self._places[1]
        first = min(max(self.chosen - len(rows) // 2, 0), max(len(self.entries) - len(rows), 0))
        self._rows = [(rect, first + place) for place, rect in enumerate(rows[: len(self.entries) - first])]

    def draw(self, surface: pygame.Surface, layout: Layout) -> None:
        s = layout.scale
        box, _, progress = self._places
        # the list starts below the messages over it (list_places), so that a message never covers it (a save's
        # "saved …" covered its first rows); the race's labels keep out of it, and those under it are hidden
        reserve(surface, box)
        self.back.draw(surface, layout)
        cover(surface, box)
        inner = draw_panel(surface, box, "test-drive a save: ↑ ↓ and Enter, or click · Esc or L: back", s)
        text_font, small = s.font(14, bold=True), s.font(12)
        if progress is not None:  # the last row says how far the reading has got
            text = f"reading what the saves hold: {self.scan.read} of {self.scan.total}"
            shown = fit(small, text, inner.width - s.px(8))
            draw(surface, small, shown, palette.TEXT_DIM, box, palette.PANEL, midleft=progress.midleft)
        for rect, index in self._rows:
            entry = self.entries[index]
            if index == self.chosen:
                pygame.draw.rect(surface, (225, 238, 248), rect)
            name = (
                f"{entry.path.parent.name}/{entry.path.name}" if entry.path.parent.name != "saves" else entry.path.name
            )
            mark = "this run · " if entry.mine else ""
            behind = (225, 238, 248) if index == self.chosen else palette.PANEL
            shown = fit(text_font, name, inner.width // 2 - s.px(12))
            draw(surface, text_font, shown, palette.TEXT, box, behind, midleft=(rect.x + s.px(4), rect.centery))
            shown = fit(small, mark + entry.summary, inner.width // 2 - s.px(12))
            draw(surface, small, shown, palette.TEXT_DIM, box, behind, midleft=(rect.centerx + s.px(8), rect.centery))

    def key(self, event: pygame.event.Event) -> bool:
        if event.key in (pygame.K_UP, pygame.K_k):
            self.chosen = max(self.chosen - 1, 0)
        elif event.key in (pygame.K_DOWN, pygame.K_j):
            self.chosen = min(self.chosen + 1, max(len(self.entries) - 1, 0))
        elif event.key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self.pick(self.chosen)
        elif event.key in (pygame.K_ESCAPE, pygame.K_l):
            self.leave()
        else:
            return False
        return True

    def click(self, position: tuple[int, int], layout: Layout) -> None:
        for rect, index in self._rows:
            if rect.collidepoint(position):
                self.pick(index)
                return

    def pick(self, index: int) -> None:
        if 0 <= index < len(self.entries):
            path = self.entries[index].path
            self.leave()
            self.back.drive(path)

    def close(self) -> None:
        self.scan.stop()
        super().close()

    def leave(self) -> None:
        """Back to the run; the reading stops."""
        self.scan.stop()
        self.window.show_view(self.back)


def list_places(
    layout: Layout, overlays: list[pygame.Rect], reading: bool
) -> tuple[pygame.Rect, list[pygame.Rect], pygame.Rect | None]:
    """Where the list goes over the track view, below the window's banner and messages (their boxes: overlays):
    (its box, the rect of each row it has room for, the progress line's place while the saves are being read)."""
    s = layout.scale
    box = layout.view.inflate(-2 * s.px(40), -2 * s.px(20))
    top = max([box.top] + [rect.bottom + s.px(6) for rect in overlays if rect.colliderect(box)])
    box = pygame.Rect(box.x, top, box.width, max(box.bottom - top, 0))
    inner = content_rect(box, s)
    row = max(s.px(ROW), s.font(14, bold=True).get_linesize() + s.px(4))
    progress = None
    if reading:  # the last row says how far the reading has got
        progress = pygame.Rect(inner.x + s.px(4), inner.bottom - row, inner.width - s.px(8), row)
        inner = pygame.Rect(inner.x, inner.y, inner.width, max(inner.height - row, row))
    rows = [
        pygame.Rect(inner.x, inner.y + place * row, inner.width, row) for place in range(max(1, inner.height // row))
    ]
    return box, rows, progress
