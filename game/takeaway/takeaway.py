"""What a pupil takes away from the window, all into the run's folder: a recording (M: a movie, MP4; I: an
animated GIF; the same key again stops it), the figures (D: the saved best's paths on the track and the
learning curves, drawn by matplotlib on a worker thread) and the chart and log as they stand (E: a PNG and a
CSV). --record FILE records the whole window without a person (a scripted run: --frames and --speed).

The window calls after_frame() after each frame it shows and close() on its one way out (run_window), which
ends the recordings whole and waits for the figures, however the window ends.
"""

from __future__ import annotations

import contextlib
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pygame

from evolution.atomic import write_atomic
from evolution.errors import InputError
from evolution.files.crash import one_line
from evolution.files.run_folder import command_text, free_name, make_folder, runs_root, write_command
from evolution.interrupts import atomic
from evolution.racing.track import start_track
from evolution.run.lab import run_line
from evolution.run.reporters import LOG_HEADER, log_row
from game.takeaway.recorder import MAX_GIF_SECONDS, Recorder

if TYPE_CHECKING:
    from game.window import Window

PATHS_KEPT = 20


class Takeaway:
    """The window's recordings, figures and exports; the folder they go to is the run's (made for a test drive
    when the first of them is written)."""

    def __init__(self, window: Window, folder: Path | None = None, record: Path | None = None) -> None:
        self.window = window
        self._folder = folder
        self.record_path = record  # --record: started with the first frame shown
        self.scripted: Recorder | None = None
        self.recorder: Recorder | None = None  # M or I
        self._figures: Future | None = None
        self._pool: ThreadPoolExecutor | None = None
        self.failed = False  # --record could not be written: the exit status says so

    # ---- where ------------------------------------------------------------------------------
    def folder(self) -> Path:
        """The folder of the run on screen (a restart's new one too); for a test drive one made now."""
        view = self.window.view
        while view is not None:
            found = getattr(view, "folder", None)
            if isinstance(found, Path):
                return found
            view = view.back
        if self._folder is None:
            self._folder = make_folder(runs_root(), f"drive-{datetime.now().strftime('%Y%m%d-%H%M%S')}")
            write_command(self._folder, command_text(sys.argv[1:]))
        return self._folder

    def _free(self, name: str, suffix: str) -> Path:
        return free_name(self.folder() / f"{name}{suffix}")

    # ---- recording --------------------------------------------------------------------------
    def toggle(self, suffix: str) -> None:
        """M (".mp4") or I (".gif"): start a recording into the run's folder, or stop the one running."""
        with atomic():  # a signal waits: no encoder is left half started or half stopped
            self._toggle(suffix)

    def _toggle(self, suffix: str) -> None:
        if self.recorder is not None:
            self._stop_recording()
            return
        try:
            path = self._free(f"recording-{datetime.now().strftime('%H%M%S')}", suffix)
            self.recorder = Recorder(path, self.window.screen.get_size())
        except Exception as exc:  # no encoder, a folder that cannot be written: said, the run goes on
            self.window.say(f"could not start recording: {one_line(exc)}", error=True)
            return
        key = "M" if suffix == ".mp4" else "I"
        extra = f" (at most {MAX_GIF_SECONDS} s)" if suffix == ".gif" else ""
        self.window.say(f"recording to {path}{extra}: press {key} again to stop")

    def _stop_recording(self) -> None:
        recorder, self.recorder = self.recorder, None
        path = recorder.stop()
        if path is None:
            self.window.say(f"recording stopped: {recorder.error}; the run goes on", error=True)
        else:
            skipped = f", {recorder.dropped} skipped to keep the window smooth" if recorder.dropped else ""
            self.window.say(f"recording saved: {path} ({recorder.frames} frames{skipped})")

    def after_frame(self, surface: pygame.Surface) -> None:
        """After a frame is shown: recordings take it; a recording that failed or is full stops, said. A signal
        waits for the end (a recording started has its first frame; none is left half started)."""
        with atomic():
            self._after_frame(surface)

    def _after_frame(self, surface: pygame.Surface) -> None:
        if self.record_path is not None and self.scripted is None:
            self._start_scripted(surface)
        if self.scripted is not None and self.scripted.running:
            self.scripted.capture(surface)
            if self.scripted.error is not None:
                self._end_scripted()
        if self.recorder is not None:
            self.recorder.capture(surface)
            if self.recorder.error is not None or self.recorder.full:
                if self.recorder.full:
                    self.window.say(f"a GIF stops after {MAX_GIF_SECONDS} seconds: press M for a movie (MP4)")
                self._stop_recording()
        self._poll_figures()

    def _start_scripted(self, surface: pygame.Surface) -> None:
        try:
            self.scripted = Recorder(self.record_path, surface.get_size(), scripted=True)
        except Exception as exc:
            self.record_path = None
            self.failed = True
            self.window.say(f"--record: could not start ({one_line(exc)}); the run goes on", error=True)
            print(f"main.py: warning: --record not written ({one_line(exc)})", file=sys.stderr, flush=True)

    def _end_scripted(self) -> None:
        """End --record's recording: the file renamed into place and named, or why not (stderr, exit status 1)."""
        recorder, self.record_path, self.scripted = self.scripted, None, None
        if recorder is None:
            return
        path = recorder.stop()
        if path is None:
            self.failed = True
            self.window.say(f"recording stopped: {recorder.error}; the run goes on", error=True)
            print(f"main.py: warning: --record {recorder.path}: {recorder.error}", file=sys.stderr, flush=True)
        else:
            print(f"recording: {path} ({recorder.frames} frames)", flush=True)

    # ---- figures and export ------------------------------------------------------------------
    def evolutions(self) -> list:
        """The runs on screen (every run of a comparison), or [] in a test drive of a file."""
        view = self.window.view
        while view is not None and not hasattr(view, "runs"):
            view = view.back
        if view is None:
            return []
        return [run.evolution for run in view.runs]

    def figures(self) -> None:
        """D: draw the figures of the run on screen into its folder, on a worker thread."""
        if self._figures is not None and not self._figures.done():
            self.window.say("the figures are still being drawn")
            return
        evolutions = self.evolutions()
        if not evolutions or len(evolutions[0].history) == 0:
            self.window.say("no figures yet: the first generation is still racing", error=True)
            return
        from evolution.files.plots import curve_from_history

        curves, best = [], None
        for index, evolution in enumerate(evolutions, start=1):
            label = evolution.config.strategy if len(evolutions) > 1 else ""
            curves.append(curve_from_history(evolution.history, evolution.state.events, f"{index} {label}".strip(),
                                             evolution.track.name))  # fmt: skip
        record = evolutions[0].best(PATHS_KEPT)
        if record is not None:
            best = (replace(record, genomes=record.genomes.copy(), scores=record.scores.copy()), evolutions[0].track)
        folder = self.folder()
        generation = int(curves[0].generation[-1])
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="neuroracer-figures")
        self._figures = self._pool.submit(draw_figures, curves, best, folder, generation)
        self.window.say("drawing the figures…")

    def _poll_figures(self, wait: bool = False) -> None:
        if self._figures is None or not (wait or self._figures.done()):
            return
        future, self._figures = self._figures, None
        try:
            written = future.result()
        except Exception as exc:  # matplotlib failed, the disk is full: said, the run goes on
            self.window.say(f"the figures were not drawn: {one_line(exc)}", error=True)
            return
        pngs = [path for path in written if path.suffix == ".png"]
        self.window.say("figures: " + ", ".join(str(path) for path in pngs) + " (and .svg)")

    def export(self) -> None:
        """E: the chart as it stands (PNG) and the log so far (CSV) into the run's folder."""
        with atomic():  # both, or (a signal waiting) both still
            self._export()

    def _export(self) -> None:
        evolutions = self.evolutions()
        if not evolutions or len(evolutions[0].history) == 0:
            self.window.say("nothing to export yet: the first generation is still racing", error=True)
            return
        generation = len(evolutions[0].history) - 1
        try:
            chart = self._free(f"chart-gen{generation}", ".png")
            save_png(self.chart_image(evolutions[0]), chart)
            logs = []
            for index, evolution in enumerate(evolutions, start=1):
                name = f"log-gen{generation}" + (f"-{index}-{evolution.config.strategy}" if len(evolutions) > 1 else "")
                logs.append(write_atomic(self._free(name, ".csv"), log_text(evolution).encode()))
        except (InputError, OSError, pygame.error) as exc:
            self.window.say(f"could not export: {exc}", error=True)
            return
        self.window.say(f"exported the chart to {chart} and the log to {', '.join(map(str, logs))}")

    def chart_image(self, evolution) -> pygame.Surface:
        """The chart as on screen now (a view that shows it), else drawn as the evolving view draws it."""
        layout = self.window.layout()
        shown = layout.chart.width > 0 and layout.chart.height > 0  # folded away: the projector shows the numbers
        if shown and hasattr(self.window.view, "chart") and self.window.screen.get_rect().contains(layout.chart):
            return self.window.screen.subsurface(layout.chart).copy()
        from game.drawing.layout import Layout
        from game.panels.chart import draw_chart

        size = layout.chart.size if shown else Layout.for_size(*self.window.screen.get_size(), layout.scale).chart.size
        image = pygame.Surface(size)
        draw_chart(image, image.get_rect(), evolution.history, layout.scale)
        return image

    # ---- the way out --------------------------------------------------------------------------
    def close(self) -> None:
        """On the window's way out: recordings end whole (or say why not), the figures being drawn are waited for;
        a signal meanwhile waits for the end."""
        with atomic():
            self._close()

    def _close(self) -> None:
        if self.recorder is not None:
            recorder = self.recorder
            self._stop_recording()
            if recorder.error is None:
                print(f"recording: {recorder.path} ({recorder.frames} frames)", flush=True)
        if self.scripted is not None:
            self._end_scripted()
        elif self.record_path is not None:  # the window closed before its first frame was drawn
            self.failed, self.record_path = True, None
            print("main.py: warning: --record not written: the window closed before its first frame",
                  file=sys.stderr, flush=True)  # fmt: skip
        if self._figures is not None:
            with contextlib.suppress(Exception):
                self._figures.result()
            self._poll_figures(wait=True)
        if self._pool is not None:
            self._pool.shutdown(wait=True)


