"""Figures of a run, drawn with matplotlib (imported only here, when a figure is drawn; the Agg backend, no
window): the blog's figure (the saved top 20's paths on the track, darker the better, the corridor shaded) and
the learning curves (best, median and mean of each generation, the champion on the test track, settings changes
and milestones marked; several runs of a comparison on one figure; a sweep's seeds on one figure).

Each figure is written as a PNG (FIGURE_PIXELS) and an SVG, atomically, beside the run's other files.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from evolution.atomic import read_limited, write_atomic
from evolution.errors import InputError
from evolution.files.run_folder import CHECKPOINT, LAST, SWEEP_LOG, is_run_folder, last_run
from evolution.racing.race import Race
from evolution.racing.track import Track, blog_test_track
from evolution.racing.track_names import resolve_track
from evolution.run.genome_file import GenomeFile, load_genomes
from evolution.run.reporters import LOG_HEADER, SET_LINE
from evolution.run.settings import parse_log_text
from evolution.run.start_record import RUN_LINE, read_leniently

FIGURE_PIXELS = (1280, 720)
DPI = 128
MAX_LOG_BYTES = 256 * 1024 * 1024
FORMATS = ("png", "svg")
PATHS_KEPT = 20  # the blog's figure: the saved top 20
COLOURS = ("#1f6fb4", "#d1552a", "#2f9e44", "#8e44ad")  # one per run of a comparison (at most four)


@dataclass
class Curve:
    """One run's learning curve, from its log or its history: a column per generation, and what to mark."""

    label: str
    generation: np.ndarray
    best: np.ndarray
    median: np.ndarray
    mean: np.ndarray
    test_best: np.ndarray  # NaN where the champion was not driven on the test track
    finished: np.ndarray
    changes: list[tuple[int, str]] = field(default_factory=list)  # settings changes: (generation, what)
    track: str = ""
    finish: np.ndarray | None = None  # per generation, the score that finishes the track raced (None: unknown)

    def share(self, column: np.ndarray) -> np.ndarray:
        """Scores as the percentage of the track raced (of the test track for test_best)."""
        if column is self.test_best:
            return 100 * column / blog_test_track().finish
        return 100 * column / self.finish if self.finish is not None else column

    def milestones(self) -> list[tuple[int, str]]:
        """The first finisher on the training track, and the first champion to finish the test track."""
        marks = []
        finished = np.flatnonzero(self.finished > 0)
        if finished.size:
            marks.append((int(self.generation[finished[0]]), "first finisher"))
        test_finish = blog_test_track().finish
        tested = np.flatnonzero(self.test_best >= test_finish)
        if tested.size:
            marks.append((int(self.generation[tested[0]]), "champion finishes the test track"))
        return marks


