"""The live window: watch a population learn to drive, steer it with the keyboard, test-drive champions.

Keys (the table in game/keys.py is the source; H shows it in the window):
Space pause · → or N step · F or + faster · − slower · T training/test track · G new random track
S save · L test-drive the newest save · R restart · H or F1 help · Esc or Q quit. Click a dot to follow it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pygame

from evolution.checkpoint import Checkpointer
from evolution.errors import InputError
from evolution.evolve import RunConfig
from evolution.genome_file import load_genomes, save_genomes
from evolution.reporters import CsvLog, Reporter
from evolution.track import Track, blog_test_track, random_track, training_track

from . import hud, palette
from .assets import font, icon, start_pygame
from .camera import Camera
from .chart import draw_chart
from .keys import COMMAND_OF_KEY
from .netview import NetworkView
from .overview import Overview
from .session import DriveSession, EvolveSession
from .track_view import draw_race, nearest_dot

FPS = 60
FRAME_SECONDS = 1 / FPS
SPEEDS = (1, 2, 4, 8, 16, 32, 64, 0)  # steps per frame; 0 is turbo
TURBO = 0
WORK_SECONDS = 0.008  # race stepping per frame until drawing has been timed
FRAME_MARGIN = 0.0025  # of a frame's 16.7 ms, kept free for events, the flip and the unexpected
MIN_WORK_SECONDS = 0.002
SAVES = Path("saves")
MESSAGE_SECONDS = 5.0
MIN_SIZE = (480, 360)


def parse_speed(text: str) -> int:
    """An index into SPEEDS from '1', '2', ... '64', 'x4' or 'turbo'."""
    text = text.strip().lower().lstrip("x×")
    if text == "turbo":
        return SPEEDS.index(TURBO)
    if text.isdigit() and int(text) in SPEEDS and int(text) != TURBO:
        return SPEEDS.index(int(text))
    raise InputError(f"--speed {text!r}: choose 1, 2, 4, 8, 16, 32, 64 or turbo")


def speed_label(speed: int) -> str:
    return "turbo" if speed == TURBO else f"×{speed}"


@dataclass
class Layout:
    """Where each part of the window goes for a window size."""

    view: pygame.Rect
    overview: pygame.Rect
    stats: pygame.Rect
    chart: pygame.Rect
    network: pygame.Rect
    footer: pygame.Rect

    @classmethod
    def for_size(cls, width: int, height: int) -> Layout:
        footer_h, panel_h, strip_h, gap = 22, min(210, max(120, height // 3)), 30, 6
        view = pygame.Rect(0, 0, width, height - footer_h - panel_h - strip_h - 2 * gap)
        overview = pygame.Rect(gap, view.bottom + gap, width - 2 * gap, strip_h)
        y = overview.bottom + gap
        stats_w = min(270, width // 4)
        net_w = min(440, width // 3)
        stats = pygame.Rect(gap, y, stats_w, panel_h)
        network = pygame.Rect(width - net_w - gap, y, net_w, panel_h)
        chart = pygame.Rect(stats.right + gap, y, network.left - stats.right - 2 * gap, panel_h)
        footer = pygame.Rect(0, height - footer_h, width, footer_h)
        return cls(view, overview, stats, chart, network, footer)


class App:
    """The window's state and its three jobs per frame: read events, advance the race, draw."""

    def __init__(self, options, screen: pygame.Surface) -> None:
        self.options = options
        self.args = options.args
        self.screen = screen
        seed = options.config.seed
        self.track_seeds = np.random.default_rng([seed, 1])  # G draws its tracks from the run's seed
        self.restart_seeds = np.random.default_rng([seed, 2])  # and R its new seeds
        self.config: RunConfig = options.config
        self.speed_index = parse_speed(self.args.speed)
        self.paused = False
        self.show_help = False
        self.selected: int | None = None
        self.running = True
        self.messages: list[tuple[str, bool, float]] = []
        self.camera = Camera(pygame.Rect(0, 0, 1, 1))
        self.overview = Overview()
        self.netview = NetworkView()
        self.frame_times: list[float] = []
        self.fps = 0.0
        self.draw_seconds = FRAME_SECONDS - WORK_SECONDS - FRAME_MARGIN  # a moving average, measured
        self.saved_generation: int | None = None
        self.evolve: EvolveSession | None = None
        self.session: EvolveSession | DriveSession
        self.checkpointer = (
            Checkpointer(self.args.checkpoint, self.args.checkpoint_every, lambda text: self.say(text, error=True))
            if self.args.checkpoint
            else None
        )
        if self.args.load:
            self.session = self._drive_session(self.args.load, options.track)
        else:
            reporters: list[Reporter] = []
            if self.args.log:
                resuming = options.evolution is not None
                log = CsvLog(self.args.log, continue_at=options.evolution.reported if resuming else None)
                if options.changes:
                    log.note(f"resumed at generation {options.evolution.generation}: " + ", ".join(options.changes))
                reporters.append(log)
            if self.checkpointer:
                reporters.append(self.checkpointer)
            self.evolve = EvolveSession(self.config, options.track, reporters, options.evolution)
            self.session = self.evolve

    # ---- commands -------------------------------------------------------------------------
    def say(self, text: str, error: bool = False) -> None:
        self.messages = [*self.messages[-3:], (text, error, time.perf_counter() + MESSAGE_SECONDS)]

    def command(self, name: str) -> None:
        getattr(self, f"do_{name}")()

    def do_pause(self) -> None:
        self.paused = not self.paused

    def do_step(self) -> None:
        if self.paused:
            self.session.settle()  # a generation that is closing closes first, so the step is seen
            self.session.advance(1, time.perf_counter() + WORK_SECONDS)
        else:
            self.say("→ steps while paused: press Space first")

    def do_faster(self) -> None:
        self.speed_index = min(self.speed_index + 1, len(SPEEDS) - 1)

    def do_slower(self) -> None:
        self.speed_index = max(self.speed_index - 1, 0)

    def do_track(self) -> None:
        track = training_track() if self.session.track.name == "test" else blog_test_track()
        self._set_track(track)

    def do_new_track(self) -> None:
        self._set_track(random_track(int(self.track_seeds.integers(2**32))))

    def _set_track(self, track: Track) -> None:
        self.session.set_track(track)
        self.selected = None
        self.say(f"track: {track.name} ({track.columns} columns)")

    def do_save(self) -> None:
        path = self.save_best()
        if path is None and self.evolve is not None:
            self.say("nothing to save yet: the first generation is still racing", error=True)

    def save_best(self) -> Path | None:
        """Save the latest generation's best genomes to a new file under saves/; None if there are none."""
        record = None if self.evolve is None else self.evolve.evolution.best(self.args.keep)
        if record is None:
            return None
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        base = f"neuroracer-{stamp}-gen{record.generation}"
        for attempt in range(1000):
            path = SAVES / (f"{base}.json" if attempt == 0 else f"{base}-{attempt}.json")
            if not path.exists():
                break
        try:
            save_genomes(path, record)
        except InputError as exc:
            self.say(f"could not save: {exc}", error=True)
            return None
        self.saved_generation = record.generation
        self.say(f"saved the best {len(record.genomes)} genomes to {path}")
        return path

    def do_load(self) -> None:
        if self.session.kind == "drive" and self.evolve is not None:
            self.session = self.evolve
            self.selected = None
            self.say("back to evolving")
            return
        path = self.args.load or newest_save()
        if path is None:
            self.say(f"no saves in {SAVES}/ yet: press S to save", error=True)
            return
        try:
            session = self._drive_session(path, self.session.track)
        except InputError as exc:
            self.say(str(exc), error=True)
            return
        self.session = session
        self.selected = None

    def _drive_session(self, path: Path, track: Track) -> DriveSession:
        saved = load_genomes(path)
        self.say(f"test drive: {len(saved.genomes)} genomes from {path}")
        return DriveSession(saved, Path(path), track)

    def do_restart(self) -> None:
        if self.evolve is not None:
            self.evolve.close()
        seed = int(self.restart_seeds.integers(2**32))
        self.config = RunConfig(**{**self.config.__dict__, "seed": seed})
        self.evolve = EvolveSession(self.config, self.session.track, [self.checkpointer] if self.checkpointer else [])
        self.session = self.evolve
        self.saved_generation = None
        self.selected = None
        self.say(f"restarted evolution with seed {seed}")

    def do_help(self) -> None:
        self.show_help = not self.show_help

    def do_quit(self) -> None:
        self.running = False
        self.checkpoint_now()
        if self.evolve is not None and self.evolve.evolution.generation - 1 != self.saved_generation:
            path = self.save_best()
            if path is not None:
                print(f"saved the best genomes to {path}")

    def checkpoint_now(self) -> None:
        """Write the checkpoint, if there is one to write, after finishing a generation that is closing."""
        if self.checkpointer is None or self.evolve is None:
            return
        self.evolve.settle()
        if self.checkpointer.save(self.evolve.evolution):
            print(f"checkpoint: {self.checkpointer.path} (generation {self.evolve.evolution.generation})")

    # ---- the frame ---------------------------------------------------------------------------
    def frame(self, events: list[pygame.event.Event]) -> None:
        """One frame: handle the events, advance the race, draw, show."""
        for event in events:
            self.handle(event)
        if not self.running:
            return
        self.screen = pygame.display.get_surface()
        self.update()
        started = time.perf_counter()
        self.draw()
        pygame.display.flip()
        self.draw_seconds += (time.perf_counter() - started - self.draw_seconds) * 0.1

    def handle(self, event: pygame.event.Event) -> None:
        if event.type == pygame.QUIT:
            self.do_quit()
        elif event.type == pygame.KEYDOWN:
            name = COMMAND_OF_KEY.get(event.key)
            if name is None and event.unicode in ("+", "-"):
                name = "faster" if event.unicode == "+" else "slower"
            if name is not None:
                self.command(name)
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            layout = Layout.for_size(*self.screen.get_size())
            if layout.view.collidepoint(event.pos):
                self.selected = nearest_dot(self.camera, self.session.race, event.pos)

    def update(self) -> None:
        if self.paused:
            return
        speed = SPEEDS[self.speed_index]
        steps = 10**9 if speed == TURBO else speed
        race_before = self.session.race
        # what is left of the frame after drawing (as it has lately taken) goes to racing
        work = max(MIN_WORK_SECONDS, FRAME_SECONDS - FRAME_MARGIN - self.draw_seconds)
        self.session.advance(steps, time.perf_counter() + work)
        if self.session.race is not race_before:
            self.selected = None

    def draw(self) -> None:
        screen = self.screen
        width, height = screen.get_size()
        screen.fill(palette.BACKGROUND)
        if width < MIN_SIZE[0] or height < MIN_SIZE[1]:
            text = font(14).render(f"make the window at least {MIN_SIZE[0]}×{MIN_SIZE[1]}", True, palette.TEXT)
            screen.blit(text, text.get_rect(center=screen.get_rect().center))
            return
        layout = Layout.for_size(width, height)
        race = self.session.race
        self.camera.view = layout.view
        self.camera.follow(race.track, race.column, FRAME_SECONDS)
        ranks, leader = race.ranking()
        followed = self.selected if self.selected is not None else leader
        draw_race(screen, self.camera, race, ranks, leader, followed, self.selected is not None)
        self.overview.draw(screen, layout.overview, race, self.camera)
        hud.draw_panel_lines(screen, layout.stats, self.title(), self.stat_lines())
        if self.session.kind == "evolve":
            draw_chart(screen, layout.chart, self.evolve.evolution.history)
        else:
            self.draw_drive_scores(layout.chart)
        genome = race.genomes[followed]
        activations = race.network.activations(genome[None], race.inputs_of(followed)[None])
        who = f"dot #{followed + 1}" + (" (selected)" if self.selected is not None else " (leader)")
        self.netview.draw(screen, layout.network, race.network, genome, activations, f"network of {who}")
        hud.draw_footer(screen, layout.footer)
        banner = self.banner()
        if banner:
            hud.draw_banner(screen, layout.view, banner)
        now = time.perf_counter()
        self.messages = [m for m in self.messages if m[2] > now]
        hud.draw_messages(screen, layout.view, [(text, error) for text, error, _ in self.messages])
        if self.show_help:
            hud.draw_help(screen)

    def banner(self) -> str:
        if self.session.complete:
            return f"run complete: {self.config.generations} generations · R restarts, L test-drives"
        if self.paused:
            return "paused · Space resumes, → steps"
        return ""

    def title(self) -> str:
        return "evolving" if self.session.kind == "evolve" else "test drive"

    def stat_lines(self) -> list[tuple[str, str]]:
        race = self.session.race
        track = race.track
        speed = "paused" if self.paused else speed_label(SPEEDS[self.speed_index])
        lines: list[tuple[str, str]] = []
        if self.session.kind == "evolve":
            evolution = self.evolve.evolution
            last = evolution.history.last()
            history = evolution.history
            limit = "" if self.config.generations >= 10**8 else f" of {self.config.generations}"
            lines.append(("generation", f"{evolution.generation}{limit}"))
            lines.append(("alive", f"{race.alive_count} of {race.count}"))
            now = race.current_scores
            lines.append(("this gen", f"best {int(now.max())} · mean {hud.short_number(float(now.mean()))}"))
            if last is not None:
                lines.append(("last gen", f"best {last.best} · mean {hud.short_number(last.mean)}"))
                bests = history.column("best")
                lines.append(("best ever", f"{int(bests.max())} (gen {int(np.argmax(bests))})"))
            else:
                lines.append(("last gen", "—"))
            lines.append(("strategy", self.config.strategy))
            lines.append(("seed", str(self.config.seed)))  # drawn seeds have ten digits: a line of its own
        else:
            lines.append(("file", self.session.path.name))
            lines.append(("alive", f"{race.alive_count} of {race.count}"))
            if race.done:
                lines.append(("finished", f"{int((race.scores >= track.finish).sum())} of {race.count}"))
            else:
                lines.append(("lap", f"{self.session.laps + 1} · racing…"))
            lines.append(("from", f"{self.session.saved.strategy} · gen {self.session.saved.generation}"))
        lines.append(("column", f"{race.column} of {track.finish}"))
        lines.append(("track", track.name))
        lines.append(("speed", speed))
        lines.append(("fps", f"{self.fps:.0f}"))
        return lines

    def draw_drive_scores(self, rect: pygame.Rect) -> None:
        """Each saved genome's score as it goes, best first."""
        race = self.session.race
        pygame.draw.rect(self.screen, palette.PANEL, rect)
        pygame.draw.rect(self.screen, palette.PANEL_EDGE, rect, 1)
        self.screen.blit(font(13, bold=True).render("scores as they go", True, palette.TEXT), (rect.x + 8, rect.y + 5))
        scores = race.current_scores
        rows = max(1, (rect.height - 30) // 16)
        small = font(12)
        for i, score in enumerate(scores[: rows * 4]):
            x = rect.x + 10 + (i // rows) * ((rect.width - 20) // 4)
            y = rect.y + 26 + (i % rows) * 16
            if race.alive[i] and not race.done:
                colour, mark = palette.TEXT, ""
            elif score >= race.track.finish:
                colour, mark = palette.GOOD, " ✓"
            else:
                colour, mark = palette.WARNING, " ✗"
            self.screen.blit(small.render(f"#{i + 1}  {score}{mark}", True, colour), (x, y))

    def tick_fps(self, seconds: float) -> None:
        self.frame_times = [*self.frame_times[-59:], seconds]
        self.fps = len(self.frame_times) / max(sum(self.frame_times), 1e-9)


def newest_save() -> Path | None:
    files = sorted(SAVES.glob("*.json"), key=lambda p: p.stat().st_mtime) if SAVES.is_dir() else []
    return files[-1] if files else None


def save_screenshot(surface: pygame.Surface, path: Path) -> None:
    """Save a PNG atomically: to a temporary file beside it, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".png", dir=path.parent)
    os.close(handle)
    try:
        pygame.image.save(surface, temp)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise InputError(f"--size {text!r}: expected WIDTHxHEIGHT, e.g. 1280x720") from None
    if not (MIN_SIZE[0] <= width <= 10000 and MIN_SIZE[1] <= height <= 10000):
        raise InputError(f"--size {text!r}: each side must be from {MIN_SIZE[0]}×{MIN_SIZE[1]} to 10000")
    return width, height


def run_window(options) -> int:
    """Open the window and run until the user quits (or --frames have been drawn)."""
    args = options.args
    size = parse_size(args.size)
    parse_speed(args.speed)
    if args.screenshot and args.screenshot.suffix.lower() != ".png":
        raise InputError(f"--screenshot {args.screenshot}: the file must end in .png")
    if options.evolution is not None and options.evolution.finished_all and options.evolution.settled:
        print(
            f"{args.resume}: the run has already reached generation {options.evolution.generation - 1}; nothing to do"
        )
        return 0
    if options.seed_was_drawn and not args.load:
        print(f"seed {options.config.seed} (pass --seed {options.config.seed} to repeat this run)")
    start_pygame()
    try:
        pygame.display.set_caption("neuroracer")
        pygame.display.set_icon(icon())
        screen = pygame.display.set_mode(size, pygame.RESIZABLE)
        pygame.key.set_repeat(350, 40)
        app = App(options, screen)
        clock = pygame.time.Clock()
        frames = 0
        while app.running:
            app.frame(pygame.event.get())
            if not app.running:
                break
            app.tick_fps(clock.tick(FPS) / 1000)
            frames += 1
            if args.frames is not None and frames >= args.frames:
                break
        if args.screenshot:
            save_screenshot(app.screen, args.screenshot)
        if app.running:  # stopped by --frames rather than by the user
            app.checkpoint_now()
        app.session.close()
        if app.evolve is not None and app.evolve is not app.session:
            app.evolve.close()
    finally:
        pygame.quit()
    sys.stdout.flush()
    return 0
