"""The lesson menu (F2) and a lesson's card: ready-made experiments started from the window.

The lessons themselves are evolution/run/lessons.py's command lines; starting one here is what `--lesson NAME`
does: the run on screen ends as on Q (its checkpoint written, its best saved), and the lesson's run starts.
"""

from __future__ import annotations

import pygame

from evolution.errors import InputError
from evolution.run.lessons import LESSONS
from game.drawing import palette
from game.drawing.layout import Layout
from game.drawing.scale import Scale, as_scale
from game.drawing.text import fit, rendered
from game.panels.caption import wrap
from game.views.view import View

NUMBER_KEYS = {getattr(pygame, f"K_{n}"): n for n in range(1, 10)} | {
    getattr(pygame, f"K_KP{n}"): n for n in range(1, 10)
}


class LessonMenu(View):
    """The lessons listed over the view under it (which waits meanwhile); a number starts one, F2 or Esc closes."""

    def __init__(self, window, under: View) -> None:
        super().__init__(window)
        self.under = under
        self.back = under  # the run's endings (quit, checkpoint) go to the view under the menu
        self.title = under.title

    def close_menu(self) -> None:
        self.window.show_view(self.under)

    def arrange(self, layout: Layout) -> None:
        self.under.arrange(layout)

    def draw(self, surface: pygame.Surface, layout: Layout) -> None:
        self.under.draw(surface, layout)
        lines = [f"{number}  {lesson.title}" for number, lesson in enumerate(LESSONS.values(), start=1)]
        draw_box(
            surface, layout.view, ["Lessons: press a number to start one (F2 or Esc closes)", *lines], layout.scale
        )

    def message_area(self, layout: Layout) -> pygame.Rect:
        return self.under.message_area(layout)

    def key(self, event: pygame.event.Event) -> bool:
        if event.key == pygame.K_ESCAPE:
            self.close_menu()
            return True
        number = NUMBER_KEYS.get(event.key)
        if number is None or number > len(LESSONS):
            return False
        start_lesson(self.window, list(LESSONS)[number - 1], self.under)
        return True


def start_lesson(window, name: str, under: View) -> None:
    """End the run on screen as Q does (checkpoint, best saved) and start lesson `name` in its place."""
    from app.options import parse
    from app.runs import build_reporters, start_evolution
    from game.views.evolving_view import EvolvingView

    def warn(text: str) -> None:
        window.say(text, error=True)

    try:
        options = parse(["--lesson", name])
    except InputError as exc:
        warn(str(exc))
        return
    replaced = under.run_evolving()
    under.quit()
    under.close()
    if options.compare:
        from game.views.compare_view import compare_view

        view = compare_view(window, options, warn)
    else:
        reporters, checkpointer = build_reporters(options.run, progress=False, warn=warn)
        view = EvolvingView(window, [start_evolution(options.run, reporters)], options.run.keep, checkpointer)
    # the lesson's run keeps its own outputs (its folder): the window's --checkpoint and --save stay the old run's
    view.lesson, view.replaced = True, replaced
    window.speed = options.window.speed
    window.show_view(view)
    window.show_card(name)


def draw_box(surface: pygame.Surface, view: pygame.Rect, lines: list[str], scale: Scale | float = 1.0) -> pygame.Rect:
    """Lines in a box in the middle of the track view, the first as a title; long lines wrapped."""
    s = as_scale(scale)
    title_font, text_font = s.font(17, bold=True), s.font(14)
    room = min(view.width - 2 * s.px(30), s.px(760))
    rows: list[tuple[str, pygame.font.Font, tuple[int, int, int]]] = [
        (fit(title_font, lines[0], room), title_font, palette.TEXT)
    ]
    for line in lines[1:]:
        colour = palette.TEXT_DIM if line.startswith("As a command:") else palette.TEXT
        rows += [(part, text_font, colour) for part in wrap(text_font, line, room, 3)]
    height = sum(font.get_linesize() for _, font, _ in rows) + s.px(8) + 2 * s.px(12)
    box = pygame.Rect(0, 0, room + 2 * s.px(16), min(height, view.height - s.px(8)))
    box.center = view.center
    pygame.draw.rect(surface, palette.PANEL, box, border_radius=s.px(8))
    pygame.draw.rect(surface, palette.GOOD, box, max(2, s.px(2)), border_radius=s.px(8))
    y = box.y + s.px(12)
    for index, (text, font, colour) in enumerate(rows):
        if y + font.get_linesize() > box.bottom:
            break
        surface.blit(rendered(font, text, colour), (box.x + s.px(16), y))
        y += font.get_linesize() + (s.px(8) if index == 0 else 0)
    return box


def draw_card(surface: pygame.Surface, view: pygame.Rect, card: list[str], scale: Scale | float = 1.0) -> None:
    """A lesson's card: its title, what to watch for, the next key, its command line; any key closes it."""
    draw_box(surface, view, [*card, "Press any key to close this card."], scale)
