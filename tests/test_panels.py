"""The drawing modules for a projector: the UI scale, the panels, the chart, the camera and picking dots."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pygame
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evolution.breeding.lineage import CHILD, KEPT, MEAN, RANDOM, SAMPLE, Origins, brief, describe
from evolution.racing.network import Network
from evolution.racing.race import Race
from evolution.racing.track import SENSORS, blog_test_track, training_track
from evolution.run.genome_file import load_genomes
from evolution.run.history import GenerationStats, History
from game.drawing import palette, scale
from game.drawing.assets import start_pygame
from game.drawing.camera import Camera
from game.drawing.frame import draw_panel
from game.drawing.layout import Layout
from game.drawing.scale import Scale, next_user_step
from game.drawing.text import drawn as text_records
from game.drawing.text import fit, number, reading, signed
from game.drawing.track_view import dot_screen_positions, draw_race, draw_stack_hint, pick_dot, stack_at
from game.panels import hud
from game.panels.chart import (
    LOG_FLOOR,
    ChartView,
    Series,
    draw_chart,
    history_series,
    nice_step,
    percent,
    x_ticks,
    y_axis,
)
from game.panels.drive_panel import draw_drive_scores, drive_order
from game.panels.netview import NetworkView, network_title
from game.views.drive_view import UNSAVED

ROOT = Path(__file__).resolve().parent.parent
SIZES = [(800, 500), (1280, 720), (1920, 1080), (3840, 2160)]
NEGATIVE_ZERO = re.compile(r"-0(\.0+)?(?![.\d])")
PERCENT = re.compile(r"^\d+(\.\d+)?%$")


@pytest.fixture(scope="module", autouse=True)
def fonts():
    start_pygame()
    yield


# ---- recording what is drawn ------------------------------------------------------------------------------
class Recorder(pygame.Surface):
    """A surface that remembers the rectangle of every blit and, for text, the string drawn (game/drawing/text.py keeps
    every text a surface is given, with its rectangle)."""

    def __init__(self, size: tuple[int, int]) -> None:
        super().__init__(size)
        self.raw: list[pygame.Rect] = []

    def blit(self, source, dest, area=None, special_flags=0):
        size = pygame.Rect(area).size if area is not None else source.get_size()
        x, y = (dest.x, dest.y) if isinstance(dest, pygame.Rect) else dest
        self.raw.append(pygame.Rect(int(x), int(y), *size))
        return super().blit(source, dest, area, special_flags)

    @property
    def blits(self) -> list[tuple[pygame.Rect, str | None]]:
        """Every blit: (rectangle, text) for a text, (rectangle, None) for a picture."""
        texts = [(entry.rect, entry.text) for entry in text_records(self)]
        boxes = [box for box, _ in texts]
        return texts + [(box, None) for box in self.raw if box not in boxes]

    def strings(self) -> list[str]:
        return [entry.text for entry in text_records(self)]


@pytest.fixture
def recorder_for():
    """recorder_for(size) -> a Recorder whose every text is recorded with its string."""

    def make(size: tuple[int, int]) -> Recorder:
        recorder = Recorder(size)
        recorder.fill((1, 2, 3))
        return recorder

    return make


def assert_inside(recorder: Recorder, rect: pygame.Rect, what: str) -> None:
    texts = [(box, text) for box, text in recorder.blits if text is not None]
    assert texts, f"{what}: no text drawn"
    for box, text in texts:
        assert rect.contains(box), f"{what}: {text!r} at {box} is not inside {rect}"


# ---- realistic content ------------------------------------------------------------------------------------
def learning_history(count: int, test_lag: int = 3, seed: int = 0) -> History:
    """A run that learns from a few % of the training track to finishing; the test curve lags by test_lag."""
    rng = np.random.default_rng(seed)
    history = History()
    best = 4.0
    for g in range(count):
        best = float(np.clip(best * rng.uniform(0.98, 1.12) + rng.normal(0, 1), 1, 391))
        mean = best * rng.uniform(0.1, 0.4)
        test = -1 if g >= count - test_lag else int(best / 391 * 3991 * rng.uniform(0.3, 1.0))
        stats = GenerationStats(g, int(best), mean, mean * 0.8, int(best >= 391), 0.1 * g, test, 391, 3991)
        history.append(stats)
    return history


STAT_LINES = [
    ("generation", "1234 of 5000"),
    ("alive", "9876 of 10000"),
    ("this gen", "best 212 · mean 97.3"),
    ("last gen", "best 3991 · mean 2985"),
    ("best ever", "3991 (gen 1234)"),
    ("strategy", "elitist"),
    ("seed", "4035077131"),
    ("column", "3991 of 3991"),
    ("track", "random:4035077131:4000"),
    ("speed", "turbo"),
    ("fps", "60"),
]
EVENTS = [(0, "track: training", palette.TEXT_DIM), (20, "track: test", palette.ACCENT), (45, "restart", palette.GOOD)]


@pytest.fixture(scope="module")
def evolved():
    saved = load_genomes(ROOT / "bench" / "data" / "evolved.json")
    return Network(tuple(saved.layers)), saved.genomes


def drive_race(evolved, steps: int | None) -> Race:
    """Twenty genomes on the test track: fourteen evolved ones (that finish) and six random ones (that crash)."""
    network, genomes = evolved
    random = np.random.default_rng(1).uniform(-1, 1, (6, network.genome_size))
    race = Race(np.vstack([genomes[:14], random]), blog_test_track(), network)
    race.run(steps)
    return race


# ---- the scale and the layout -----------------------------------------------------------------------------
def test_the_scale_grows_with_the_window_and_the_user_multiplier():
    assert Scale.for_window(1280, 720).factor == 1.0
    assert Scale.for_window(1920, 1080).factor == 1.5
    assert Scale.for_window(3840, 2160).factor == 3.0
    assert Scale.for_window(800, 500).factor == 0.75  # clamped below
    assert Scale.for_window(10000, 10000).factor == 3.0  # clamped above
    assert Scale.for_window(2560, 720).factor == 1.0  # the smaller side decides
    assert Scale.for_window(1920, 1080, user=1.25).factor == 1.875
    # below ×1.5 the user's multiplier stops where the window would be more crowded than 1024×576 at the design
    # scale; from ×1.5 (the projector layout, which folds panels away) it applies whole
    assert Scale.for_window(1280, 720, user=1.25).factor == 1.25
    assert Scale.for_window(1280, 720, user=1.5).factor == 1.5 and Scale.for_window(1280, 720, user=2.0).factor == 2.0
    assert Scale.for_window(3840, 2160, user=2.0).factor == 6.0
    assert Scale.for_window(800, 500, user=1.25).factor == 0.78125  # never below the window's own scale
    # text is never smaller than 1/40 of the window's height (times the multiplier)
    assert [Scale.for_window(w, h).floor for w, h in SIZES] == [13, 18, 27, 54]
    assert Scale.for_window(1280, 720, user=2.0).floor == 36
    assert Scale(1.0, 18).font_size(10) == 18 and Scale(1.0, 18).font_size(13) == 19  # a title keeps its lead
    big = Scale(2.0)
    assert big.px(6) == 12 and big.px(0.2) == 1 and big.px(0) == 0 and big.font_size(13) == 26
    assert Scale(0.5).font_size(12) == scale.MIN_FONT
    assert big.font(12).get_height() > Scale(1.0).font(12).get_height()
    steps = [1.0]
    for _ in range(len(scale.USER_STEPS)):
        steps.append(next_user_step(steps[-1]))
    assert steps == [*scale.USER_STEPS, 1.0]


def test_the_layout_scales_with_the_window_and_its_footer_holds_a_line_of_text():
    ours = Layout.for_size(1280, 720)
    assert ours.overview == pygame.Rect(6, ours.view.bottom + 6, 1268, 30) and ours.network.width == 426
    assert ours.footer.height >= ours.scale.font(12).get_linesize()  # text at the floor (18 px) fits
    for width, height in SIZES:
        layout = Layout.for_size(width, height)
        screen = pygame.Rect(0, 0, width, height)
        parts = [layout.view, layout.overview, layout.stats, layout.chart, layout.network, layout.footer]
        assert all(screen.contains(part) and part.width > 0 and part.height > 0 for part in parts)
        assert layout.stats.right < layout.chart.left and layout.chart.right < layout.network.left
        assert layout.view.height >= height // 2  # the race keeps most of the window
    assert abs(Layout.for_size(3840, 2160).stats.height - 3 * Layout.for_size(1280, 720).stats.height) <= 3


# ---- text fits its panel ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_every_text_of_every_panel_fits_inside_it(recorder_for, evolved, width, height):
    layout = Layout.for_size(width, height)
    s = layout.scale
    network, _ = evolved
    race = drive_race(evolved, None)
    genome = race.genomes[3]
    activations = network.activations(genome[None], race.inputs_of(3)[None])
    panels = {
        "stats": (layout.stats, lambda surface, rect: hud.draw_panel_lines(surface, rect, "evolving", STAT_LINES, s)),
        "chart": (
            layout.chart,
            lambda surface, rect: draw_chart(surface, rect, learning_history(60), s, "log", EVENTS),
        ),
        "drive": (layout.chart, lambda surface, rect: draw_drive_scores(surface, rect, race, s, followed=4)),
        "network": (
            layout.network,
            lambda surface, rect: NetworkView().draw(
                surface, rect, network, genome, activations, "network of dot #10000 (selected)", s, crashed=True
            ),
        ),
        "footer": (layout.footer, lambda surface, rect: hud.draw_footer(surface, rect, s)),
        "banner": (
            layout.view,
            lambda surface, rect: hud.draw_banner(surface, rect, "paused · Space resumes", scale=s),
        ),
        "messages": (
            layout.view,
            lambda surface, rect: hud.draw_messages(
                surface, rect, [("saved the best 20 genomes to saves/x.json", False)], s
            ),
        ),
    }
    for name, (rect, draw) in panels.items():
        surface = recorder_for((width, height))
        draw(surface, rect)
        assert_inside(surface, rect, f"{name} at {width}×{height}")
        if name == "stats":  # text a room can read: the first lines, whole (fewer rows rather than smaller text)
            values = [text for text in surface.strings() if text in dict(STAT_LINES).values()]
            assert len(values) >= 6 and values == [value for _, value in STAT_LINES[: len(values)]]
            assert "best 3991 · mean 2985" in surface.strings()
        if name == "network":
            strings = surface.strings()
            assert any(text.startswith("✗ ") and "crashed" in text for text in strings)
            assert any("weight +" in text for text in strings) and any("activation" in text for text in strings)


@pytest.mark.parametrize(("width", "height"), [*SIZES, (1024, 600)])
def test_at_every_size_and_every_z_step_the_stats_and_the_footer_are_whole(recorder_for, width, height):
    # with Z at ×2 the stats panel lost its last rows and cut its values ("best …n 5.5"), the footer its keys
    from game.keys import footer_text

    for user in scale.USER_STEPS:
        layout = Layout.for_size(width, height, Scale.for_window(width, height, user), user >= 1.5)
        surface = recorder_for((width, height))
        lines = [(label, "training" if label == "track" else value) for label, value in STAT_LINES]
        hud.draw_panel_lines(surface, layout.stats, "evolving", lines, layout.scale)
        hud.draw_footer(surface, layout.footer, layout.scale)
        strings = surface.strings()
        if layout.stats.width:  # the projector layout folds the stats away (Tab shows them)
            shown = [value for _, value in lines if value in strings]
            assert len(shown) >= 3 and shown == [value for _, value in lines[: len(shown)]], (width, height, user)
            assert not any("…" in text for text in strings if not text.startswith("Space")), (width, height, user)
        footer = next(text for text in strings if text.startswith("Space"))
        assert footer == footer_text() or "…" in footer, (width, height, user)  # whole, or shortened in the middle


def test_the_help_fits_the_window_at_every_size(recorder_for):
    # at 800×500 the help left out its last rows (H, Esc, click) and cut the two longest descriptions; now a
    # window too small for every row at the text floor shows them on pages that H turns
    for width, height in [*SIZES, (1024, 600)]:
        for user in (1.0, 2.0):
            scale = Scale.for_window(width, height, user)
            pages = hud.help_pages(pygame.Rect(0, 0, width, height), scale)
            strings: list[str] = []
            for page in range(pages):
                surface = recorder_for((width, height))
                hud.draw_help(surface, scale, page=page)
                screen = surface.get_rect()
                texts = [box for box, text in surface.blits if text is not None]
                assert len(texts) > (10 if page == 0 else 2) and all(screen.contains(box) for box in texts)
                strings += surface.strings()
            words = " ".join(strings).split()  # every row whole (wrapped between words), on one page or another
            assert all(label in strings for label, _ in hud.help_rows()), (width, height, user)
            assert all(word in words for _, text in hud.help_rows() for word in text.split()), (width, height, user)
            assert pages <= (2 if user == 1.0 else 8), (width, height, user, pages)  # at ×1, two pages at most


def test_messages_never_cover_the_banner():
    """A long message (a --replay's mismatch, a new track's name beside the settings panel) goes below the
    banner rather than over it; short ones keep their place at the top right."""
    banner = "replay does not match its source: closing (the message below says where)"
    long = "run.csv line 17: the row of generation 12 does not match the replay (best 17 replayed, 917 recorded)"
    for width, height in SIZES:
        layout = Layout.for_size(width, height)
        for view in (layout.view, layout.view.inflate(-layout.view.width // 3, 0).move(-layout.view.width // 6, 0)):
            surface = pygame.Surface((width, height))
            box = hud.draw_banner(surface, view, banner, scale=layout.scale)
            boxes = hud.draw_messages(surface, view, [(long, True), ("saved", False)], layout.scale, banner=box)
            assert len(boxes) == 2 and all(view.contains(each) for each in boxes), (width, height)
            assert not any(each.colliderect(box) for each in boxes), (width, height)
            assert boxes[0].bottom < boxes[1].top
            short = hud.draw_messages(surface, view, [("saved", False)], layout.scale, banner=box)
            assert not short[0].colliderect(box)
            if view == layout.view and width >= 1280:
                assert short[0].top < box.bottom  # beside the banner, where it always was


def test_a_panel_frame_returns_the_room_below_its_title():
    surface = pygame.Surface((400, 300))
    rect = pygame.Rect(10, 20, 300, 200)
    for factor in (0.75, 1.0, 3.0):
        inner = draw_panel(surface, rect, "a title", factor)
        assert rect.contains(inner)
        assert inner.top >= rect.top + Scale(factor).font(13, bold=True).get_height()
    assert draw_panel(surface, rect, "a title").top == rect.top + 26  # the stats rows start where they did


# ---- numbers never read "-0.00" ---------------------------------------------------------------------------
def test_numbers_that_round_to_zero_never_read_negative_zero():
    assert signed(-0.001) == "0.00" and signed(-0.0) == "0.00" and signed(0.004) == "0.00"
    assert signed(-0.006) == "-0.01" and signed(0.25) == "+0.25"
    assert number(-0.004) == "0.00" and number(-0.04, 1) == "0.0" and number(-1.5, 1) == "-1.5"
    assert reading(-0.0001) == "0.00" and reading(123.4) == "+123" and reading(-1e9) == "-9999"
    assert hud.short_number(-0.04) == "0.0" and hud.short_number(-0.4) == "-0.4" and hud.short_number(391.0) == "391"
    assert percent(-0.0) == "0%" and percent(0.25) == "25%" and percent(0.005) == "0.5%"


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_no_format_ever_gives_negative_zero(value):
    for text in (signed(value), number(value), number(value, 1), reading(value), hud.short_number(value)):
        assert not NEGATIVE_ZERO.search(text), text


def test_the_network_view_never_shows_negative_zero(recorder_for):
    network = Network()
    genome = np.random.default_rng(0).uniform(-1, 1, network.genome_size)
    inputs = np.array([-0.001, -0.004, 0.0, -0.0, 0.002, -1e-9, 0.003])
    activations = network.activations(genome[None], inputs[None])
    activations[-1][0][0] = 0.5 - 1e-9  # a force of -0.000000001
    surface = recorder_for((600, 300))
    NetworkView().draw(surface, pygame.Rect(10, 10, 440, 210), network, genome, activations, "network of dot #1")
    strings = surface.strings()
    assert "force 0.00" in strings
    assert any(text.startswith("top, here ") for text in strings)
    assert not any(NEGATIVE_ZERO.search(text) for text in strings)


def test_a_crashed_dots_network_title_says_so():
    assert network_title("network of dot #12", crashed=True) == "✗ network of dot #12 (crashed)"
    assert network_title("dot #12 (crashed)", crashed=True) == "✗ dot #12 (crashed)"
    assert network_title("network of dot #12", crashed=False) == "network of dot #12"


# ---- the chart ------------------------------------------------------------------------------------------
def outside_unchanged(draw, rect: pygame.Rect, size=(900, 400)) -> np.ndarray:
    """Draw on a surface filled with a marker colour; assert nothing outside rect changed; the pixels."""
    surface = pygame.Surface(size)
    surface.fill((1, 2, 3))
    draw(surface)
    pixels = pygame.surfarray.array3d(surface)
    outside = np.ones(pixels.shape[:2], dtype=bool)
    outside[rect.left : rect.right, rect.top : rect.bottom] = False
    assert (pixels[outside] == (1, 2, 3)).all()
    return pixels


@pytest.mark.parametrize("count", [0, 1, 2, 3, 60, 5000])
@pytest.mark.parametrize("mode", ["linear", "log", "zoom"])
def test_the_chart_never_draws_outside_its_rect(count, mode):
    rect = pygame.Rect(200, 100, 560, 210)
    events = [*EVENTS, (-5, "before", palette.ACCENT), (10**6, "after", palette.ACCENT), (count, "now", palette.GOOD)]
    history = learning_history(count)
    pixels = outside_unchanged(lambda surface: draw_chart(surface, rect, history, 1.0, mode, events), rect)
    inside = pixels[rect.left : rect.right, rect.top : rect.bottom]
    assert (inside == palette.PANEL).all(axis=2).mean() > 0.5  # a white panel, not a smear
    if count:
        best = (inside == palette.BEST_LINE).all(axis=2)
        assert best.sum() > 10  # the best curve (or its one marker) is drawn


@pytest.mark.parametrize("factor", [0.75, 1.5, 3.0])
def test_the_chart_stays_inside_at_every_scale_even_with_wild_values(factor):
    rect = pygame.Rect(100, 50, int(560 * factor), int(210 * factor))
    wild = np.array([-1.0, 0.0, 2.5, np.nan, 1e9, -1e9, 0.5, 1.0])
    series = [
        Series("wild", wild, palette.BEST_LINE, "solid", 8.0),
        Series("dash", wild[::-1], palette.TEST_LINE, "dashed", 6),
    ]
    size = (rect.right + 100, rect.bottom + 100)
    outside_unchanged(
        lambda surface: draw_chart(surface, rect, History(), factor, "linear", EVENTS, series), rect, size
    )


def test_no_result_is_drawn_where_the_champion_has_not_been_tested():
    history = History()
    for g in range(100):  # a test score for the first half only; -1 ("no result") after
        history.append(GenerationStats(g, 300, 250.0, 260.0, 0, 0.0, 2000 if g < 50 else -1, 391, 3991))
    rect = pygame.Rect(0, 0, 560, 210)
    surface = pygame.Surface((560, 210))
    draw_chart(surface, rect, history)
    pixels = pygame.surfarray.array3d(surface)
    red = (pixels == palette.TEST_LINE).all(axis=2)
    red[:, :40] = False  # the legend's sample line
    columns = np.flatnonzero(red.any(axis=1))
    assert columns.size > 50  # the first half is drawn, at 50% of the track
    assert columns.max() < 0.62 * rect.width  # and nothing where there is no result (-1), not even at 0
    rows = np.flatnonzero(red.any(axis=0))
    assert rows.max() < rect.height - 40  # the curve never falls to the axis


def test_history_series_are_shares_of_each_track_and_skip_missing_results():
    history = learning_history(10, test_lag=4)
    series = {s.label: s for s in history_series(history)}
    assert set(series) == {"best", "median", "mean", "champion on test"}
    assert np.allclose(series["best"].values, history.column("best") / 391)
    test = series["champion on test"]
    assert np.isnan(test.values[-4:]).all() and np.isfinite(test.values[:-4]).all()
    assert test.style == "dashed"  # distinguishable when it overlaps the best
    untested = History()
    untested.append(GenerationStats(0, 5, 1.0, 1.0, 0, 0.0))
    assert "champion on test" not in {s.label for s in history_series(untested)}
    runs = history_series(history, "run 2 · ", [(1, 1, 1)] * 4)
    assert runs[0].label == "run 2 · best" and runs[0].colour == (1, 1, 1)


def mantissa(value: float) -> float:
    """1.5 for 0.015, 2 for 200."""
    return round(value / 10 ** np.floor(np.log10(value) + 1e-9), 6)


@pytest.mark.parametrize("mode", ["linear", "log", "zoom"])
@pytest.mark.parametrize("top", [0.003, 0.02, 0.3, 1.0])
def test_the_y_ticks_are_readable_numbers_in_order(mode, top):
    values = np.array([top / 50, top / 10, top])
    axis = y_axis(mode, [Series("best", values, palette.BEST_LINE)])
    for height in (100, 160, 400):
        ticks = axis.ticks(height, 18)
        labels = [percent(tick) for tick in ticks]
        assert len(ticks) >= 2 and all(PERCENT.match(label) for label in labels), labels
        assert len(set(labels)) == len(labels)
        heights = axis.unit(np.array(ticks)) * height
        assert np.all(np.diff(heights) >= 18 - 1e-6)
        assert heights[0] == 0 and heights[-1] <= height
        if axis.log:  # 1, 2, 5 (or 1, 3) times a power of ten
            assert all(mantissa(tick) in (1, 2, 3, 5) for tick in ticks), labels
        else:  # multiples of a nice step
            steps = np.diff(ticks)
            assert np.allclose(steps, steps[0]) and mantissa(steps[0]) in (1, 2, 2.5, 5), labels
    if mode == "linear":
        assert [percent(t) for t in axis.ticks(160, 18)] == ["0%", "25%", "50%", "75%", "100%"]
    if mode == "zoom":
        assert top <= axis.high <= max(2.5 * top, 0.01)  # the data fill the plot
    if mode == "log":
        assert axis.low <= max(top / 50, LOG_FLOOR)  # down to the smallest share, or 0.01% of the track
        assert axis.unit(np.array([0.0]))[0] == 0  # a score of 0 sits on the axis, not below it


def test_early_progress_is_visible_on_the_log_and_zoomed_axes():
    early = [Series("best", np.array([0.005, 0.01, 0.02, 0.03]), palette.BEST_LINE)]
    linear, log, zoom = (y_axis(mode, early) for mode in ("linear", "log", "zoom"))
    assert linear.unit(np.array([0.03]))[0] == pytest.approx(0.03)
    assert log.unit(np.array([0.03]))[0] > 0.4 and zoom.unit(np.array([0.03]))[0] > 0.5  # linear: 0.03
    assert log.unit(np.array([0.005]))[0] < log.unit(np.array([0.01]))[0] < log.unit(np.array([0.02]))[0]
    with pytest.raises(ValueError):
        y_axis("sideways", early)


@pytest.mark.parametrize("last", [1, 2, 10, 57, 400, 5000, 123456])
def test_the_generation_ticks_are_nice_steps_whose_labels_do_not_touch(last):
    for width in (200, 560, 1600):
        label = 8 * len(str(last)) + 14
        ticks = x_ticks(last, width, label)
        step = ticks[1] - ticks[0]
        assert ticks[0] == 0 and ticks[-1] <= last and np.all(np.diff(ticks) == step)
        assert step / 10 ** np.floor(np.log10(step)) in (1, 2, 5)
        assert step * width / last >= label or step == 1
    assert [nice_step(x) for x in (0.7, 1, 1.1, 3, 7, 12, 4999)] == [1, 1, 2, 5, 10, 20, 5000]


def test_the_chart_labels_its_ticks_events_and_legend(recorder_for):
    surface = recorder_for((700, 300))
    rect = pygame.Rect(10, 10, 560, 210)
    draw_chart(surface, rect, learning_history(60), 1.0, "linear", EVENTS)
    strings = surface.strings()
    assert {"0%", "25%", "50%", "75%", "100%"} <= set(strings)
    assert {"0", "10", "20", "30", "40", "50"} <= set(strings)
    assert {"best", "median", "mean", "champion on test"} <= set(strings)
    assert {"track: test", "restart"} <= set(strings)
    numbers = [text for text in strings if re.fullmatch(r"-?\d+", text)]
    assert all(int(text) >= 0 for text in numbers)
    surface = recorder_for((700, 300))
    draw_chart(surface, rect, learning_history(60), 1.0, "log")
    assert "share of the track finished · log scale" in surface.strings()
    assert {"1%", "10%", "100%"} <= set(surface.strings())


def test_many_overlaid_runs_each_get_a_legend_entry_that_fits(recorder_for):
    colours = [(68, 1, 84), (33, 145, 140), (214, 69, 65), (230, 150, 0)]
    series = []
    for run, colour in enumerate(colours):
        series += history_series(learning_history(80, seed=run), f"run {run + 1} · ", [colour] * 4)[:2]
    surface = recorder_for((900, 400))
    rect = pygame.Rect(10, 10, 839, 315)
    draw_chart(surface, rect, History(), 1.5, "linear", series=series)
    assert_inside(surface, rect, "overlaid runs")
    assert sum(text.startswith("run ") for text in surface.strings()) == len(series)


# ---- the drive panel --------------------------------------------------------------------------------------
def test_the_drive_panel_shows_bars_while_racing_and_marks_when_out(recorder_for, evolved):
    rect = pygame.Rect(10, 10, 560, 210)
    racing = drive_race(evolved, 300)
    surface = recorder_for((600, 240))
    draw_drive_scores(surface, rect, racing, followed=0)
    strings = surface.strings()
    # the living race on, shown by their bars alone: no number (they would all read 300), no mark
    assert "300" not in strings and "✓" not in "".join(strings)
    assert sum(text.endswith(" ✗") for text in strings) == int((~racing.alive).sum()) > 0
    assert any(text.endswith(" ✗") for text in strings)  # the random ones crashed early
    done = drive_race(evolved, None)
    order = drive_order(done)
    scores = done.current_scores[order]
    assert np.all(np.diff(scores) <= 0)  # best first
    surface = recorder_for((600, 240))
    draw_drive_scores(surface, rect, done)
    strings = surface.strings()
    assert strings.count(f"{done.track.finish} ✓") == 14 and sum(text.endswith(" ✗") for text in strings) == 6
    labels = [text for text in strings if text.startswith("#")]
    assert labels[:14] == [f"#{i + 1}" for i in range(14)]


def test_the_drive_panel_counts_the_genomes_it_has_no_room_for(recorder_for, evolved):
    network, genomes = evolved
    race = Race(np.repeat(genomes[:1], 200, axis=0), training_track(), network)
    race.run(5)
    surface = recorder_for((400, 200))
    rect = pygame.Rect(0, 0, 300, 150)
    draw_drive_scores(surface, rect, race)
    assert_inside(surface, rect, "drive panel")
    more = [text for text in surface.strings() if text.endswith(" more")]
    shown = sum(text.startswith("#") for text in surface.strings())
    assert more == [f"+{200 - shown} more"]


# ---- the camera ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def driven_paths(evolved):
    """(finish+1, 3) heights of three evolved drivers along the test track, column by column."""
    network, genomes = evolved
    race = Race(genomes[:3], blog_test_track(), network, keep_paths=True)
    race.run()
    assert race.alive.all()
    return race.track, race.paths


def zigzag(track, columns: np.ndarray) -> np.ndarray:
    """A dot that grazes the top barrier, then the bottom one, every 7 columns: the hardest to keep in view."""
    return np.where((columns // 7) % 2 == 0, track.top[columns] - 0.01, track.bottom[columns] + 0.01)


@pytest.mark.parametrize("speed", [1, 2, 4, 8, 16, 32, 64])
def test_the_followed_dot_and_the_corridor_ahead_stay_in_view_at_any_speed(driven_paths, speed):
    track, paths = driven_paths
    columns = np.arange(track.finish + 1)
    for heights in (paths[:, 0], paths[:, 2], zigzag(track, columns)):
        for view in (pygame.Rect(0, 0, 1280, 446), pygame.Rect(0, 0, 800, 296), pygame.Rect(0, 0, 3840, 1338)):
            camera = Camera(view)
            for column in range(0, track.finish + 1, speed):
                camera.follow_dot(track, column, float(heights[column]), speed)
                x, y = camera.to_screen(column, float(heights[column]))
                margin = view.height * 0.05
                assert view.left <= x <= view.right
                assert view.top + margin <= y <= view.bottom - margin, (speed, column)
                ahead = np.arange(column, min(column + SENSORS[-1] + 1, track.columns))
                for barrier in (track.top[ahead], track.bottom[ahead]):
                    ys = camera.y(barrier)
                    assert ((ys >= view.top) & (ys <= view.bottom)).all()
                    assert (camera.x(ahead) <= view.right).all()


@pytest.mark.parametrize("speed", [1, 8, 64])
def test_the_old_follow_keeps_the_corridor_ahead_in_view_at_any_speed(speed):
    track = blog_test_track()
    camera = Camera(pygame.Rect(0, 0, 1280, 446))
    for column in range(0, track.finish, speed):
        camera.follow(track, column, 1 / 60)
        ahead = np.arange(column, column + SENSORS[-1] + 1)
        for barrier in (track.top[ahead], track.bottom[ahead]):
            ys = camera.y(barrier)
            assert ((ys >= 0) & (ys <= 446)).all()


def test_the_camera_is_smooth_at_x1_and_the_same_at_another_frame_rate(driven_paths):
    track, paths = driven_paths
    view = pygame.Rect(0, 0, 1280, 446)
    every, halves = Camera(view), Camera(view)
    shifts = []  # how far the camera moves the corridor at the head on screen, frame by frame
    for column in range(track.finish + 1):
        corridor = float(track.top[column])
        before = every.y(corridor)
        every.follow_dot(track, column, float(paths[column, 0]), 1)
        if column:
            shifts.append(every.y(corridor) - before)
        if column % 2 == 0:  # the same race drawn at 30 frames a second: two steps a frame
            halves.follow_dot(track, column, float(paths[column, 0]), 2)
            assert abs(every.y(paths[column, 0]) - halves.y(paths[column, 0])) < 0.02 * view.height
    shifts = np.array(shifts)
    assert np.abs(shifts).max() < 0.02 * view.height  # at ×1 the view glides: a few pixels a frame at most
    assert np.abs(np.diff(shifts)).max() < 0.005 * view.height  # and never jerks


def test_a_new_race_places_the_camera_at_once_rather_than_panning(driven_paths):
    track, paths = driven_paths
    camera = Camera(pygame.Rect(0, 0, 1280, 446))
    for column in range(300, track.finish + 1):
        camera.follow_dot(track, column, float(paths[column, 0]), 1)
    camera.follow_dot(track, 0, 0.0, 1)  # the next generation starts
    fresh = Camera(pygame.Rect(0, 0, 1280, 446))
    fresh.follow_dot(track, 0, 0.0, 1)
    assert camera.centre == pytest.approx(fresh.centre) and camera.pixels_per_unit == pytest.approx(
        fresh.pixels_per_unit
    )
    assert camera.head == 0


# ---- picking a dot in a stack -----------------------------------------------------------------------------
def stacked_race(evolved, count: int = 40) -> Race:
    """count copies of one driver, slightly perturbed: a tight stack in one column after a few steps."""
    network, genomes = evolved
    noise = np.random.default_rng(3).normal(0, 0.02, (count, network.genome_size))
    race = Race(genomes[:1] + noise, training_track(), network)
    race.run(30)
    return race


def test_repeated_clicks_on_a_stack_cycle_through_every_dot_in_it(evolved):
    race = stacked_race(evolved)
    camera = Camera(pygame.Rect(0, 0, 1280, 446))
    camera.follow_dot(race.track, race.column, float(race.positions[0]), 1)
    xs, ys = dot_screen_positions(camera, race)
    alive = np.flatnonzero(race.alive)
    assert alive.size > 10 and np.ptp(ys[alive]) < 40  # a dense stack, as in the window
    click = (int(xs[alive[0]]), int(np.median(ys[alive])))
    stack, nearest = stack_at(camera, race, click)
    assert stack.size >= 3 and nearest in stack
    assert list(stack) == sorted(stack, key=lambda i: (ys[i], i))  # spread top to bottom
    first = pick_dot(camera, race, click, None)
    assert first == nearest
    picked = [first]
    for _ in range(stack.size):
        picked.append(pick_dot(camera, race, click, picked[-1]))
    assert set(picked) == set(stack.tolist())  # every dot of the stack is reached
    assert picked[stack.size] == picked[0]  # and round again
    assert pick_dot(camera, race, (5, 5), picked[-1]) is None  # far from every dot
    lone = int(np.argmax(np.abs(ys - click[1]) + np.abs(xs - click[0])))
    point = (int(xs[lone]), int(ys[lone]))
    if stack_at(camera, race, point)[0].size == 1:
        assert pick_dot(camera, race, point, lone) == lone  # a dot alone stays picked


def test_the_followed_dot_is_drawn_on_top_and_a_crashed_one_marked(evolved):
    race = stacked_race(evolved)
    camera = Camera(pygame.Rect(0, 0, 1280, 446))
    camera.follow_dot(race.track, race.column, float(race.positions[0]), 1)
    ranks, leader = race.ranking()
    xs, ys = dot_screen_positions(camera, race)
    surface = pygame.Surface((1280, 446))
    followed = int(np.flatnonzero(race.alive)[np.argmax(ranks[race.alive])])  # the worst living: drawn under all
    draw_race(surface, camera, race, ranks, leader, followed, True, 1.0)
    colour = tuple(int(c) for c in palette.rank_colours(ranks[followed : followed + 1], race.count)[0])
    assert tuple(surface.get_at((round(xs[followed]), round(ys[followed]))))[:3] == colour
    crashed = np.flatnonzero(~race.alive)
    if crashed.size:
        dot = int(crashed[0])
        surface.fill((0, 0, 0))
        draw_race(surface, camera, race, ranks, leader, dot, True, 1.0)
        x, y = round(xs[dot]), round(ys[dot])
        if camera.view.collidepoint(x, y):
            patch = pygame.surfarray.array3d(surface)[x - 6 : x + 7, y - 6 : y + 7]
            assert (patch == palette.WARNING).all(axis=2).sum() > 10  # a red ✗ where it crashed


def test_fit_never_returns_text_wider_than_asked():
    start_pygame()
    text_font = Scale(1.0).font(12, bold=True)
    for width in (0, 5, 20, 60, 200):
        assert text_font.size(fit(text_font, "random:4035077131:4000", width))[0] <= width


def test_the_chart_view_redraws_only_when_something_changed():
    rect = pygame.Rect(20, 10, 560, 210)
    history = learning_history(30)
    direct, cached = pygame.Surface((600, 240)), pygame.Surface((600, 240))
    view = ChartView()
    draw_chart(direct, rect, history, 1.0, "log", EVENTS)
    view.update(rect, history, 1.0, "log", EVENTS)
    view.draw(cached, rect)
    assert pygame.image.tobytes(direct, "RGB") == pygame.image.tobytes(cached, "RGB")
    picture = view._picture
    view.update(rect, history, 1.0, "log", EVENTS)
    assert view._picture is picture  # nothing changed: the same picture
    history.set(len(history) - 1, "test_best", 3991)  # a champion's test drive arrives later
    view.update(rect, history, 1.0, "log", EVENTS)
    assert view._picture is not picture
    picture = view._picture
    view.update(rect, history, 1.0, "linear", EVENTS)
    assert view._picture is not picture


def test_a_stack_under_a_click_is_spread_out_beside_it(recorder_for, evolved):
    race = stacked_race(evolved)
    view = pygame.Rect(0, 0, 1280, 446)
    camera = Camera(view)
    camera.follow_dot(race.track, race.column, float(race.positions[0]), 1)
    ranks, _ = race.ranking()
    xs, ys = dot_screen_positions(camera, race)
    alive = np.flatnonzero(race.alive)
    click = (int(xs[alive[0]]), int(np.median(ys[alive])))
    stack, nearest = stack_at(camera, race, click)
    chosen = pick_dot(camera, race, click, nearest)
    surface = recorder_for((1280, 446))
    draw_stack_hint(surface, camera, race, ranks, stack, chosen, 1.0)
    assert_inside(surface, view, "stack hint")
    strings = surface.strings()
    assert f"#{chosen + 1}" in strings
    place = int(np.flatnonzero(stack == chosen)[0]) + 1
    assert f"{place} of {stack.size} · click again: next" in strings
    surface = recorder_for((1280, 446))
    draw_stack_hint(surface, camera, race, ranks, stack[:1], chosen, 1.0)
    assert surface.blits == []  # a lone dot needs no hint


def test_the_leader_is_marked_only_while_a_dot_lives(recorder_for, evolved):
    # once every dot has crashed, "leader" used to stand beside a crashed dot (often the followed one's red ✗)
    network, _ = evolved
    race = Race(np.random.default_rng(2).uniform(-1, 1, (6, network.genome_size)), training_track(), network)
    camera = Camera(pygame.Rect(0, 0, 1280, 446))
    for finished in (False, True):
        if finished:
            race.run()
        assert race.alive.any() != finished
        ranks, leader = race.ranking()
        camera.follow_dot(race.track, race.column, None, 1)
        surface = recorder_for((1280, 446))
        draw_race(surface, camera, race, ranks, leader, 0, False, 1.0)
        assert ("leader" in surface.strings()) != finished


@pytest.mark.parametrize(("width", "height"), [*SIZES, (1024, 600), (900, 560), (1100, 620), (1600, 900)])
def test_the_test_drive_of_the_current_best_names_its_genomes_whole(recorder_for, width, height):
    # T's drive named its genomes "the current best (not saved)", shown as "the curren…not saved)" at every size;
    # with text at 1/40 of the height it goes whole on a line of its own
    layout = Layout.for_size(width, height)
    surface = recorder_for((width, height))
    hud.draw_panel_lines(surface, layout.stats, "test drive", [("genomes", UNSAVED), ("track", "test")], layout.scale)
    assert UNSAVED in surface.strings()


@pytest.mark.parametrize(("width", "height"), [*SIZES, (1024, 600)])
def test_the_network_panel_title_says_where_the_dot_came_from_without_cutting_words(
    recorder_for, evolved, width, height
):
    # "✗ dot #37: child of #1 of …3 mutated by 6.9 (crashed)" at 3840×2160: a crashed child's title was cut in
    # the middle at every size; without the size of the mutation it fits, "(crashed)" and all
    layout = Layout.for_size(width, height)
    network, genomes = evolved
    genome = genomes[0]
    kinds = [CHILD, SAMPLE, KEPT, RANDOM, MEAN]
    origins = Origins(np.array(kinds, np.int8), np.array([49, -1, 9, -1, -1]), np.array([12.3, 12.3, 0, 0, 0]))
    for index in range(len(kinds)):
        origin = describe(origins, index, 1234)
        for crashed in (False, True):
            surface = recorder_for((width, height))
            NetworkView().draw(
                surface, layout.network, network, genome, None, f"dot #50: {origin}", layout.scale, crashed
            )
            title = surface.strings()[0]  # the panel draws its title first
            # at 1/40 of the height, text may be too large for the whole title: shortened, the crash still said
            assert "…" not in title or width < 1920, title
            assert title.startswith("✗ ") == title.endswith(" (crashed)") == crashed
    assert brief("child of #3 of gen 41 mutated by 0.8") == "child of #3 of gen 41"
    assert brief("sampled from gen 41's distribution (1.2 spreads from its mean)") == "a sample of gen 41"
    assert brief("kept: #1 of gen 40") == "kept: #1 of gen 40"
