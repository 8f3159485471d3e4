"""The track editor: draw a corridor with the mouse or the keyboard, see whether a dot can drive it, save it.

The whole track is shown at once. Dragging with the left button draws the centre line (the control point
nearest the pointer follows it); the keyboard alone does everything too (the line at the top lists the keys).
After every change the exact check of evolution/racing/drivable.py runs: a refused track shows its reason in red and
a red line at the column where it fails; a drivable one shows, in green, the driving the check found. Enter
saves it into tracks/ (only if drivable) and the population races it at once; Esc goes back without saving.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pygame

from evolution.errors import InputError
from evolution.racing.drivable import Drivability
from evolution.racing.track_draft import TrackDraft
from evolution.racing.track_names import resolve_track
from game.drawing import palette
from game.drawing.frame import content_rect, draw_panel
from game.drawing.layout import Layout
from game.drawing.text import fit, rendered
from game.views.view import View

KEYS_LINE = (
    "drag: draw · ← → point · ↑ ↓ move it (Shift: more) · [ ] width · S smooth · , . shorter/longer · "
    "Enter save and race · Esc back"
)
STEP, BIG_STEP = 0.25, 1.0  # ↑ ↓ move a point this far (with Shift, BIG_STEP)
WIDTH_STEP, BIG_WIDTH_STEP = 0.05, 0.25
LENGTH_STEP = 100


class EditorView(View):
    """Edits a TrackDraft in front of the evolving run (which waits meanwhile), then hands it the saved track."""

    title = "track editor"

    def __init__(self, window, back, draft: TrackDraft | None = None, folder: Path = Path("tracks")) -> None:
        super().__init__(window)
        self.back = back
        self.draft = draft if draft is not None else TrackDraft()
        self.folder = folder
        self.selected = 0
        self.dragging = False
        self.last_point: tuple[float, float] | None = None  # where the stroke being drawn has got
        self.span = (-5.0, 5.0)  # the heights shown, bottom to top; kept still while the mouse draws
        self.plot = pygame.Rect(0, 0, 1, 1)
        self.verdict: Drivability = self.draft.check()
        self.saved: Path | None = None
        self._fit_span()

    # ---- the model -------------------------------------------------------------------------
    def changed(self) -> None:
        """After an edit: the check again, and (unless drawing) the heights shown fitted to the track."""
        self.verdict = self.draft.check()
        if not self.dragging:
            self._fit_span()

    def _fit_span(self) -> None:
        top, bottom = self.draft.barriers()
        low, high = min(float(bottom.min()), -1.0), max(float(top.max()), 1.0)
        margin = max((high - low) * 0.15, 1.0)
        self.span = (low - margin, high + margin)

    def height_at(self, y: int) -> float:
        low, high = self.span
        return low + (self.plot.bottom - y) / max(self.plot.height, 1) * (high - low)

    def column_at(self, x: int) -> float:
        return (x - self.plot.x) / max(self.plot.width, 1) * (self.draft.columns - 1)

    def _x(self, columns: np.ndarray) -> np.ndarray:
        return self.plot.x + columns / max(self.draft.columns - 1, 1) * self.plot.width

    def _y(self, heights: np.ndarray) -> np.ndarray:
        low, high = self.span
        return self.plot.bottom - (np.asarray(heights) - low) / (high - low) * self.plot.height

    def save(self) -> Path | None:
        """Save the draft into tracks/ and train the run on it from this generation; None (said why) if refused."""
        try:
            path = self.draft.save(self.folder)
            track = resolve_track(f"tracks/{path.name}") if self.folder == Path("tracks") else None
        except InputError as exc:
            self.window.say(str(exc), error=True)
            return None
        self.saved = path
        self.window.show_view(self.back)
        if track is not None and hasattr(self.back, "set_track"):
            self.back.set_track(track)
        self.window.say(f"saved {path}: the population races it now (--track {path} races it again)")
        return path

    # ---- input -----------------------------------------------------------------------------
    def key(self, event: pygame.event.Event) -> bool:
        shift = bool(event.mod & pygame.KMOD_SHIFT) if hasattr(event, "mod") else False
        draft, key = self.draft, event.key
        if key == pygame.K_LEFT:
            self.selected = max(self.selected - 1, 0)
            return True
        if key == pygame.K_RIGHT:
            self.selected = min(self.selected + 1, draft.heights.size - 1)
            return True
        if key in (pygame.K_UP, pygame.K_DOWN):
            step = (BIG_STEP if shift else STEP) * (1 if key == pygame.K_UP else -1)
            draft.set_height(self.selected, draft.heights[self.selected] + step)
        elif key in (pygame.K_LEFTBRACKET, pygame.K_RIGHTBRACKET):
            step = BIG_WIDTH_STEP if shift else WIDTH_STEP
            draft.widen(step if key == pygame.K_RIGHTBRACKET else -step)
        elif key == pygame.K_s:
            draft.smooth()
        elif key in (pygame.K_COMMA, pygame.K_PERIOD):
            draft.resize(draft.columns + (LENGTH_STEP if key == pygame.K_PERIOD else -LENGTH_STEP))
            self.selected = min(self.selected, draft.heights.size - 1)
        elif key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self.save()
            return True
        elif key == pygame.K_ESCAPE:
            self.window.show_view(self.back)
            self.window.say("track editor closed without saving")
            return True
        else:
            return False  # the window's own keys (pause, help, quit, …) still work
        self.changed()
        return True

    def on_hide(self) -> None:
        """Another view in front (the lessons): a drag in progress ends here, since the button's release goes to
        that view; the mouse moving over the plot afterwards, button up, must not draw."""
        if self.dragging:
            self.dragging = False
            self.changed()

    def event(self, event: pygame.event.Event) -> bool:
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self.plot.collidepoint(event.pos):
            self.dragging, self.last_point = True, None
            self._draw_at(event.pos)
            return True
        if event.type == pygame.MOUSEMOTION and self.dragging:
            self._draw_at(event.pos)
            return True
        if event.type == pygame.MOUSEBUTTONUP and event.button == 1 and self.dragging:
            self.dragging = False
            self.changed()
            return True
        return False

    def _draw_at(self, position: tuple[int, int]) -> None:
        point = (self.column_at(position[0]), self.height_at(position[1]))
        self.selected = self.draft.draw_line(self.last_point or point, point)
        self.last_point = point
        self.verdict = Drivability(False, "drawing…")  # (while the button is down: checked when it is let go)

    # ---- drawing ---------------------------------------------------------------------------
    def arrange(self, layout: Layout) -> None:
        self.plot = editor_plot(layout)  # where the mouse draws, and the track is drawn

    def draw(self, surface: pygame.Surface, layout: Layout) -> None:
        s = layout.scale
        area = self.message_area(layout)
        inner = draw_panel(
            surface, area, f"track editor · {self.draft.columns} columns · width {self.draft.width:g}", s
        )
        small, bold = s.font(13), s.font(15, bold=True)
        line = rendered(small, fit(small, KEYS_LINE, inner.width), palette.TEXT_DIM)
        surface.blit(line, (inner.x, inner.y))
        verdict = self.verdict
        if verdict.drivable:
            text, colour = "a dot can drive it: the green line is a driving that reaches the finish", palette.GOOD
        else:
            text, colour = f"refused: {verdict.reason}", palette.WARNING
        said = rendered(bold, fit(bold, text, inner.width), colour)
        surface.blit(said, (inner.x, inner.y + line.get_height() + s.px(4)))
        if self.plot.width < 10 or self.plot.height < 10:
            return
        pygame.draw.rect(surface, palette.OUTSIDE, self.plot)
        top, bottom = self.draft.barriers()
        columns = np.arange(self.draft.columns)
        xs, tops, bottoms = self._x(columns), self._y(top), self._y(bottom)
        clip = surface.get_clip()
        surface.set_clip(self.plot)
        corridor = list(zip(xs.tolist(), tops.tolist())) + list(zip(xs[::-1].tolist(), bottoms[::-1].tolist()))
        pygame.draw.polygon(surface, palette.CORRIDOR, corridor)
        pygame.draw.lines(surface, palette.BARRIER, False, list(zip(xs.tolist(), tops.tolist())), max(1, s.px(1)))
        pygame.draw.lines(surface, palette.BARRIER, False, list(zip(xs.tolist(), bottoms.tolist())), max(1, s.px(1)))
        if verdict.drivable and verdict.heights is not None:
            path = list(zip(self._x(np.arange(verdict.heights.size)).tolist(), self._y(verdict.heights).tolist()))
            if len(path) > 1:
                pygame.draw.lines(surface, palette.GOOD, False, path, max(2, s.px(2)))
        elif verdict.column >= 0:
            x = float(self._x(np.array([verdict.column]))[0])
            pygame.draw.line(surface, palette.WARNING, (x, self.plot.top), (x, self.plot.bottom), max(2, s.px(2)))
        points = self.draft.point_columns
        pxs, pys = self._x(points), self._y(self.draft.heights)
        for index, (x, y) in enumerate(zip(pxs.tolist(), pys.tolist())):
            chosen = index == self.selected
            radius = s.px(6) if chosen else s.px(3)
            pygame.draw.circle(surface, palette.SELECTED if chosen else palette.TEXT_DIM, (x, y), max(2, radius))
        start = (float(self._x(np.array([0]))[0]), float(self._y(np.array([0.0]))[0]))
        pygame.draw.circle(surface, palette.ACCENT, start, max(3, s.px(7)), max(2, s.px(2)))
        label = rendered(small, "start", palette.ACCENT)
        surface.blit(label, (start[0] + s.px(10), start[1] - label.get_height() // 2))
        surface.set_clip(clip)

    def message_area(self, layout: Layout) -> pygame.Rect:
        return pygame.Rect(0, 0, layout.footer.width, layout.footer.top)


def editor_plot(layout: Layout) -> pygame.Rect:
    """Where the editor draws the track: its panel over the track view and the panels, under the keys' line and
    the verdict's."""
    s = layout.scale
    inner = content_rect(pygame.Rect(0, 0, layout.footer.width, layout.footer.top), s)
    top_y = inner.y + s.font(13).get_height() + s.font(15, bold=True).get_height() + s.px(10)
    return pygame.Rect(inner.x + s.px(8), top_y, inner.width - s.px(16), inner.bottom - top_y - s.px(4))


def open_editor(window, draft: TrackDraft | None = None) -> EditorView:
    """The editor in front of the window's current view."""
    view = EditorView(window, window.view, draft)
    window.show_view(view)
    return view
