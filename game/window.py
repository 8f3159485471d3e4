"""The live window: watch a population learn to drive, steer it with the keyboard, test-drive champions.

Keys (the table in game/keys.py is the source; H shows it in the window):
Space pause · → or N step · F or + faster · − slower · T training/test track · G new random track
S save · L test-drive the newest save · R restart · M record a movie · I record a GIF · D figures · E export
H or F1 help · Esc or Q quit. Click a dot to follow it.

The window owns what every view shares (speed, pause, help, messages, the frame budget) and shows
one view at a time (game/views/view.py); the views own what they show.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pygame

from app.flag_types import MIN_WINDOW, SPEEDS, TURBO
from evolution.breeding.seeds import generator
from evolution.errors import InputError, Interrupted, RunFailed
from evolution.files.checkpoint import Checkpointer
from evolution.interrupts import ignore_signals
from evolution.racing.race import Race
from evolution.racing.track import Track
from evolution.run.evolve import Evolution
from evolution.run.genome_file import GenomeFile, load_genomes
from game.drawing import palette, text
from game.drawing.assets import font, icon, start_pygame
from game.drawing.layout import Layout
from game.drawing.scale import PROJECTOR_FROM, USER_STEPS, Scale, next_user_step
from game.keys import COMMAND_OF_KEY
from game.panels import hud
from game.panels.caption import Caption
from game.panels.pointer import draw_pointer_line
from game.takeaway.takeaway import Takeaway, save_png
from game.views.drive_view import DriveView
from game.views.evolving_view import EvolvingView
from game.views.lessons import draw_card
from game.views.view import View

if TYPE_CHECKING:
    from app.options import WindowOptions

FPS = 60
FRAME_SECONDS = 1 / FPS
WORK_SECONDS = 0.008  # race stepping per frame until drawing has been timed
FRAME_MARGIN = 0.0025  # of a frame's 16.7 ms, kept free for events, the flip and the unexpected
MIN_WORK_SECONDS = 0.002
DRAWS_REMEMBERED = 120  # two seconds of frames
TURBO_DRAW_EVERY = 2  # in turbo one frame in this many is drawn; the others only race
MESSAGE_SECONDS = 5.0
WINDOW_COMMANDS = (  # the same in every view
    *("pause", "faster", "slower", "help", "larger", "panels", "quit", "captions", "lessons"),
    *("record_movie", "record_gif", "figures", "export"),
)


def speed_label(speed: int) -> str:
    return "turbo" if speed == TURBO else f"×{speed}"


class Window:
    """The window's shared state and its three jobs per frame: read events, advance the view, draw."""

    def __init__(self, screen: pygame.Surface, speed: int = 1) -> None:
        self.screen = screen
        self.speed_index = SPEEDS.index(speed)
        self.paused = False
        self.show_help = False
        self.help_page = 0  # the help's page shown (a small window's help takes more than one)
        self.running = True
        self.messages: list[tuple[str, bool, float]] = []
        self.frame_times: list[float] = []
        self.fps = 0.0
        # the recent draws' times (a guess until drawing has been timed): a frame leaves room for the longest
        # (a chart or panel redrawn at a new generation), so that such a frame still fits its 1/60 s
        first_guess = FRAME_SECONDS - WORK_SECONDS - FRAME_MARGIN
        self.recent_draws: deque[float] = deque([first_guess], maxlen=DRAWS_REMEMBERED)
        self._turbo_frames = 0  # frames since turbo began: one in TURBO_DRAW_EVERY is drawn
        self.drew_last_frame = True  # False after a frame of turbo that only raced: the next need not wait
        self._background_key: tuple | None = None  # the layout the gaps between the panels were last filled for
        self._overlay_shown = False  # the help or a panel was drawn over the window last frame
        self.user_scale = USER_STEPS[0]  # Z makes everything larger, for a projector
        self.panel_tab = 0  # in the projector layout (Z at ×1.5 or more): 0 the chart, 1 the numbers and network
        self.view: View = View(self)
        self.caption = Caption()  # what is happening and why, in words (W turns it off and on)
        self.card: list[str] | None = None  # a lesson's card, shown until a key is pressed
        self.pointer: tuple[int, int] | None = None  # where the mouse is: what is under it is said in one line
        self.failure: Exception | None = None  # a --replay that did not match: the one line the program ends with
        self.close_at = 0.0  # when set (perf_counter), the failure has been shown and the window closes then
        # Once the window is closing no one reads the screen: an error said then (an output that could not be
        # written on the way out) also goes to stderr, once; output_failed makes the exit status 1.
        self.closing = False
        self.output_failed = False
        self._said_on_stderr: set[str] = set()
        self.takeaway = Takeaway(self)  # recordings, figures and exports (run_window gives it the run's folder)

    @property
    def speed(self) -> int:
        """Race steps per frame (TURBO: as many as the frame's time allows)."""
        return SPEEDS[self.speed_index]

    @speed.setter
    def speed(self, steps: int) -> None:
        self.speed_index = SPEEDS.index(steps)

    @property
    def turbo(self) -> bool:
        return self.speed == TURBO and not self.paused

    def layout(self) -> Layout:
        """Where everything goes at the window's size and scale."""
        width, height = self.screen.get_size()
        scale = Scale.for_window(width, height, self.user_scale)
        return Layout.for_size(width, height, scale, self.user_scale >= PROJECTOR_FROM, self.panel_tab)

    def show_view(self, view: View) -> None:
        """Show another view from the next frame on: the view shown until now hears on_hide, the new one
        on_show (which may itself show another: a list with nothing in it goes back at once)."""
        hidden, self.view = self.view, view
        if hidden is not view:
            hidden.on_hide()
            view.on_show()

    def fail(self, failure: Exception, seconds: float) -> None:
        """A --replay that did not match: said on screen and paused for `seconds`, then the window closes, and the
        program ends with the one line naming it (exit code 2)."""
        self.failure = failure
        self.paused = True
        self.say(str(failure), error=True)
        self.close_at = time.perf_counter() + seconds

    # ---- commands shared by every view ------------------------------------------------------
    def say(self, text: str, error: bool = False) -> None:
        if error and self.closing and text not in self._said_on_stderr:
            self._said_on_stderr.add(text)
            print(f"main.py: warning: {text}", file=sys.stderr, flush=True)
        self.messages = [*self.messages[-3:], (text, error, time.perf_counter() + MESSAGE_SECONDS)]

    def command(self, name: str) -> None:
        if name in WINDOW_COMMANDS:
            getattr(self, f"do_{name}")()
        elif name == "step":
            if self.paused:
                self.view.step()
            else:
                self.say("→ steps while paused: press Space first")
        elif not self.view.command(name):
            self.say(f"{name.replace('_', ' ')} does nothing in the {self.view.title} view", error=True)

    def do_pause(self) -> None:
        self.paused = not self.paused

    def do_faster(self) -> None:
        self.speed_index = min(self.speed_index + 1, len(SPEEDS) - 1)

    def do_slower(self) -> None:
        self.speed_index = max(self.speed_index - 1, 0)

    def do_help(self) -> None:
        """H: the help opens over a paused run (as it was before comes back when it closes); in a window too small
        for every row at once, H turns its pages, and closes it after the last."""
        if self.show_help:
            pages = hud.help_pages(self.screen.get_rect(), self.layout().scale, self.works)
            if self.help_page + 1 < pages:
                self.help_page += 1
                return
        self.show_help, self.help_page = not self.show_help, 0
        if self.show_help:
            self._paused_before_help, self.paused = self.paused, True
        else:
            self.paused = getattr(self, "_paused_before_help", self.paused)

    def works(self, command: str) -> bool:
        """True if the command does something in the view shown (the footer and the help offer only those)."""
        if command in getattr(self.view, "idle_commands", ()):  # answered only with why it does nothing here
            return False
        return command in WINDOW_COMMANDS or command == "step" or hasattr(self.view, f"do_{command}")

    def show_card(self, name: str) -> None:
        """Show a lesson's card (what to watch for) until a key is pressed."""
        from evolution.run.lessons import lesson

        self.card = lesson(name).card()

    def do_lessons(self) -> None:
        """F2: the lesson menu over the view (a number starts one; F2 or Esc closes it)."""
        from game.views.lessons import LessonMenu

        if isinstance(self.view, LessonMenu):
            self.view.close_menu()
        else:
            self.show_view(LessonMenu(self, self.view))

    def do_captions(self) -> None:
        self.caption.on = not self.caption.on
        self.say("captions on: a line says what is happening and why" if self.caption.on else "captions off")

    def do_larger(self) -> None:
        self.user_scale = next_user_step(self.user_scale)
        width, height = self.screen.get_size()
        shown = Scale.for_window(width, height, self.user_scale).factor / Scale.for_window(width, height).factor
        if self.user_scale >= PROJECTOR_FROM:
            self.say(f"projector ×{self.user_scale:g}: the track and the chart, large · Tab: the other panels")
        elif shown < self.user_scale - 1e-9:  # the panels would have no room for their text beyond
            self.say(f"text ×{self.user_scale:g}, lines ×{shown:.3g}: the most this window has room for")
        elif self.user_scale == USER_STEPS[0]:
            self.say("text and lines ×1: every panel back")
        else:
            self.say(f"text and lines ×{self.user_scale:g}")

    def do_record_movie(self) -> None:
        self.takeaway.toggle(".mp4")

    def do_record_gif(self) -> None:
        self.takeaway.toggle(".gif")

    def do_figures(self) -> None:
        self.takeaway.figures()

    def do_export(self) -> None:
        self.takeaway.export()

    def do_panels(self) -> None:
        if self.user_scale < PROJECTOR_FROM:
            self.say("Tab swaps panels in the projector layout: press Z until ×1.5 first")
            return
        self.panel_tab = 1 - self.panel_tab

    def do_quit(self) -> None:
        self.running = False
        self.closing = True
        self.view.quit()
        self.takeaway.close()  # a recording under way ends whole; figures being drawn are written

    # ---- the frame ---------------------------------------------------------------------------
    def frame(self, events: list[pygame.event.Event]) -> None:
        """One frame: handle the events, advance the view, draw, show."""
        for event in events:
            self.handle(event)
        if not self.running:
            return
        self.screen = pygame.display.get_surface()
        # In turbo most frames only race: whole generations pass between frames, so drawing at 30 a second
        # shows as much, and evolution gets the time; events are still read every frame.
        work_only = self.turbo and self._turbo_frames % TURBO_DRAW_EVERY != 0
        self._turbo_frames = self._turbo_frames + 1 if self.turbo else 0
        self.drew_last_frame = not work_only
        self.update(work_only)
        if work_only:
            return
        started = time.perf_counter()
        self.arrange()
        self.draw()
        pygame.display.flip()
        self.takeaway.after_frame(self.screen)
        self.recent_draws.append(time.perf_counter() - started)

    def handle(self, event: pygame.event.Event) -> None:
        if event.type == pygame.QUIT:
            self.do_quit()
        elif self.view.event(event):
            return
        elif event.type == pygame.KEYDOWN:
            if self.card is not None:  # the card goes; the key does what it says too
                self.card = None
            if self.view.key(event):
                return
            name = COMMAND_OF_KEY.get(event.key)
            if name is None and event.unicode in ("+", "-"):
                name = "faster" if event.unicode == "+" else "slower"
            if name is not None:
                self.command(name)
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            self.view.click(event.pos, self.layout())
        elif event.type == pygame.MOUSEMOTION:
            self.pointer = event.pos

    def update(self, work_only: bool = False) -> None:
        """Advance the view: what is left of the frame after drawing goes to racing, the whole frame in one
        that is not drawn (work_only). At a set speed the room left is for the longest recent draw (a chart or
        panel redrawn at a new generation), so that every frame fits its 1/60 s; in turbo, where a late frame
        costs nothing, for the median one."""
        if self.paused:
            return
        steps = 10**9 if self.speed == TURBO else self.speed
        if work_only:
            work = FRAME_SECONDS
        else:
            drawing = statistics.median(self.recent_draws) if self.turbo else max(self.recent_draws)
            work = max(MIN_WORK_SECONDS, FRAME_SECONDS - FRAME_MARGIN - drawing)
        self.view.update(steps, time.perf_counter() + work)

    def arrange(self, layout: Layout | None = None) -> None:
        """The update of every drawn frame, paused or not, after the race's: a failure shown long enough closes
        the window; the view arranges what follows its race for this layout (not in a window too small for one:
        draw only says how large it must be); the caption picks its line."""
        if self.close_at and time.perf_counter() > self.close_at:
            self.running = False
        width, height = self.screen.get_size()
        if width >= MIN_WINDOW[0] and height >= MIN_WINDOW[1]:
            self.view.arrange(layout or self.layout())
        self.caption.choose()

    def banner(self) -> str:
        """The line over the track view: a --replay that did not match says so (the window pauses for it, and
        'paused' would hide why), else 'paused', else the view's own."""
        if self.failure is not None:
            return self.view.banner()
        return ("paused · Space resumes, → steps" if self.paused else "") or self.view.banner()

    def draw(self) -> None:
        screen = self.screen
        width, height = screen.get_size()
        text.forget(screen)  # the texts of this frame are recorded afresh
        if width < MIN_WINDOW[0] or height < MIN_WINDOW[1]:
            screen.fill(palette.BACKGROUND)
            self._background_key = None  # the whole window was painted over
            line = f"make the window at least {MIN_WINDOW[0]}×{MIN_WINDOW[1]}"
            text.draw(
                screen,
                font(14),
                line,
                palette.TEXT,
                screen.get_rect(),
                palette.BACKGROUND,
                center=screen.get_rect().center,
            )
            return
        layout = self.layout()
        # the track view paints every pixel of its rect and each panel its own: the gaps between them are
        # filled only when the picture under them may have changed (another layout or view, an overlay over
        # them last frame or now). At 3840×2160 a whole-window fill was a sixth of a frame.
        overlay = self.show_help or bool(getattr(self.view, "panel_open", False))
        key = (screen.get_size(), layout.view, layout.stats, layout.chart, layout.network, id(self.view))
        if key != self._background_key or overlay or self._overlay_shown:
            screen.fill(palette.BACKGROUND, (0, layout.view.bottom, width, height - layout.view.bottom))
        self._background_key, self._overlay_shown = key, overlay
        # the banner and the messages are drawn last, over the track view: their places are kept free of labels
        banner, area, box, messages, boxes = self.overlays(layout)
        for taken in boxes:
            text.reserve(screen, taken)
        self.view.draw(screen, layout)
        self.caption.draw(screen, self.view.message_area(layout), layout.scale)
        if not self.show_help:  # the help lists every key, and its box would cut the footer's line in half
            hud.draw_footer(screen, layout.footer, layout.scale, layout.note, self.works)
        if banner:
            hud.draw_banner(screen, area, banner, scale=layout.scale)
        hud.draw_messages(screen, area, messages, layout.scale, banner=box)
        point_at = getattr(self.view, "point_at", None)
        said = point_at(self.pointer, layout) if self.pointer is not None and point_at is not None else None
        if said:
            draw_pointer_line(screen, self.pointer, said, layout.scale)
        if self.card is not None:
            draw_card(screen, self.view.message_area(layout), self.card, layout.scale)
        if self.show_help:
            hud.draw_help(screen, layout.scale, self.works, self.help_page)

    def overlays(
        self, layout: Layout
    ) -> tuple[str, pygame.Rect, pygame.Rect | None, list[tuple[str, bool]], list[pygame.Rect]]:
        """What the window draws over the view this frame: (the banner's line, the area it and the messages go in,
        the box of the banner and the milestone's together or None, the messages shown, every box they take).
        A view keeps its own parts out of those boxes (the list of saves starts below them)."""
        banner = self.banner()
        area = self.view.message_area(layout)
        box = hud.draw_banner(self.screen, area, banner, scale=layout.scale, dry=True) if banner else None
        milestone = self.caption.banner_box(area, layout.scale)  # the messages go below it too, not over it
        if milestone is not None:
            box = milestone if box is None else box.union(milestone)
        now = time.perf_counter()
        messages = [(line, error) for line, error, until in self.messages if until > now]
        boxes = [box] * (box is not None) + hud.draw_messages(self.screen, area, messages, layout.scale, box, dry=True)
        return banner, area, box, messages, boxes

    def race_lines(self, race: Race) -> list[tuple[str, str]]:
        """The stats panel's last lines, the same in every view that races."""
        speed = "paused" if self.paused else speed_label(self.speed)
        return [
            ("column", f"{race.column} of {race.track.finish}"),
            ("track", race.track.name),
            ("speed", speed),
            ("frames/s", f"{self.fps:.0f}"),
        ]

    def tick_fps(self, seconds: float) -> None:
        self.frame_times = [*self.frame_times[-59:], seconds]
        self.fps = len(self.frame_times) / max(sum(self.frame_times), 1e-9)
        now = time.perf_counter()
        self.messages = [m for m in self.messages if m[2] > now]


