"""The track editor and the drivability check: refused tracks say why in one line, a drivable one comes with
the driving that proves it; a track drawn with the mouse or the keyboard is saved, read back and raced."""

import numpy as np
import pygame

import main
from app import options as app_options
from evolution.errors import InputError
from evolution.racing.drivable import MIN_WIDTH, check_barriers_drivable, check_drivable, check_editable, drive
from evolution.racing.track import load_track_file, random_track
from evolution.racing.track_draft import SPACING, TrackDraft
from evolution.racing.track_names import resolve_track
from game.frame_runner import key_event, open_window, run_frames
from game.views.editor_view import EditorView
from tests.helpers import run_cli


def events(app, *batch) -> None:
    run_frames(app, 1, lambda frame: list(batch) if frame == 0 else [])


def mouse(kind: int, pos: tuple[int, int]) -> pygame.event.Event:
    if kind == pygame.MOUSEMOTION:
        return pygame.event.Event(kind, pos=pos, rel=(0, 0), buttons=(1, 0, 0))
    return pygame.event.Event(kind, pos=pos, button=1)


def test_an_off_start_a_too_narrow_and_an_undrivable_track_are_each_refused_in_one_line():
    flat = np.zeros(200)
    off = check_editable(flat + 2.0, flat + 1.0)
    narrow_top = flat + 0.5
    narrow_top[120:] = -0.5 + MIN_WIDTH / 2  # from column 120 the corridor is half what a dot needs
    narrow = check_editable(narrow_top, flat - 0.5)
    cliff = flat.copy()
    cliff[100:] = 3.0  # a jump of three heights in one column: no force gets there
    undrivable = check_editable(cliff + 0.5, cliff - 0.5)
    for verdict, words, column in (
        (off, "start", 0),
        (narrow, "too narrow", 120),
        (undrivable, "no dot can drive it", 100),
    ):
        assert not verdict.drivable and verdict.forces is None, verdict
        assert words in verdict.reason and "\n" not in verdict.reason and verdict.column == column


def test_a_drivable_track_comes_with_a_driving_that_reaches_the_finish_in_the_race_arithmetic():
    x = np.arange(400)
    centre = 3 * np.sin(x / 4)  # its curve needs a force up to 3/16 of a height per column per column
    verdict = check_barriers_drivable(centre + 0.5, centre - 0.5)
    assert verdict.drivable and verdict.reason == ""
    assert verdict.forces.shape == (400 - 9,) and np.abs(verdict.forces).max() <= 0.5
    heights, crash = drive(centre + 0.5, centre - 0.5, verdict.forces)
    assert crash == -1 and np.array_equal(heights, verdict.heights)
    assert np.all(heights <= centre[: heights.size] + 0.5) and np.all(heights >= centre[: heights.size] - 0.5)
    sharper = 3 * np.sin(x / 2)  # twice as sharp: 3/4, more than the force of 0.5 can give
    assert not check_barriers_drivable(sharper + 0.5, sharper - 0.5).drivable


def test_the_built_in_tracks_are_drivable():
    for spec in ("training", "test"):
        assert check_drivable(resolve_track(spec)).drivable
    for seed in range(10):
        assert check_drivable(random_track(seed)).drivable


def test_track_of_an_undrivable_file_is_refused_in_one_line_and_a_drivable_one_runs(tmp_path):
    cliff = np.zeros(100)
    cliff[50:] = 3.0
    np.savetxt(tmp_path / "cliff.csv", cliff + 0.5)
    result = run_cli("--headless", "--track", str(tmp_path / "cliff.csv"), "--generations", "1")
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and "at column 50" in lines[0], result.stderr
    gentle = np.sin(np.arange(300) / 30) + 0.5
    np.savetxt(tmp_path / "gentle.csv", gentle)
    assert main.main(["--headless", "--track", str(tmp_path / "gentle.csv"), "--generations", "1"]) == 0


def test_a_saved_draft_reads_back_exactly_and_a_refused_one_is_not_written(tmp_path):
    draft = TrackDraft(columns=300)
    draft.heights[5:9] = [1.0, 2.5, 2.0, 0.5]
    draft.widen(0.2)
    draft.smooth()
    path = draft.save(tmp_path)
    assert path.name == "track-1.csv" and draft.save(tmp_path).name == "track-2.csv"  # never over another
    track = load_track_file(path)
    top, bottom = draft.barriers()
    assert np.array_equal(track.top, top) and np.array_equal(track.bottom, bottom)
    draft.heights[0] = 5.0  # the start now lies under the corridor
    try:
        draft.save(tmp_path)
        raise AssertionError("saved a track whose start is outside the corridor")
    except InputError as exc:
        assert "start" in str(exc)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["track-1.csv", "track-2.csv"]


