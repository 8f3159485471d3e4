"""The caption line: what is happening now and why, in plain words, at the foot of the track view; and the
milestone banner (the first finisher, half finish, the test track finished) for a few seconds.

The notes come from evolution/run/narration.py; this module only chooses which one to show and draws it. A note
stays at least HOLD seconds unless a more important one comes; of the notes waiting, the most important
(then the newest) comes next, so at high speed the caption shows what matters, not a blur.
"""

from __future__ import annotations

import time

import pygame

from evolution.run.narration import MILESTONES, Note
from game.drawing import palette
from game.drawing.scale import Scale, as_scale
from game.drawing.text import fit, rendered

HOLD = 3.0  # seconds a caption stays at least (unless a more important one comes)
STALE = 6.0  # a note still waiting after this long is dropped: it is no longer what is happening
BANNER_SECONDS = 4.0  # a milestone's banner stays this long
IMPORTANCE = {
    "race_start": 1,
    "leader_crash": 1,
    "all_out": 2,
    "closed": 2,
    "new_best": 3,
    "setting": 3,
    "test_drive_start": 3,
    "test_drive_end": 3,
    "overfitting": 4,
    "then_and_now": 4,
    **dict.fromkeys(MILESTONES, 5),
}
MAX_LINES = 4  # the breeding explanation takes 3 lines at 1280×720, 4 at 800×500: at 2 it was cut mid-sentence


class Caption:
    """Which note is shown, since when; the milestone banner; on or off (a key toggles it)."""

    def __init__(self, clock=time.perf_counter) -> None:
        self.clock = clock
        self.on = True
        self.note: Note | None = None
        self.since = 0.0
        self.waiting: list[tuple[Note, float]] = []  # (note, when it came)
        self.banner: Note | None = None
        self.banner_until = 0.0

    def add(self, notes: list[Note]) -> None:
        """Take new notes: a milestone raises its banner; the caption changes now if one matters more."""
        now = self.clock()
        for note in notes:
            if note.milestone:
                self.banner, self.banner_until = note, now + BANNER_SECONDS
            self.waiting = [(other, at) for other, at in self.waiting if other.kind != note.kind] + [(note, now)]
        self._choose(now)

    def choose(self) -> None:
        """The frame's update: the note shown now (HOLD, importance, STALE); drawing only reads it."""
        self._choose(self.clock())

    def _choose(self, now: float) -> None:
        self.waiting = [(note, at) for note, at in self.waiting if now - at < STALE]
        if not self.waiting:
            return
        order = range(len(self.waiting))
        pick = max(order, key=lambda i: (IMPORTANCE.get(self.waiting[i][0].kind, 1), i))
        best = self.waiting[pick][0]
        current = IMPORTANCE.get(self.note.kind, 1) if self.note is not None else 0
        if self.note is None or now - self.since >= HOLD or IMPORTANCE.get(best.kind, 1) > current:
            self.note, self.since = best, now
            del self.waiting[pick]

    def text(self) -> str:
        """The caption shown now ('' when off or before the first note), as choose() last picked it."""
        return self.note.text if self.on and self.note is not None else ""

    def banner_text(self) -> str:
        """The milestone banner shown now, or ''."""
        if self.banner is None or self.clock() >= self.banner_until:
            return ""
        who = f"{self.banner.run} · " if self.banner.run else ""
        return f"★ {who}{MILESTONES[self.banner.kind]}: generation {self.banner.generation}"

    def clear(self) -> None:
        """Forget every note (a restart)."""
        self.note, self.waiting, self.banner = None, [], None

    def banner_box(self, view: pygame.Rect, scale: Scale | float = 1.0) -> pygame.Rect | None:
        """Where the milestone banner shown now goes in the track view (None: no banner): high, under the window's
        own banner; the camera keeps the followed dot (and the leader's label) lower, where a banner would hide
        them."""
        banner = self.banner_text()
        if not banner:
            return None
        s = as_scale(scale)
        size = s.font(22, bold=True).size(banner)
        return pygame.Rect((0, 0), size).move_to(midtop=(view.centerx, view.y + s.px(54))).inflate(s.px(28), s.px(14))

    def draw(self, surface: pygame.Surface, view: pygame.Rect, scale: Scale | float = 1.0) -> pygame.Rect | None:
        """The caption at the foot of the track view and the banner in its middle; the caption's box (or None)."""
        s = as_scale(scale)
        banner = self.banner_text()
        if banner:
            big = s.font(22, bold=True)
            picture = rendered(big, banner, palette.PANEL)
            box = self.banner_box(view, s)
            pygame.draw.rect(surface, palette.GOOD, box, border_radius=s.px(8))
            surface.blit(picture, picture.get_rect(center=box.center))
        text = self.text()
        if not text or view.width < s.px(100):
            return None
        text_font = s.font(14, bold=True)
        lines = wrap(text_font, text, view.width - 2 * s.px(16), MAX_LINES)
        line_h = text_font.get_linesize()
        height = line_h * len(lines) + s.px(8)
        box = pygame.Rect(view.x + s.px(6), view.bottom - height - s.px(6), view.width - 2 * s.px(6), height)
        shade = pygame.Surface(box.size, pygame.SRCALPHA)
        shade.fill((*palette.PANEL, 230))
        surface.blit(shade, box.topleft)
        pygame.draw.rect(surface, palette.PANEL_EDGE, box, max(1, s.px(1)), border_radius=s.px(4))
        y = box.y + s.px(4)
        for line in lines:
            surface.blit(rendered(text_font, line, palette.TEXT), (box.x + s.px(10), y))
            y += line_h
        return box