def first_view(
    window: Window,
    evolution: Evolution | None,
    keep: int,
    checkpointer: Checkpointer | None,
    drive_file: Path | None,
    track: Track,
    seed: int,
    ghosts: list | None = None,
    saved: GenomeFile | None = None,
    folder: Path | None = None,
) -> View:
    """The view the window opens with: evolving the run (ghosts beside it: --ghost), or (with no run)
    test-driving drive_file, whose genomes are `saved` when the command line has read them already."""
    if evolution is not None:
        return EvolvingView(window, [evolution], keep, checkpointer, ghosts=ghosts, folder=folder)
    saved = saved or load_genomes(drive_file)
    window.say(f"test drive: {len(saved.genomes)} genomes from {drive_file}")
    return DriveView(window, saved, drive_file, track, generator(seed, "new_track"), speed=None)


def save_screenshot(surface: pygame.Surface, path: Path) -> None:
    """Save a PNG atomically, with the usual file mode (as the window's figures are: takeaway.save_png)."""
    save_png(surface, path)


def run_window(
    options: WindowOptions,
    evolution: Evolution | None,
    keep: int,
    checkpointer: Checkpointer | None,
    track: Track,
    seed: int,
    make_view: Callable[[Window], View] | None = None,
) -> tuple[int, Evolution | None]:
    """Open the window and run until the user quits, a signal comes or options.frames have been drawn.

    evolution is the run to watch (None: test-drive options.load on track); keep is how many genomes
    S saves; checkpointer, when given, writes the run's checkpoints (its warnings go on screen). Returns
    the exit status and the run on screen at the end (R may have started another), whose checkpoint and
    saves are written before this returns, however the window ended. make_view, when given, makes the
    first view instead (runs side by side).
    """
    status, final = 0, evolution
    error: Exception | None = None  # an error after the start: the window ends as on Q, then RunFailed carries it
    window: Window | None = None
    start_pygame()
    try:
        pygame.display.set_caption("neuroracer")
        pygame.display.set_icon(icon())
        screen = pygame.display.set_mode(options.size, pygame.RESIZABLE)
        pygame.key.set_repeat(350, 40)
        window = Window(screen, options.speed)
        folder = getattr(options, "folder", None)
        window.takeaway = Takeaway(window, folder, getattr(options, "record", None))
        if folder is not None:
            window.say(f"this run's folder: {folder} (M records, D draws figures, E exports, S saves there)")
        if getattr(options, "lesson", ""):
            window.show_card(options.lesson)
        else:
            window.say("F2 opens ready-made lessons; H shows every key")
        if checkpointer is not None:
            checkpointer.warn = lambda text: window.say(text, error=True)
        if make_view is not None:
            window.show_view(make_view(window))
        else:
            ghosts = getattr(options, "ghosts", None)
            window.show_view(
                first_view(
                    window, evolution, keep, checkpointer, options.load, track, seed, ghosts, options.drive, folder
                )
            )
            if getattr(options, "edit", None) is not None:  # --edit: the track editor in front of the run
                from game.views.editor_view import open_editor

                open_editor(window, options.edit)
        clock = pygame.time.Clock()
        frames = 0
        try:
            while window.running:
                window.frame(pygame.event.get())
                if not window.running:
                    break
                # a frame of turbo that only raced (see frame) does not wait: its time all went to racing
                window.tick_fps(clock.tick(FPS if window.drew_last_frame else 0) / 1000)
                frames += 1
                if options.frames is not None and frames >= options.frames:
                    break
        except Interrupted as stop:  # Ctrl+C or SIGTERM: as Q, then the signal's status
            status = stop.status
            print("interrupted; saving first", file=sys.stderr)
            ignore_signals()  # a second one does not cut the saving short
            window.do_quit()
        except Exception as exc:  # an internal error: Q's way out (the checkpoint, the best saved), then said
            error = exc
            ignore_signals()
            quit_after_error(window)
        window.closing = True  # (also at the end of --frames)
        if options.screenshot:
            try:
                save_screenshot(window.screen, options.screenshot)
            except (OSError, pygame.error, InputError) as exc:
                print(f"main.py: warning: --screenshot {options.screenshot} not written ({exc})", file=sys.stderr)
                status = status or 1
        try:  # the recordings end whole, the figures being drawn are written
            window.takeaway.close()
        except Exception as exc:
            print(f"main.py: warning: a recording or figure was not finished ({exc})", file=sys.stderr)
            status = status or 1
        status = status or (1 if window.takeaway.failed else 0)
        if window.running:  # stopped by --frames rather than by the user
            window.view.checkpoint()
        final = window.view.run_evolving() or final
        window.view.close()
        if window.output_failed:  # said on stderr (a save on the way out that could not be written)
            status = status or 1
        if window.failure is not None:  # shown on screen; now the one line, after the shutdown as headless
            print(f"main.py: error: {window.failure}", file=sys.stderr)
            status = 2
    except Exception as exc:  # opening the window, or its way out, failed: the run is still handed back
        error = error or exc
        if window is not None:
            with contextlib.suppress(Exception):
                final = window.view.run_evolving() or final
    finally:
        if window is not None:  # a way out that failed half way: the recordings still end
            with contextlib.suppress(Exception):
                window.takeaway.close()
        pygame.quit()
    sys.stdout.flush()
    if error is not None:
        raise RunFailed(error, final) from error
    return status, final


def quit_after_error(window: Window) -> None:
    """After an internal error, what Q does (the view's checkpoint, its best saved); if that fails as well, the
    run's own way out (app.runs.shutdown) still writes its state as it is."""
    try:
        window.do_quit()
    except Exception:
        window.running = False