def read_log(path: Path, label: str | None = None) -> Curve:
    """A run's log (--log, or log.csv of its folder) as a Curve; InputError naming the problem."""
    text = read_limited(path, MAX_LOG_BYTES, "log").decode("utf-8", errors="replace")
    changes, track, rows = [], "", []
    body = []
    for line in text.splitlines():
        if line.startswith(RUN_LINE):
            track = read_leniently(line).get("track", "")  # (a log of another version: what it can read)
        elif line.startswith(SET_LINE):
            try:
                event = parse_log_text(line.removeprefix("# "))
            except (ValueError, InputError):  # a setting or value of another version: the curve shows without it
                continue
            changes.append((event.generation, f"{event.setting.replace('_', ' ')} → {event.new}"))
        elif not line.startswith("#"):
            body.append(line)
    if not body or body[0].strip() != LOG_HEADER:
        raise InputError(f"{path}: not a neuroracer run's log (its header should be {LOG_HEADER})")
    try:
        for row in csv.DictReader(io.StringIO("\n".join(body))):
            rows.append(
                (
                    int(row["generation"]),
                    float(row["best"]),
                    float(row["median"]),
                    float(row["mean"]),
                    float(row["test_best"]) if row["test_best"] not in ("", None) else np.nan,
                    int(row["finished"]),
                )
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: a row cannot be read ({exc})") from None
    if not rows:
        raise InputError(f"{path}: the log has no generations yet")
    columns = np.array(rows, dtype=np.float64).T
    return _with_finish(Curve(
        label=label or path.stem,
        generation=columns[0].astype(int),
        best=columns[1],
        median=columns[2],
        mean=columns[3],
        test_best=columns[4],
        finished=columns[5],
        changes=changes,
        track=track,
    ))  # fmt: skip


def _with_finish(curve: Curve) -> Curve:
    """The curve with the finishing score of each generation's track: of a built track named in the log's run
    line (or training), else the best score of a generation with a finisher; unknown (raw scores) otherwise."""
    finish = None
    try:
        if not any(setting.startswith("track") for _, setting in curve.changes):
            finish = resolve_track(curve.track or "training").finish
    except (InputError, ValueError, OSError):
        finish = None
    if finish is None:
        finished = np.flatnonzero(curve.finished > 0)
        if finished.size:
            finish = curve.best[finished[0]]
    if finish is not None:
        curve.finish = np.full(curve.best.shape, float(finish))
    return curve


def curve_from_history(history, events=(), label: str = "", track: str = "") -> Curve:
    """A running run's Curve, from its History and its settings changes (SettingEvent)."""
    test_best = history.column("test_best").astype(float)
    test_best[test_best < 0] = np.nan
    return Curve(
        label=label,
        generation=history.column("generation").astype(int),
        best=history.column("best").astype(float),
        median=history.column("median").astype(float),
        mean=history.column("mean").astype(float),
        test_best=test_best,
        finished=history.column("finished").astype(float),
        changes=[(event.generation, f"{event.setting.replace('_', ' ')} → {event.new}") for event in events],
        track=track,
        finish=history.column("finish").astype(float),
    )


def _figure(rows: int = 1, columns: int = 1):
    """A matplotlib Figure of FIGURE_PIXELS on the Agg canvas (no window, no pyplot: safe on a worker thread)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(FIGURE_PIXELS[0] / DPI, FIGURE_PIXELS[1] / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(rows, columns, squeeze=False)
    return figure, axes


def _save(figure, stem: Path) -> list[Path]:
    """The figure as STEM.png and STEM.svg, each written atomically."""
    written = []
    for kind in FORMATS:
        buffer = io.BytesIO()
        with warnings.catch_warnings():  # crowded marks can defeat the layout: the figure is still drawn
            warnings.simplefilter("ignore", UserWarning)
            figure.savefig(buffer, format=kind, dpi=DPI)
        written.append(write_atomic(stem.with_name(f"{stem.name}.{kind}"), buffer.getvalue()))
    return written


def _mark(axes, marks: list[tuple[int, str]], colour: str, style: str) -> None:
    """Vertical lines at generations, each with its words turned along it (marks at one generation joined)."""
    joined: dict[int, list[str]] = {}
    for generation, text in marks:
        joined.setdefault(generation, []).append(text)
    for generation, texts in joined.items():
        axes.axvline(generation, color=colour, linestyle=style, linewidth=0.9, alpha=0.8)
        axes.text(generation, 101, " " + " · ".join(texts), rotation=90, va="top", ha="right", fontsize=7,
                  color=colour)  # fmt: skip


def draw_curves(curves: list[Curve], stem: Path, title: str = "") -> list[Path]:
    """The learning curves of one run (best, median, mean, the champion on the test track) or of several runs
    on one figure (each in its colour: best solid, median dashed, mean thin, the test track dotted), as the
    percentage of the track driven; settings changes and milestones marked."""
    figure, axes = _figure()
    ax = axes[0][0]
    for index, curve in enumerate(curves):
        one = len(curves) == 1
        colour = COLOURS[index % len(COLOURS)]
        name = "" if one else f"{curve.label}: "
        x = curve.generation
        ax.plot(x, curve.share(curve.best), color=colour, linewidth=1.8, label=f"{name}best of the generation")
        ax.plot(x, curve.share(curve.median), color="#2f9e44" if one else colour, linewidth=1.1,
                linestyle="-" if one else "--", label=f"{name}median")  # fmt: skip
        ax.plot(x, curve.share(curve.mean), color="#999999" if one else colour, linewidth=1.0,
                alpha=1.0 if one else 0.5, label=f"{name}mean")  # fmt: skip
        if np.isfinite(curve.test_best).any():
            ax.plot(x, curve.share(curve.test_best), color="#d1552a" if one else colour, linewidth=1.2,
                    linestyle="--" if one else ":", label=f"{name}champion on the test track")  # fmt: skip
        if one:
            _mark(ax, curve.changes, "#555555", ":")
        _mark(ax, [(g, name + t) for g, t in curve.milestones()], "#8e44ad" if one else colour, "-.")
    known = all(curve.finish is not None for curve in curves)
    ax.set_xlabel("generation")
    ax.set_ylabel("% of the track driven" if known else "score (columns driven)")
    ax.set_ylim(0, 102 if known else None)
    ax.grid(alpha=0.3)
    ax.legend(loc="center right", fontsize=8)
    ax.set_title(title or "how the population learned", fontsize=11)
    return _save(figure, stem)


def race_paths(saved: GenomeFile, track: Track, keep: int = PATHS_KEPT) -> tuple[np.ndarray, np.ndarray]:
    """The heights (columns + 1, K) the best `keep` genomes drive on the track (NaN after a crash), and scores."""
    genomes = saved.genomes[:keep]
    race = Race(genomes, track, saved.network, keep_paths=True)
    race.run()
    return race.paths, race.scores


def draw_paths(saved: GenomeFile, track: Track, stem: Path, title: str = "") -> list[Path]:
    """The blog's figure: the saved genomes' paths on the track, the best darkest, the corridor shaded."""
    paths, scores = race_paths(saved, track)
    figure, axes = _figure()
    ax = axes[0][0]
    columns = np.arange(track.columns)
    ax.fill_between(columns, track.bottom, track.top, color="#dfe8f1", linewidth=0)
    ax.plot(columns, track.top, color="#333333", linewidth=0.8)
    ax.plot(columns, track.bottom, color="#333333", linewidth=0.8)
    count = paths.shape[1]
    steps = np.arange(paths.shape[0])
    for rank in reversed(range(count)):  # the worst first, so the best is drawn on top
        shade = 0.25 + 0.75 * (count - 1 - rank) / max(count - 1, 1)  # 1.0 for the best
        ax.plot(steps, paths[:, rank], color=(1 - shade, 1 - shade, 1 - shade), linewidth=1.0)
        if scores[rank] < track.finish:
            last = int(scores[rank])
            ax.plot([last], [paths[min(last, paths.shape[0] - 1), rank]], marker="x", color="#c0392b", markersize=4)
    finished = int((scores >= track.finish).sum())
    ax.set_xlim(0, track.columns - 1)
    ax.set_xlabel("column along the track")
    ax.set_ylabel("height")
    what = f"generation {saved.generation}" if saved.generation is not None else "saved genomes"
    ax.set_title(
        title
        or f"the best {count} of {what} on track {track.name}: {finished} of {count} reach the end "
        "(darker is better, × a crash)",
        fontsize=11,
    )
    return _save(figure, stem)


def draw_sweep(path: Path, stem: Path, curves: list[Curve] = ()) -> list[Path]:
    """A sweep's seeds on one figure: each seed's best of every generation (thin) and their median (thick),
    and the share of seeds with a finisher by each generation; the champions on unseen tracks in the title."""
    text = read_limited(path, MAX_LOG_BYTES, "sweep log").decode("utf-8", errors="replace")
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
        seeds = [int(row["seed"]) for row in rows]
        firsts = [int(row["first_finisher"]) for row in rows if row["first_finisher"]]
        unseen = [float(row["unseen_share"]) for row in rows]
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: not a sweep's log ({exc})") from None
    if not rows:
        raise InputError(f"{path}: the sweep's log has no seeds")
    figure, axes = _figure(1, 2)
    left, right = axes[0]
    if curves:
        for curve in curves:
            left.plot(curve.generation, curve.share(curve.best), color="#1f6fb4", linewidth=0.7, alpha=0.35)
        length = min(len(curve.generation) for curve in curves)
        median = np.median([curve.share(curve.best)[:length] for curve in curves], axis=0)
        left.plot(curves[0].generation[:length], median, color="#0b3d66", linewidth=2.2, label="median of the seeds")
        left.legend(loc="lower right", fontsize=8)
    left.set_xlabel("generation")
    left.set_ylabel("best of the generation, % of the track" if curves and curves[0].finish is not None else "best")
    left.grid(alpha=0.3)
    left.set_title(f"each seed's best ({len(curves)} seeds)", fontsize=10)
    last = max([int(curve.generation[-1]) for curve in curves] + firsts + [1])
    order = np.sort(firsts)
    shares = np.arange(order.size + 1) / len(seeds)
    right.step(np.concatenate([[0], order, [last]]), np.concatenate([shares, shares[-1:]]), where="post",
               color="#2f9e44")  # fmt: skip
    right.set_xlabel("generation")
    right.set_ylabel("share of seeds with a finisher")
    right.set_ylim(0, 1.02)
    right.grid(alpha=0.3)
    mean = float(np.nanmean(unseen)) if np.isfinite(unseen).any() else float("nan")
    right.set_title(f"{len(firsts)} of {len(seeds)} seeds found a finisher", fontsize=10)
    if np.isfinite(mean):
        figure.suptitle(
            f"{len(seeds)} seeds · their champions finish {100 * mean:.0f}% of the unseen tracks", fontsize=11
        )
    return _save(figure, stem)


def plot_target(text: Path, runs_dir: Path | None = None) -> Path:
    """What --plot RUN names: 'last' (the newest run's folder), a run's folder, or a log file; InputError if not."""
    if str(text) == LAST:
        return last_run(runs_dir)
    if text.is_dir():
        return text
    if text.is_file():
        return text
    raise InputError(f"--plot {text}: no such run folder or log")


def plot_run(target: Path) -> list[Path]:
    """Draw the figures of a finished run: from a run's folder (into it) or from a log (beside it). The
    figures: curves (one run, or every run of a comparison), paths (the newest save's top 20), sweep."""
    if target.is_file():
        return draw_curves([read_log(target)], target.with_name(f"{target.stem}-curves"))
    written: list[Path] = []
    logs = sorted(
        p for p in target.glob("log*.csv") if p.name.startswith(("log.", "log-")) and not p.name.startswith("log-seed")
        and "-gen" not in p.name
    )  # fmt: skip
    if (target / SWEEP_LOG).is_file():
        seeds = sorted(target.glob("log-seed*.csv"), key=lambda p: int(p.stem.removeprefix("log-seed") or 0))
        written += draw_sweep(target / SWEEP_LOG, target / "sweep", [read_log(log, log.stem[4:]) for log in seeds])
    if logs:
        curves = [read_log(log, label=_run_label(log)) for log in logs]
        written += draw_curves(curves, target / "curves", _title(curves))
    saves = sorted(target.glob("*.json"), key=lambda p: p.stat().st_mtime)
    saved = load_genomes(saves[-1]) if saves else _best_of_checkpoint(target / CHECKPOINT)
    if saved is not None:
        track = _track_of(saved, target)
        if track is not None:
            written += draw_paths(saved, track, target / "paths")
        if track is None or track.name != "test":  # the blog's test: the track the genomes never saw
            written += draw_paths(saved, blog_test_track(), target / "paths-test")
    if not written:
        what = "run's folder" if is_run_folder(target) else "folder"
        raise InputError(f"--plot {target}: this {what} holds no log and no saved genomes to draw")
    return written


def _best_of_checkpoint(path: Path) -> GenomeFile | None:
    """The best PATHS_KEPT genomes of a run's checkpoint (a window run stopped by --frames saves none), or None."""
    if not path.is_file():
        return None
    from evolution.files.checkpoint import Comparison, read_checkpoint

    found = read_checkpoint(path)
    checkpoint = found.runs[0] if isinstance(found, Comparison) else found  # a comparison's: its first run's
    return checkpoint.evolution().best(PATHS_KEPT)


def _run_label(log: Path) -> str:
    """log-1-classic.csv -> '1 classic'; log.csv -> 'this run'."""
    parts = log.stem.split("-", 2)
    return " ".join(parts[1:]) if len(parts) > 1 else "this run"


def _title(curves: list[Curve]) -> str:
    if len(curves) == 1:
        return "how the population learned" + (f" on track {curves[0].track}" if curves[0].track else "")
    return "runs side by side: " + " · ".join(curve.label for curve in curves)


def _track_of(saved: GenomeFile, folder: Path) -> Track | None:
    """The track the saved genomes were trained on, when it can be built again (a track file may be gone)."""
    try:
        return resolve_track(saved.track)
    except (InputError, ValueError, OSError):
        return None