def test_a_track_drawn_with_the_mouse_is_saved_read_back_and_raced(in_tmp):
    app = open_window(app_options.parse(["--seed", "2", "--edit", "--speed", "8"]))
    editor = app.view
    assert isinstance(editor, EditorView)
    run_frames(app, 1)  # drawn once: the plot has its place
    plot = editor.plot
    # a hill drawn from a fifth to two fifths of the track, two heights up
    start = (plot.x + plot.width // 5, int(editor._y(np.array([0.0]))[0]))
    peak_y = int(editor._y(np.array([2.0]))[0])
    moves = [
        mouse(pygame.MOUSEMOTION, (start[0] + k * plot.width // 40, peak_y if 1 <= k <= 6 else start[1]))
        for k in range(9)
    ]
    events(app, mouse(pygame.MOUSEBUTTONDOWN, start), *moves, mouse(pygame.MOUSEBUTTONUP, moves[-1].pos))
    draft = editor.draft
    raised = np.flatnonzero(draft.heights > 1.5)
    assert raised.size >= 4, draft.heights
    assert editor.verdict.drivable, editor.verdict.reason
    events(app, key_event(pygame.K_RETURN))
    saved = in_tmp / "tracks" / "track-1.csv"
    assert saved.exists() and app.view is editor.back
    run = app.view.run
    assert run.track.name == "tracks/track-1.csv"
    assert np.array_equal(load_track_file(saved).top, draft.barriers()[0])
    for _ in range(200):  # the population races the new track
        run_frames(app, 20)
        if len(app.view.evolution.history) >= 2:
            break
    assert app.view.evolution.history.row(1).finish == load_track_file(saved).finish
    app.view.close()
    # loaded back with --track, raced headless
    assert main.main(["--headless", "--seed", "2", "--track", "tracks/track-1.csv", "--generations", "2"]) == 0


def test_the_keyboard_alone_makes_a_track_and_an_undrivable_one_is_refused_on_screen(in_tmp):
    app = open_window(app_options.parse(["--seed", "3", "--speed", "8"]))
    run_frames(app, 2)
    events(app, key_event(pygame.K_k))  # the editor, on the training track
    editor = app.view
    assert isinstance(editor, EditorView) and editor.draft.columns == 400
    events(app, key_event(pygame.K_RIGHT), key_event(pygame.K_RIGHT))
    before = editor.draft.heights[2]
    events(app, key_event(pygame.K_UP))
    assert editor.draft.heights[2] == before + 0.25
    width = editor.draft.width
    events(app, key_event(pygame.K_RIGHTBRACKET), key_event(pygame.K_s), key_event(pygame.K_PERIOD))
    assert editor.draft.width == width + 0.05 and editor.draft.columns == 500
    # a spike: point 10 raised 40 heights; no dot turns from climbing to falling in so few columns
    for _ in range(8):
        events(app, key_event(pygame.K_RIGHT))
    for _ in range(40):
        events(app, pygame.event.Event(pygame.KEYDOWN, key=pygame.K_UP, mod=pygame.KMOD_SHIFT, unicode=""))
    assert not editor.verdict.drivable and "no dot can drive it" in editor.verdict.reason
    assert 9 * SPACING <= editor.verdict.column <= 10 * SPACING
    events(app, key_event(pygame.K_RETURN))  # refused: nothing written, the editor stays
    assert app.view is editor and not (in_tmp / "tracks").exists()
    assert any("not saved: no dot can drive it" in text for text, error, _ in app.messages if error)
    for _ in range(40):
        events(app, pygame.event.Event(pygame.KEYDOWN, key=pygame.K_DOWN, mod=pygame.KMOD_SHIFT, unicode=""))
    assert editor.verdict.drivable
    events(app, key_event(pygame.K_RETURN))
    assert (in_tmp / "tracks" / "track-1.csv").exists() and app.view.run.track.name == "tracks/track-1.csv"
    events(app, key_event(pygame.K_b))  # B leaves it for the training track, G for a random one
    assert app.view.run.track.name == "training"
    events(app, key_event(pygame.K_g))
    assert app.view.run.track.name.startswith("random:")
    app.view.close()


def test_edit_is_a_window_flag_and_reads_its_file(tmp_path):
    result = run_cli("--headless", "--edit")
    assert result.returncode == 2 and "--edit is a window flag" in result.stderr
    result = run_cli("--edit", str(tmp_path / "absent.csv"), "--frames", "1")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


def test_a_change_to_an_editor_track_that_is_not_there_is_refused_at_the_start_in_one_line(in_tmp):
    # a log replayed in another folder named tracks/track-1.csv, which was read only when its generation came:
    # "stopped by an internal error" after the run had started (found by storms 10084 and 10086)
    result = run_cli("--headless", "--generations", "5", "--set", "3:track=tracks/nope.csv")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "tracks/nope.csv: no such file" in lines[0] and "Traceback" not in result.stderr
