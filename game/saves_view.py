"""The list of saves that L opens: this run's saves first, then the others, newest first; pick one to test-drive.

The list is there at once (the files' names and times); what each file holds is read on a thread (game/saves.py,
SaveScan), shown as it comes with a progress line, so the window never waits for a folder of large saves."""

from __future__ import annotations

from pathlib import Path

import pygame

from . import palette
from .layout import Layout
from .panel import draw_panel
from .saves import SaveEntry, SaveScan
from .text import cover, draw, fit, reserve, taken
from .view import View

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
        self._rows: list[tuple[pygame.Rect, int]] = []  # where each listed entry was drawn, for clicks

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

    def draw(self, surface: pygame.Surface, layout: Layout) -> None:
        s = layout.scale
        box = layout.view.inflate(-2 * s.px(40), -2 * s.px(20))
        # the list starts below the messages over it, so that a message never covers it (a save's "saved
        # …" covered its first rows); the race's labels keep out of it, and those under it are hidden
        top = max([box.top] + [rect.bottom + s.px(6) for rect in taken(surface) if rect.colliderect(box)])
        box = pygame.Rect(box.x, top, box.width, max(box.bottom - top, 0))
        reserve(surface, box)
        self.back.draw(surface, layout)
        cover(surface, box)
        inner = draw_panel(surface, box, "test-drive a save: ↑ ↓ and Enter, or click · Esc or L: back", s)
        text_font, small = s.font(14, bold=True), s.font(12)
        row = max(s.px(ROW), text_font.get_linesize() + s.px(4))
        if not self.scan.done:  # the last row says how far the reading has got
            progress = f"reading what the saves hold: {self.scan.read} of {self.scan.total}"
            at = (inner.x + s.px(4), inner.bottom - row + row // 2)
            draw(
                surface,
                small,
                fit(small, progress, inner.width - s.px(8)),
                palette.TEXT_DIM,
                box,
                palette.PANEL,
                midleft=at,
            )
            inner = pygame.Rect(inner.x, inner.y, inner.width, max(inner.height - row, row))
        rows = max(1, inner.height // row)
        first = min(max(self.chosen - rows // 2, 0), max(len(self.entries) - rows, 0))
        self._rows = []
        for place, entry in enumerate(self.entries[first : first + rows]):
            index = first + place
            rect = pygame.Rect(inner.x, inner.y + place * row, inner.width, row)
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
            self._rows.append((rect, index))

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