def wrap(text_font: pygame.font.Font, text: str, width: int, most: int) -> list[str]:
    """The text in lines of at most width pixels, at most `most` of them (the last ending in … if cut)."""
    lines: list[str] = []
    words = text.split()
    line = ""
    for index, word in enumerate(words):
        trial = f"{line} {word}".strip()
        if text_font.size(trial)[0] <= width or not line:
            line = trial
            continue
        lines.append(line)
        line = word
        if len(lines) == most:
            rest = " ".join(words[index:])
            last = lines[-1] + " " + rest
            while last and text_font.size(last + "…")[0] > width:
                last = last[:-1]
            lines[-1] = last.rstrip() + "…"
            return lines
    if line:
        lines.append(line)
    return lines


def draw_progress(
    surface: pygame.Surface, view: pygame.Rect, text: str, fraction: float, scale: Scale | float = 1.0
) -> pygame.Rect:
    """A line naming the work a closing generation is doing, with a bar that fills as it goes: the track view
    never looks frozen while the generation is scored elsewhere. Drawn in the middle of the track view."""
    s = as_scale(scale)
    text_font = s.font(14, bold=True)
    shown = fit(text_font, f"{text}: {fraction:.0%}", view.width - 2 * s.px(30))
    rendered = text_font.render(shown, True, palette.TEXT)
    bar_h = s.px(6)
    box = rendered.get_rect(midtop=(view.centerx, view.y + view.height // 2)).inflate(s.px(20), s.px(12) + bar_h)
    pygame.draw.rect(surface, palette.PANEL, box, border_radius=s.px(5))
    pygame.draw.rect(surface, palette.PANEL_EDGE, box, max(1, s.px(1)), border_radius=s.px(5))
    surface.blit(rendered, (box.x + s.px(10), box.y + s.px(4)))
    bar = pygame.Rect(box.x + s.px(10), box.bottom - bar_h - s.px(4), box.width - s.px(20), bar_h)
    pygame.draw.rect(surface, palette.PANEL_EDGE, bar)
    pygame.draw.rect(surface, palette.GOOD, (bar.x, bar.y, int(bar.width * max(0.0, min(fraction, 1.0))), bar.height))
    return box
