"""The live chart of a run: per generation, the best, median and mean score and the champion's test-track score.

Each curve is the share of its own track finished, so training and test curves compare. The y axis is
linear (0 to 100%), logarithmic (so the first few % of progress show) or zoomed to the data; the x axis
counts generations from 0; events (a new track, a restart) are marked on the time axis; a legend names
every colour. Any list of Series can be drawn (e.g. several runs overlaid), not only a History's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pygame

from evolution.run.history import History
from game.drawing import palette
from game.drawing.frame import PAD, draw_panel, picture
from game.drawing.scale import Scale, as_scale
from game.drawing.text import draw, fit, show

MODES = ("linear", "log", "zoom")  # y axis: 0..100%; log from the data's smallest share to 100%; 0..the data's top
MODE_NOTES = {"linear": "", "log": " · log scale", "zoom": " · zoomed"}
SHORT_NOTES = {"linear": "", "log": " · log", "zoom": " · zoom"}
SHORT_TITLE = "track finished"  # when the panel is too narrow for the title
TITLE = "share of the track finished"
MIN_SPAN = 10  # generations the x axis shows at least, so an early run fills it gradually
LOG_FLOOR = 1e-4  # the log axis never goes below 0.01% of the track
NICE = (1.0, 2.0, 5.0)
SERIES = (("best", palette.BEST_LINE), ("median", palette.MEDIAN_LINE), ("mean", palette.MEAN_LINE))


@dataclass(frozen=True)
class Series:
    """One curve. values: (G,) share of the track in [0, 1] at generations 0..G-1 (NaN where there is none).

    style: "solid" or "dashed"; width: line width in pixels at scale 1. Series are drawn in list order
    (later ones on top) and the legend lists them in the same order.
    """

    label: str
    values: np.ndarray
    colour: tuple[int, int, int]
    style: str = "solid"
    width: float = 1.5


@dataclass(frozen=True)
class Event:
    """Something that happened at a generation (a new track, a restart), marked on the time axis."""

    generation: int
    label: str
    colour: tuple[int, int, int] = palette.TEXT_DIM


def history_series(history: History, label_prefix: str = "", colours: Sequence | None = None) -> list[Series]:
    """The History's curves as Series: best, median, mean and the champion's test-track score (if any).

    colours: four colours for best, median, mean and test (default the palette's); label_prefix names
    a run when several are overlaid ("run 2 · ").
    """
    best_c, median_c, mean_c, test_c = colours or (*(c for _, c in SERIES), palette.TEST_LINE)
    finish = np.maximum(history.column("finish"), 1)
    test_finish = np.maximum(history.column("test_finish"), 1)

    def share(name: str, over: np.ndarray) -> np.ndarray:
        values = history.column(name)
        return np.where(values >= 0, np.clip(values / over, 0.0, 1.0), np.nan)

    series = [
        Series(f"{label_prefix}best", share("best", finish), best_c, "solid", 3.0),
        Series(f"{label_prefix}median", share("median", finish), median_c, "solid", 1.5),
        Series(f"{label_prefix}mean", share("mean", finish), mean_c, "solid", 1.5),
    ]
    test = share("test_best", test_finish)
    if np.isfinite(test).any():
        series.append(Series(f"{label_prefix}champion on test", test, test_c, "dashed", 2.0))
    return series


# ---- axes ------------------------------------------------------------------------------------------------
def nice_step(minimum: float) -> float:
    """The smallest of 1, 2, 5, 10, 20, 50, ... (times powers of ten) that is at least minimum > 0."""
    exponent = math.floor(math.log10(minimum))
    for base in (*NICE, 10.0):
        step = base * 10.0**exponent
        if step >= minimum * (1 - 1e-9):
            return step
    return 10.0 ** (exponent + 1)


def x_ticks(last: int, width: float, label_width: float) -> list[int]:
    """Generations to label on an axis from 0 to last that is width pixels wide: a nice step (1, 2, 5,
    10, ...) whose labels, label_width pixels each, do not touch."""
    last = max(int(last), 1)
    per_generation = width / last
    step = max(1, int(nice_step(max(label_width / max(per_generation, 1e-9), 1.0))))
    return list(range(0, last + 1, step))


def percent(share: float) -> str:
    """A share of the track as a tick label: 25%, 2.5%, 0.05%; never -0%."""
    value = round(share * 100, 6)
    return f"{abs(value) if value == 0 else value:g}%"


@dataclass(frozen=True)
class YAxis:
    """Maps shares of the track to [0, 1] of the plot's height, linearly or logarithmically."""

    low: float
    high: float
    log: bool

    def unit(self, shares: np.ndarray) -> np.ndarray:
        """(N,) heights in [0, 1] (0 at the bottom) of shares; out-of-range values are clamped, NaN stays."""
        shares = np.asarray(shares, dtype=np.float64)
        if self.log:
            low, high = math.log10(self.low), math.log10(self.high)
            with np.errstate(divide="ignore", invalid="ignore"):
                raw = (np.log10(np.maximum(shares, self.low)) - low) / (high - low)
        else:
            raw = (shares - self.low) / (self.high - self.low)
        return np.clip(raw, 0.0, 1.0)

    def ticks(self, height: float, min_gap: float) -> list[float]:
        """Shares to label on an axis height pixels tall, at least min_gap pixels apart."""
        if self.log:
            decades = range(round(math.log10(self.low)), 1)
            for bases in ((1.0, 2.0, 5.0), (1.0, 3.0), (1.0,)):
                values = [b * 10.0**d for d in decades for b in bases if b * 10.0**d <= self.high * (1 + 1e-9)]
                heights = self.unit(np.array(values)) * height
                if len(values) < 2 or np.diff(heights).min() >= min_gap:
                    return values
            return values[:: max(1, math.ceil(min_gap / max(np.diff(heights).min(), 1e-9)))]
        span = self.high - self.low
        if self.high >= 1:
            steps = [step * span for step in (0.25, 0.5, 1.0)]  # quarters of the track read best
        else:
            steps = [nice_step(span / max(1, int(height // min_gap)))]
        step = next((step for step in steps if step / span * height >= min_gap), steps[-1])
        return [self.low + i * step for i in range(round(span / step) + 1) if i * step <= span * (1 + 1e-9)]


def y_axis(mode: str, series: Sequence[Series]) -> YAxis:
    """The y axis for a mode ("linear", "log" or "zoom") and the data it must show."""
    if mode not in MODES:
        raise ValueError(f"chart mode {mode!r}: choose one of {', '.join(MODES)}")
    values = np.concatenate([s.values for s in series]) if series else np.zeros(0)
    values = values[np.isfinite(values)]
    if mode == "log":
        positive = values[values > 0]
        smallest = float(positive.min()) if positive.size else 0.01
        low = max(LOG_FLOOR, 10.0 ** math.floor(math.log10(smallest)))
        return YAxis(min(low, 0.1), 1.0, True)
    if mode == "zoom":
        top = float(values.max()) if values.size else 0.0
        if top <= 0:
            top = 0.01
        step = nice_step(top / 4)
        return YAxis(0.0, min(1.0, math.ceil(top / step * (1 - 1e-9)) * step), False)
    return YAxis(0.0, 1.0, False)


# ---- lines -----------------------------------------------------------------------------------------------
def _runs(valid: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True in a (G,) bool array."""
    edges = np.diff(np.concatenate(([0], valid.astype(np.int8), [0])))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)))


def polyline(xs: np.ndarray, ys: np.ndarray, keep_extremes: bool, bin_width: float = 1.0) -> np.ndarray:
    """(N, 2) points of a curve with at most two points per bin of bin_width pixel columns.

    xs, ys: (G,) pixel positions, xs increasing. With many points per bin, each bin keeps its lowest and
    highest point (keep_extremes: a 1-pixel line then looks as the full data would) or only its mean
    (for dashed lines, whose dashes need a smooth path).
    """
    columns = np.floor(xs / bin_width).astype(np.int64)
    if xs.size <= 2 or columns[-1] - columns[0] + 1 >= xs.size:
        return np.column_stack([xs, ys])
    starts = np.flatnonzero(np.diff(columns, prepend=columns[0] - 1))
    ends = np.append(starts[1:], xs.size) - 1
    bx = columns[starts].astype(np.float64) * bin_width
    if not keep_extremes:
        means = np.add.reduceat(ys, starts) / (ends - starts + 1)
        return np.column_stack([bx, means])
    lows, highs = np.minimum.reduceat(ys, starts), np.maximum.reduceat(ys, starts)
    falling = ys[ends] >= ys[starts]  # the column's extremes in the order the curve most likely met them
    pair = np.where(falling[:, None], np.column_stack([lows, highs]), np.column_stack([highs, lows])).ravel()
    return np.column_stack([np.repeat(bx, 2), pair])


def draw_dashed(surface: pygame.Surface, colour, points: np.ndarray, width: int, dash: float, gap: float) -> None:
    """A polyline through (N, 2) points drawn in dashes dash pixels long with gaps gap pixels long."""
    if len(points) < 2:
        return
    arc = np.concatenate(([0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))))
    starts = np.arange(0.0, arc[-1], dash + gap)
    ends = np.minimum(starts + dash, arc[-1])
    first = np.column_stack([np.interp(starts, arc, points[:, 0]), np.interp(starts, arc, points[:, 1])]).tolist()
    last = np.column_stack([np.interp(ends, arc, points[:, 0]), np.interp(ends, arc, points[:, 1])]).tolist()
    inner_from = np.searchsorted(arc, starts, side="right").tolist()
    inner_to = np.searchsorted(arc, ends, side="left").tolist()
    vertices = points.tolist()
    for k in range(len(first)):
        pygame.draw.lines(surface, colour, False, [first[k], *vertices[inner_from[k] : inner_to[k]], last[k]], width)


def _legend_sample(surface: pygame.Surface, series: Series, x: int, y: int, length: int, s: Scale) -> None:
    width = max(1, s.px(series.width))
    points = np.array([[x, y], [x + length, y]], dtype=np.float64)
    if series.style == "dashed":
        draw_dashed(surface, series.colour, points, width, s.fpx(6), s.fpx(3))
    else:
        pygame.draw.line(surface, series.colour, (x, y), (x + length, y), width)


# ---- the chart -------------------------------------------------------------------------------------------
def draw_chart(
    surface: pygame.Surface,
    rect: pygame.Rect,
    history: History,
    scale: Scale | float = 1.0,
    mode: str = "linear",
    events: Sequence[Event | tuple] = (),
    series: Sequence[Series] | None = None,
    title: str = TITLE,
) -> tuple[pygame.Rect, int] | None:
    """The run's chart in a panel at rect: history's curves (or the given series), axes, events, legend.

    mode: "linear", "log" or "zoom" (see MODES); events: (generation, label, colour) marked on the time
    axis; series: curves to draw instead of history's (e.g. several runs, history_series of each).
    Draws only inside rect. Returns the plot's rectangle and the generation at its right end (for a timeline).
    """
    s = as_scale(scale)
    chosen = list(history_series(history) if series is None else series)
    count = max((len(c.values) for c in chosen), default=0)
    clip = surface.get_clip()
    surface.set_clip(rect.clip(clip) if clip else rect)
    try:
        return _draw(
            surface, rect, s, mode, [Event(*e) if isinstance(e, tuple) else e for e in events], chosen, count, title
        )
    finally:
        surface.set_clip(clip)


def fingerprint(series: Sequence[Series]) -> tuple:
    """A cheap summary of curves that changes when any value does (sums and lengths, not the data)."""
    return tuple(
        (c.label, c.colour, c.style, c.width, len(c.values), float(np.nansum(c.values)), int(np.isnan(c.values).sum()))
        for c in series
    )


class ChartView:
    """draw_chart with a memory: the chart changes once a generation, so most frames blit the last picture.

    update() (the frame's update) makes the picture when something changed and keeps its time axis, which
    the timeline and clicks read; draw() only blits it."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._layout_key: tuple | None = None
        self._drawn_at = 0.0
        self._picture: pygame.Surface | None = None
        self.time_axis: tuple[pygame.Rect, int] | None = None  # the plot (in the picture) and its last generation

    def update(
        self,
        rect: pygame.Rect,
        history: History,
        scale: Scale | float = 1.0,
        mode: str = "linear",
        events: Sequence[Event | tuple] = (),
        series: Sequence[Series] | None = None,
        title: str = TITLE,
        every: float = 0.0,
    ) -> None:
        """As draw_chart, into the picture draw() shows; redrawn only when the curves, the rect's size or any
        other parameter changed, and when only the curves changed, at most every `every` seconds (in turbo,
        generations pass faster than anyone reads a chart, and a redraw costs a few milliseconds of racing)."""
        if rect.width <= 0 or rect.height <= 0:  # folded away by the layout
            return
        events = tuple(Event(*e) if isinstance(e, tuple) else e for e in events)
        layout_key = (rect.size, as_scale(scale), mode, events, title)
        now = time.perf_counter()
        if self._picture is not None and layout_key == self._layout_key and now - self._drawn_at < every:
            return
        chosen = list(history_series(history) if series is None else series)
        key = (fingerprint(chosen), *layout_key)
        if key != self._key or self._picture is None:
            self._layout_key, self._drawn_at = layout_key, now
            self._picture = picture(rect.size)
            self.time_axis = draw_chart(
                self._picture, self._picture.get_rect(), history, scale, mode, events, chosen, title
            )
            self._key = key

    def draw(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        """The picture update() made, at rect (nothing if the layout folded the chart away)."""
        if self._picture is not None and rect.width > 0 and rect.height > 0:
            show(surface, self._picture, rect.topleft)


def _draw(
    surface: pygame.Surface,
    rect: pygame.Rect,
    s: Scale,
    mode: str,
    events: list[Event],
    chosen: list[Series],
    count: int,
    title: str,
) -> tuple[pygame.Rect, int]:
    """draw_chart's work, inside a clip to rect: frame and title, legend, axes and ticks, events, curves."""
    title_font, small = s.font(13, bold=True), s.font(11)
    title_room = rect.width - 2 * s.px(PAD)
    candidates = [
        title + MODE_NOTES.get(mode, ""),
        title + SHORT_NOTES.get(mode, ""),
        SHORT_TITLE + SHORT_NOTES.get(mode, ""),
    ]
    full_title = next((c for c in candidates if title_font.size(c)[0] <= title_room), candidates[-1])
    # the legend flows after the title on its line, then on lines of its own above the plot
    sample = s.px(18)
    entries = [(c, sample + s.px(4) + small.size(c.label)[0]) for c in chosen]
    title_w = min(title_font.size(full_title)[0], title_room)
    inner = draw_panel(surface, rect, full_title, s, title_room=title_w)
    row_h = small.get_linesize()
    legend_rows: list[list[tuple[Series, int, int]]] = [[]]
    x = title_w + s.px(16)
    for entry, width in entries:
        if x + width > inner.width and (legend_rows[-1] or len(legend_rows) == 1):
            legend_rows.append([])
            x = 0
        legend_rows[-1].append((entry, x, width))
        x += width + s.px(12)
    extra_rows = len(legend_rows) - 1
    max_rows = max(0, (inner.height - 4 * row_h) // row_h)  # the plot keeps most of the panel
    legend_rows = legend_rows[: 1 + min(extra_rows, max_rows)]
    legend_top = rect.y + s.px(5) + (title_font.get_height() - small.get_height()) // 2
    for row, items in enumerate(legend_rows):
        y = legend_top if row == 0 else inner.y + (row - 1) * row_h
        for entry, ex, width in items:
            if ex + width > inner.width:
                continue
            cy = y + small.get_height() // 2
            _legend_sample(surface, entry, inner.x + ex, cy, sample, s)
            draw(
                surface,
                small,
                entry.label,
                entry.colour,
                rect,
                palette.PANEL,
                topleft=(inner.x + ex + sample + s.px(4), y),
            )
    # a band above the plot for the events' labels and the selected generation's, so no label covers a curve
    band = row_h + s.px(2)
    top = inner.y + (len(legend_rows) - 1) * row_h + s.px(4) + band

    axis = y_axis(mode, chosen)
    label_h = small.get_height()
    bottom = inner.bottom - label_h - s.px(3)
    if bottom - top < 2 * label_h:  # no room for a plot under the band: the band goes
        top -= band
    widest = max(small.size(percent(v))[0] for v in (axis.low, axis.high, 0.005, 0.25))
    plot = pygame.Rect(inner.x + widest + s.px(6), top, 0, 0)
    plot.width = max(inner.right - plot.x - s.px(4), 1)
    plot.height = max(bottom - top, 1)
    pygame.draw.line(surface, palette.PANEL_EDGE, plot.bottomleft, plot.bottomright, max(1, s.px(1)))
    pygame.draw.line(surface, palette.PANEL_EDGE, plot.topleft, plot.bottomleft, max(1, s.px(1)))

    # y ticks: a label and a faint grid line each
    for value in axis.ticks(plot.height, label_h * 1.3):
        y = float(_ys(plot, axis, np.array([value]), s)[0])
        if value > axis.low:
            pygame.draw.line(surface, palette.GRID, (plot.left + 1, y), (plot.right, y))
        ty = min(max(y - label_h / 2, top - band), inner.bottom - label_h)
        right = plot.left - s.px(4)
        draw(
            surface,
            small,
            percent(value),
            palette.TEXT_DIM,
            rect,
            palette.PANEL,
            only_if_free=True,
            topright=(right, ty),
        )

    # x ticks: nice steps, every label drawn (the newest generations' numbers matter most); the caption
    # "generation" at the right end if no tick label is there, else "gen" in the bottom-left corner
    last = max(count - 1, MIN_SPAN)
    ticks = x_ticks(last, plot.width, small.size(str(last))[0] + s.px(14))

    def x_of(generations: np.ndarray) -> np.ndarray:
        return plot.left + np.asarray(generations, dtype=np.float64) / last * (plot.width - 1)

    right_of_labels = inner.x
    for generation in ticks:
        x = float(x_of(generation))
        pygame.draw.line(surface, palette.PANEL_EDGE, (x, plot.bottom), (x, plot.bottom + s.px(3)), max(1, s.px(1)))
        width = small.size(str(generation))[0]
        left = min(max(x - width / 2, inner.x), plot.right - width)
        tick = draw(
            surface,
            small,
            str(generation),
            palette.TEXT_DIM,
            rect,
            palette.PANEL,
            only_if_free=True,
            topleft=(left, plot.bottom + s.px(2)),
        )
        if tick is not None:
            right_of_labels = tick.right
    caption_w = small.size("generation")[0]
    if plot.right - caption_w > right_of_labels + s.px(6):
        at = (plot.right - caption_w, plot.bottom + s.px(2))
        draw(surface, small, "generation", palette.TEXT_DIM, rect, palette.PANEL, only_if_free=True, topleft=at)
    else:  # "gen" in the corner under the percentages, left of the tick 0
        x = plot.left - small.size("0")[0] // 2 - s.px(4) - small.size("gen")[0]
        at = (max(inner.x, x), plot.bottom + s.px(2))
        draw(surface, small, "gen", palette.TEXT_DIM, rect, palette.PANEL, only_if_free=True, topleft=at)

    clip = surface.get_clip()
    surface.set_clip(plot.clip(clip))
    _draw_event_lines(surface, plot, events, x_of, last, s)
    if count == 0:
        waiting = fit(small, "generation 0 is racing…", plot.width - 4)
        draw(surface, small, waiting, palette.TEXT_DIM, rect, palette.PANEL, only_if_free=True, center=plot.center)
    else:
        few = count <= plot.width / max(s.px(10), 1)
        for entry in chosen:
            _draw_series(surface, plot, entry, axis, x_of, few, s)
    surface.set_clip(clip)
    _draw_event_labels(surface, plot, events, x_of, last, small, s, rect, band)
    return plot, last


def _draw_event_lines(surface, plot: pygame.Rect, events: list[Event], x_of, last: int, s: Scale) -> None:
    """A dashed vertical line per event and a small triangle on the time axis."""
    for event in events:
        if not 0 <= event.generation <= last:
            continue
        x = float(x_of(event.generation))
        for y in range(plot.top, plot.bottom, max(2, s.px(6))):
            pygame.draw.line(surface, event.colour, (x, y), (x, min(y + s.px(3), plot.bottom)), max(1, s.px(1)))
        size = s.fpx(5)
        pygame.draw.polygon(
            surface, event.colour, [(x - size, plot.bottom), (x + size, plot.bottom), (x, plot.bottom - size)]
        )


def _draw_event_labels(
    surface, plot: pygame.Rect, events: list[Event], x_of, last: int, small, s: Scale, panel: pygame.Rect, band: int
) -> None:
    """Each event's short label in the band above the plot, beside its line (right of it, else left), where it
    covers no other label; left out where there is no room."""
    top = plot.top - band + s.px(1)
    for event in sorted(events, key=lambda e: e.generation):
        if not 0 <= event.generation <= last:
            continue
        x = float(x_of(event.generation))
        # whole where there is room ("first…isher" read as nothing), else shortened as before
        for label in dict.fromkeys((event.label, fit(small, event.label, s.px(110)))):
            if _place_label(surface, plot, x, top, label, event.colour, small, s, panel):
                break


def _place_label(surface, plot: pygame.Rect, x: float, top: int, label: str, colour, small, s: Scale, panel) -> bool:
    """The label right of x, else left of it, inside the plot's width and covering no other label; True if drawn."""
    width = small.size(label)[0]
    for left in (x + s.px(3), x - s.px(3) - width):
        if left < plot.left or left + width > plot.right:
            continue
        if draw(surface, small, label, colour, panel, palette.PANEL, only_if_free=True, topleft=(left, top)):
            return True
    return False


def _ys(plot: pygame.Rect, axis: YAxis, shares: np.ndarray, s: Scale) -> np.ndarray:
    """(N,) pixel rows of shares in the plot; 100% a little below its top, so a thick line there shows whole."""
    room = max(plot.height - 1 - s.px(2), 1)
    return plot.bottom - 1 - axis.unit(shares) * room


def _draw_series(surface, plot: pygame.Rect, entry: Series, axis: YAxis, x_of, few: bool, s: Scale) -> None:
    """One curve, clipped to the plot: a line per run of values (NaN ends a run), markers when there are few."""
    values = np.asarray(entry.values, dtype=np.float64)
    width = max(1, s.px(entry.width))
    ys_all = _ys(plot, axis, values, s)
    xs_all = x_of(np.arange(values.size))
    for start, stop in _runs(np.isfinite(values)):
        xs, ys = xs_all[start:stop], ys_all[start:stop]
        dashed = entry.style == "dashed"
        points = polyline(xs, ys, keep_extremes=not dashed, bin_width=max(1, s.px(3)) if dashed else 1)
        if len(points) >= 2:
            if dashed:
                draw_dashed(surface, entry.colour, points, width, s.fpx(9), s.fpx(5))
            else:
                pygame.draw.lines(surface, entry.colour, False, points.tolist(), width)
        if few or len(points) == 1:
            radius = max(2, s.px(entry.width + 1.5))
            for x, y in zip(xs, ys):
                if entry.style == "dashed":
                    pygame.draw.rect(surface, entry.colour, (x - radius, y - radius, 2 * radius, 2 * radius), 1)
                else:
                    pygame.draw.circle(surface, entry.colour, (x, y), radius)