def draw_figures(curves: list, best: tuple | None, folder: Path, generation: int) -> list[Path]:
    """The figures of a running run (on the worker thread): its learning curves, and its best's paths."""
    from evolution.files.plots import draw_curves, draw_paths
    from evolution.racing.track import blog_test_track

    written = draw_curves(curves, folder / f"curves-gen{generation}")
    if best is not None:
        saved, track = best
        written += draw_paths(saved, track, folder / f"paths-gen{generation}")
        if track.name != "test":  # the blog's test: the track the genomes never saw
            written += draw_paths(saved, blog_test_track(), folder / f"paths-test-gen{generation}")
    return written


def log_text(evolution) -> str:
    """The run's log so far, as --log writes it (its run line, its rows and settings changes): --plot and --replay
    read it."""
    events = {}
    for event in evolution.state.events:
        events.setdefault(event.generation, []).append(f"# {event.log_text()}")
    from evolution.run.settings import initial_config

    start = initial_config(evolution.config, evolution.state.events)
    lines = [f"# {run_line(start, start_track(evolution.track.name, evolution.state.events))}", LOG_HEADER]
    for index in range(len(evolution.history)):
        lines += events.get(index, [])
        lines.append(log_row(evolution.history.row(index)))
    return "\n".join(lines) + "\n"


def save_png(surface: pygame.Surface, path: Path) -> None:
    """A surface as a PNG, atomically (encoded in memory, then written beside and renamed)."""
    import io

    buffer = io.BytesIO()
    pygame.image.save(surface, buffer, "png")
    write_atomic(path, buffer.getvalue())
