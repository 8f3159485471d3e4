"""A lesson a class can follow: captions from the run's own events and numbers, words that follow the code's
constants, and one name per setting with every other spelling still read."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest

from app import options as app_options
from app import runs as app_runs
from evolution.breeding.strategies import STRATEGIES, Classic, Elitist
from evolution.racing.track import training_track
from evolution.run import narration
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.history import GenerationStats, History
from evolution.run.narration import KINDS, MILESTONES, Narrator
from evolution.run.settings import ALIASES, SETTINGS, SettingEvent, canonical, parse_set, spellings
from evolution.run.specs import parse_spec
from tests.helpers import app_for, press


def watched_run(strategy: str, generations: int, **config) -> tuple[Evolution, Narrator, list]:
    """A small run raced a few columns at a time, its narrator watching as the window's does."""
    evolution = Evolution(RunConfig(strategy=strategy, seed=3, generations=generations, **config), training_track())
    narrator, notes = Narrator(), []
    for _ in range(generations):
        race = evolution.next_race()
        generation = evolution.generation
        while not race.done:
            notes += narrator.watch(evolution, race, generation)
            race.run(3)
        notes += narrator.watch(evolution, race, generation)
        evolution.close_generation_now(race)
        notes += narrator.watch(evolution, race, generation)
    return evolution, narrator, notes


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_a_run_is_narrated_with_its_own_numbers(strategy):
    evolution, _narrator, notes = watched_run(strategy, 4, extra_tracks=0)
    kinds = {note.kind for note in notes}
    assert {"race_start", "leader_crash", "all_out", "closed"} <= kinds
    history = evolution.history
    starts = [note for note in notes if note.kind == "race_start"]
    assert [note.generation for note in starts] == [0, 1, 2, 3]
    assert f"{evolution.config.population} dots" in starts[1].text and "391 columns" in starts[1].text
    for note in notes:
        if note.kind == "closed":
            row = history.row(note.generation)
            assert f"best {row.best} of {row.finish}, {row.finished} finished" in note.text
    crash = next(note for note in notes if note.kind == "leader_crash")
    column = int(re.search(r"crashed at column (\d+)", crash.text)[1])
    assert 0 <= column < 391
    # the last caption of breeding is the strategy's own words with its real numbers, for the next generation
    last = [note for note in notes if note.kind == "closed"][-1]
    assert last.text.endswith(evolution.strategy.explain(evolution.state.strategy, evolution.generation))
    assert f"generation {evolution.generation}" in last.text


def test_each_strategy_says_what_it_does_from_its_real_values():
    classic = Classic(105, 50, 0.1)
    text = classic.explain(classic.initial_state(0), 7)
    assert "50 new dots" in text and "top 5" in text and "±0.1" in text and "105 weights" in text
    assert "63%" in text  # 1 - exp(-1): the share of parents drawn from the top PARENT_SCALE
    elitist = Elitist(105, 40, 0.5, elite_share=0.25, tournament=4, late_generation=12)
    state = elitist.initial_state(0)
    state.told = 3
    text = elitist.explain(state, 3)
    assert "best 10 of 40" in text and "30 children" in text and "4 random dots" in text and "size 0.5" in text
    assert "From generation 12 on, 20 are kept and the noise is 0.15" in text
    state.told = 12
    assert "size 0.15" in elitist.explain(state, 12) and "late stage" in elitist.explain(state, 12)
    snes = STRATEGIES["snes"](105, 50, 0.1)
    state = snes.initial_state(0)
    state.spread = np.full(105, 0.5)
    assert "49 variations" in snes.explain(state, 2) and "now 0.5 per weight" in snes.explain(state, 2)


def stats(generation: int, best: int, finished: int, test_best: int = -1, finish: int = 100) -> GenerationStats:
    return GenerationStats(generation, best, best / 2, best / 2, finished, 0.0, test_best, finish, 200)


def fake_run(rows: list[GenerationStats], population: int = 10, events=()) -> SimpleNamespace:
    """What a Narrator reads of a run, with a history made by hand: milestones without racing to them."""
    history = History()
    for row in rows:
        history.append(row)
    strategy = Classic(105, population, 0.1)
    return SimpleNamespace(
        history=history,
        config=SimpleNamespace(population=population),
        strategy=strategy,
        state=SimpleNamespace(events=list(events), reported=len(rows), strategy=strategy.initial_state(0)),
        generation=len(rows),
    )


def test_milestones_new_best_overfitting_and_settings_are_said_once_with_their_numbers():
    rows = [stats(0, 40, 0), stats(1, 100, 2, 50), stats(2, 100, 5, 60), stats(3, 100, 5, 60)]
    rows += [stats(4, 100, 6, 70), stats(5, 100, 6, 80), stats(6, 100, 7, 200)]
    event = SettingEvent(2, "mutation_rate", "0.1", "0.5")
    run = fake_run(rows, events=[event])
    narrator = Narrator()
    race = SimpleNamespace(count=10, track=SimpleNamespace(finish=100, name="training"), alive=np.zeros(10, bool))
    race.alive_count, race.column, race.done, race.scores = 0, 100, True, np.full(10, 100)
    race.current_scores = race.scores
    notes = narrator.watch(run, race, 7)
    by_kind = {note.kind: note for note in notes}
    assert narrator.milestones == {"first_finisher": 1, "half_finish": 2, "test_finish": 6}
    assert "generation 1, 2 dots drove the whole track (100 columns)" in by_kind["first_finisher"].text
    assert "generation 2, 5 of 10 reached the end" in by_kind["half_finish"].text
    assert "200 columns" in by_kind["test_finish"].text
    assert "got to column 100 of 100" in by_kind["new_best"].text and "old best was 40" in by_kind["new_best"].text
    assert "for 5 generations" in by_kind["overfitting"].text and "only 80 of 200" in by_kind["overfitting"].text
    assert "Mutation size (mutation_rate) is now 0.5, was 0.1" in by_kind["setting"].text
    assert "noise of size 0.5" in by_kind["setting"].text
    assert by_kind["all_out"].text.startswith("The race is over: 10 of 10")
    assert all(note.milestone == (note.kind in MILESTONES) for note in notes)
    assert narrator.watch(run, race, 7) == []  # nothing twice


def test_every_kind_of_event_has_a_caption():
    row = stats(4, 90, 3, 120)
    made = {
        narration.race_started(4, 50, "training", 391),
        narration.leader_crashed(4, 7, 33, 391, 12),
        narration.all_out(4, 90, 391, 0, 50),
        narration.closed(row, "Breeding."),
        narration.new_best(row, 80),
        narration.first_finisher(row),
        narration.half_finish(row, 6),
        narration.test_finish(row),
        narration.overfitting(row, 5),
        narration.setting_changed(SettingEvent(4, "tournament", "3", "5")),
        narration.test_drive_started(4, 20, "test", 300),
        narration.test_drive_ended(4, 3, 20, 300, 300),
        narration.then_and_now(5, 60, 50, 50, "training", True),
        narration.then_and_now_lap(5, 60, (0, 42), (50, 50)),
    }
    assert {note.kind for note in made} == set(KINDS)
    for note in made:  # words for a pupil, with the numbers given
        assert re.search(r"\d", note.text) and ("_" not in note.text or note.kind == "setting")


def test_the_words_follow_the_strategy_constants(monkeypatch):
    monkeypatch.setattr(Elitist, "LATE_NOISE", 0.25)
    monkeypatch.setattr(Elitist, "LATE_GENERATION", 33)
    monkeypatch.setattr(Elitist, "ELITE_SHARE", 0.1)
    monkeypatch.setattr(Classic, "PARENT_SCALE", 8.0)
    help_text = " ".join(app_options.build_parser().format_help().split())
    assert "0.25×R" in Elitist.summary() and "generation 33" in Elitist.summary() and "best 10%" in Elitist.summary()
    assert "Exp(8)" in Classic.summary()
    assert "0.25 times that from generation 33" in help_text and "Exp(8)" in help_text
    assert "0.25 times that" in SETTINGS["mutation_rate"].describe(0.2)
    assert "33 unless changed" in SETTINGS["mutation_rate"].describe(0.2)
    assert "0.25 times the mutation size" in SETTINGS["late_generation"].describe(33)
    elitist = Elitist(105, 50, 0.7)
    state = elitist.initial_state(0)
    assert "From generation 33 on" in elitist.explain(state, 0) and "noise is 0.175" in elitist.explain(state, 0)
    assert "top 8" in Classic(105, 50, 0.1).explain(None, 1)


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_spelling_of_every_setting_is_read_by_set(name):
    value = {"strategy": "elitist", "layers": "7,9,1", "track": "test"}.get(name)
    if value is None:
        value = str(SETTINGS[name].kind(SETTINGS[name].low + (1 if SETTINGS[name].kind is int else 0.5)))
    for spelling in spellings(name):
        assert canonical(spelling) == name
        assert parse_set(f"5:{spelling}={value}").setting == name
        assert app_options.set_flag(f"5:{spelling}={value}").setting == name


def test_every_alias_names_a_setting_and_the_run_schedules_by_any_spelling():
    assert set(ALIASES.values()) <= set(SETTINGS)
    evolution = Evolution(RunConfig(strategy="classic", seed=1, generations=3), training_track())
    change = evolution.schedule("mutation", 0.5, 2)
    assert change.setting == "mutation_rate" and evolution.setting_value("mutation-rate") == 0.1


@pytest.mark.parametrize(
    ("text", "name", "value"),
    [
        ("elitist:mutation=0.3", "mutation_rate", 0.3),
        ("elitist:mutation_rate=0.3", "mutation_rate", 0.3),
        ("elitist:mutation-rate=0.3", "mutation_rate", 0.3),
        ("snes:tracks=1", "extra_tracks", 1),
        ("snes:extra_tracks=1", "extra_tracks", 1),
        ("snes:extra-tracks=1", "extra_tracks", 1),
        ("classic:seed=4,population=8", "population", 8),
    ],
)
def test_a_spec_reads_every_spelling(text, name, value):
    assert parse_spec(text).settings[name] == value


def test_the_command_line_reads_the_long_and_the_short_names():
    parser = app_options.build_parser()
    assert parser.parse_args(["--extra-tracks", "3"]).extra_tracks == 3
    assert parser.parse_args(["--tracks", "3"]).extra_tracks == 3
    assert parser.parse_args(["--set", "4:mutation=0.5"]).set[0] == SettingEvent(4, "mutation_rate", "", "0.5")


# ---- in the window -------------------------------------------------------------------------------------


def test_h_pauses_while_open_and_gives_back_the_pace_it_found(in_tmp):
    import pygame

    from game.frame_runner import run_frames
    from game.panels import hud

    app = app_for("--seed", "2", "--speed", "8")
    run_frames(app, 3)
    press(app, pygame.K_h)
    assert app.show_help and app.paused
    column = app.view.race.column
    run_frames(app, 10)
    assert app.view.race.column == column  # nothing moves while the help is read
    pages = hud.help_pages(app.screen.get_rect(), app.layout().scale, app.works)
    for page in range(1, pages):  # a window too small for every row turns the help's pages first
        press(app, pygame.K_h)
        assert app.show_help and app.help_page == page and app.paused
    press(app, pygame.K_h)
    assert not app.show_help and not app.paused
    press(app, pygame.K_SPACE)
    for _ in range(pages + 1):
        press(app, pygame.K_h)
    assert not app.show_help and app.paused  # paused before: still paused after


def test_the_help_is_grouped_and_names_the_keys_that_do_nothing_in_the_view(in_tmp):
    from game.keys import GROUPS
    from game.panels import hud

    app = app_for("--seed", "2")
    rows = hud.help_rows(app.works)
    headings = [description for label, description in rows if label == hud.HEADING]
    assert headings == [heading for heading in GROUPS.values() if heading in headings] and len(headings) >= 4
    idle = next(text for label, text in rows if label == "not here")
    assert idle == "V does nothing in this view"  # lanes are for runs side by side; every other key works here
    drive = hud.help_rows(lambda command: command in ("pause", "help", "quit"))
    assert ("not here", next(text for label, text in drive if label == "not here")) in drive
    assert "T, G" in next(text for label, text in drive if label == "not here")
    from game.keys import footer_text

    assert "T test track" in footer_text(app.works) and "T test track" not in footer_text(lambda c: c != "track")


def test_the_caption_changes_as_the_run_goes_and_w_turns_it_off(in_tmp):
    import pygame

    from game.frame_runner import run_frames

    app = app_for("--seed", "1", "--speed", "8")
    clock = [0.0]
    app.caption.clock = lambda: clock[0]  # half a second a frame: the caption's hold counted in frames
    seen = []
    for _ in range(2000):
        run_frames(app, 1)
        clock[0] += 0.5
        text = app.caption.text()
        if text and (not seen or seen[-1] != text):
            seen.append(text)
        # the columns a frame races depend on the machine's load, and so which captions a frame shows: wait for
        # the ones asserted below, not for a count of them
        scored = any(" is scored: best " in text for text in seen)
        if app.view.evolution.generation >= 3 and len(seen) >= 4 and scored:
            break
    assert seen[0] == "Generation 0 starts: 50 dots with random networks try the training track (391 columns). " + (
        "Nobody has learned anything yet, so most crash soon."
    )
    assert len(seen) >= 4 and any(" is scored: best " in text for text in seen)
    press(app, pygame.K_w)
    assert not app.caption.on and app.caption.text() == ""
    press(app, pygame.K_w)
    assert app.caption.on


def test_a_milestone_raises_a_banner_and_marks_the_chart(in_tmp):
    from game.panels.caption import Caption

    clock = [0.0]
    caption = Caption(clock=lambda: clock[0])
    row = stats(12, 100, 1)
    caption.add([narration.race_started(13, 50, "training", 100), narration.first_finisher(row)])
    assert caption.banner_text() == "★ first finisher: generation 12" and caption.text().startswith("First finisher")
    clock[0] = 10.0
    assert caption.banner_text() == ""
    app = app_for("--seed", "2")
    app.view.narrator.milestones["first_finisher"] = 7
    assert [(mark.generation, mark.label) for mark in app.view.milestone_marks()] == [(7, "first finisher")]


# ---- a fresh network is a fresh start --------------------------------------------------------------------


def first_finisher_after(evolution: Evolution, start: int, limit: int = 120) -> int:
    """Generations from `start` until one has a finisher (limit if none)."""
    for _ in range(limit):
        row = evolution.run_generation()
        if row.finished:
            return row.generation - start
    return limit


def elitist_config(seed: int, layers=(7, 8, 4, 1)) -> RunConfig:
    return RunConfig(strategy="elitist", seed=seed, generations=None, extra_tracks=2, mutation_rate=0.7,
                     safety_weight=0.5, layers=layers, test_curve=False)  # fmt: skip


def test_after_a_fresh_network_the_schedule_counts_from_the_change_and_the_words_say_the_noise_in_force():
    evolution = Evolution(elitist_config(5), training_track())
    for _ in range(45):
        evolution.run_generation()
    strategy = evolution.strategy
    assert strategy.late(evolution.state.strategy) and strategy.noise_now(evolution.state.strategy) == 0.7 * 0.3
    evolution.schedule("mutation", 0.2)
    evolution.schedule("layers", "7,8,8,4,1")
    evolution.run_generation()  # generation 45: the fresh network's first
    state, strategy = evolution.state.strategy, evolution.strategy
    assert state.told == 1 and not strategy.late(state) and strategy.noise_now(state) == 0.2
    assert "From generation 85 on" in strategy.explain(state, evolution.generation)  # 45 + late_generation


def test_a_fresh_network_mid_run_learns_as_soon_as_one_at_the_start():
    # held-out seeds (not those the defaults were tuned on): the same shape from the start, and after 45
    # generations of another shape; a schedule that went on counting from the run's start gave the fresh network
    # the late, small noise, and no finisher for 150 generations
    shape = (7, 8, 8, 1)
    at_start, mid_run = [], []
    for seed in (101, 102, 103):
        at_start.append(first_finisher_after(Evolution(elitist_config(seed, shape), training_track()), 0))
        evolution = Evolution(elitist_config(seed), training_track())
        for _ in range(45):
            evolution.run_generation()
        evolution.schedule("layers", ",".join(map(str, shape)))
        mid_run.append(first_finisher_after(evolution, 45))
    assert max(mid_run) < 60 and sum(mid_run) <= 1.5 * sum(at_start) + 15, (at_start, mid_run)


# ---- never frozen ----------------------------------------------------------------------------------------


def test_at_x8_the_track_view_never_stands_still_while_a_generation_closes(in_tmp, monkeypatch):
    # at ×8 the view sat on the finish line for 3.5 s of every 6 while the generation was scored on its extra
    # tracks and its champion test-driven: now that work is named, with a bar that fills. The races run with
    # numpy here (as where numba cannot load), whose closing work is long enough to be seen.
    import hashlib

    import pygame

    from evolution.racing import race_kernel
    from game.frame_runner import run_frames

    monkeypatch.setattr(race_kernel, "usable", lambda *args: False)
    app = app_for("--seed", "2", "--speed", "8")  # elitist: 2 extra tracks, the test drive
    longest, run, last, closing = 0, 0, None, 0
    for _ in range(600):
        run_frames(app, 1)
        view = app.screen.subsurface(app.layout().view)
        digest = hashlib.md5(pygame.image.tobytes(view, "RGB")).hexdigest()
        run = run + 1 if digest == last else 1
        longest, last = max(longest, run), digest
        closing += app.view.run.closing
    assert closing > 30  # the generations did close meanwhile (the case that looked frozen)
    assert longest <= 30


def test_a_closing_generation_says_what_it_does_and_how_far():
    evolution = Evolution(RunConfig(strategy="elitist", seed=4, generations=3, extra_tracks=2), training_track())
    race = evolution.next_race()
    race.run()
    seen = []
    for _ in evolution.close_generation(race, slice_seconds=0.0):
        work = evolution.closing_work()
        if work is not None:
            seen.append(work)
    assert evolution.closing_work() is None
    texts = {text for text, _ in seen}
    assert "generation 0 also races 2 fresh tracks it has never seen" in texts
    assert any("test track" in text for text in texts)
    fractions = [fraction for text, fraction in seen if "fresh" in text]
    assert fractions == sorted(fractions) and all(0 <= fraction <= 1 for fraction in fractions)


# ---- ready-made lessons ------------------------------------------------------------------------------------


def essentials(options) -> list:
    """What decides a run's numbers, of each run the options start (a Track holds arrays: its name stands for it)."""
    return [(run.config, run.track.name, run.keep) for run in (options.compare or (options.run,))]


@pytest.mark.parametrize("name", sorted(__import__("evolution.run.lessons", fromlist=["LESSONS"]).LESSONS))
def test_each_lesson_is_its_own_command_line(name):
    import shlex
    from dataclasses import replace

    from evolution.run.lessons import LESSONS

    lesson = LESSONS[name]
    by_name = app_options.parse(["--lesson", name])
    by_line = app_options.parse(shlex.split(lesson.command_line())[2:])
    assert by_name.window.lesson == name
    assert replace(by_name.window, lesson="") == by_line.window
    assert essentials(by_name) == essentials(by_line)
    card = lesson.card()
    assert card[0] == lesson.title and card[-1].endswith(lesson.command_line())
    if not by_name.compare:  # and the run it starts gives the same rows as the line's
        rows = []
        for options in (by_name, by_line):
            evolution = app_runs.start_evolution(options.run, [])
            rows.append([evolution.run_generation() for _ in range(2)])
        assert [(r.best, r.mean, r.finished) for r in rows[0]] == [(r.best, r.mean, r.finished) for r in rows[1]]


def test_a_flag_after_a_lesson_changes_it_and_a_wrong_lesson_is_one_line():
    from evolution.errors import InputError

    assert app_options.parse(["--lesson", "blog", "--seed", "9"]).run.config.seed == 9
    assert app_options.parse(["--lesson=overfitting"]).run.config.strategy == "classic"
    with pytest.raises(InputError, match="unknown lesson 'nope'; choose blog, overfitting"):
        app_options.parse(["--lesson", "nope"])
    with pytest.raises(InputError, match="twice"):
        app_options.parse(["--lesson", "blog", "--lesson", "blog"])


def test_the_lesson_menu_starts_a_lesson_in_the_window(in_tmp):
    import pygame

    from game.frame_runner import run_frames
    from game.views.lessons import LessonMenu

    app = app_for("--seed", "2", "--speed", "64")
    run_frames(app, 20)
    evolving = app.view
    press(app, pygame.K_F2)
    assert isinstance(app.view, LessonMenu)
    generation = evolving.evolution.generation
    run_frames(app, 5)
    assert evolving.evolution.generation == generation  # the run waits while the menu is open
    press(app, pygame.K_ESCAPE)
    assert app.view is evolving and app.running  # Esc closes the menu, not the window
    press(app, pygame.K_F2)
    press(app, pygame.K_2)  # overfitting
    config = app.view.evolution.config
    assert (config.strategy, config.seed, config.extra_tracks) == ("classic", 4, 0)
    assert app.card is not None and app.card[0].startswith("Overfitting") and app.speed == 8
    assert any(path.suffix == ".json" for path in in_tmp.rglob("*"))  # the old run's best kept
    press(app, pygame.K_SPACE)
    assert app.card is None


def test_a_lesson_started_after_a_restart_hands_back_the_restarted_run(in_tmp):
    """The window's way out writes --checkpoint and --save from the run the lesson replaced: after R, the new one."""
    import pygame

    from game.views.lessons import start_lesson

    app = app_for("--seed", "2", "--population", "10")
    opened = app.view.evolution
    press(app, pygame.K_r)
    press(app, pygame.K_r)  # confirmed
    restarted = app.view.evolution
    assert restarted is not opened
    start_lesson(app, "blog", app.view)
    assert app.view.evolution not in (opened, restarted) and app.view.run_evolving() is restarted
    app.view.close()


def test_a_comparison_says_each_runs_milestones_with_its_name(in_tmp):
    app = app_for("--compare", "classic", "elitist", "--seed", "1")
    view = app.view
    row = stats(6, 100, 30)
    view.narrators[1].watch = lambda *args: [narration.half_finish(row, 50)]
    view.narrators[1].milestones["half_finish"] = 6
    view.narrate()
    assert app.caption.banner_text() == "★ elitist · half finish: generation 6"
    assert app.caption.text().startswith("elitist: Half the dots finish!")
    assert [(mark.generation, mark.label) for mark in view.runs_milestones()] == [(6, "elitist half finish")]


def test_the_panel_says_the_noise_in_force_when_the_schedule_makes_it_smaller():
    from game.panels import lab_actions

    evolution = Evolution(
        RunConfig(
            strategy="elitist", extra_tracks=0, seed=1, generations=5, mutation_rate=0.7, knobs={"late_generation": 2}
        ),
        training_track(),
    )
    caption = next(row.caption for row in lab_actions.rows(evolution) if row.name == "mutation_rate")
    assert "in force" not in caption
    for _ in range(3):
        evolution.run_generation()
    caption = next(row.caption for row in lab_actions.rows(evolution) if row.name == "mutation_rate")
    assert caption.endswith(f"in force now: {0.7 * Elitist.LATE_NOISE:g}")


# ---- then and now --------------------------------------------------------------------------------------------


def test_generation_5_is_kept_whole_and_replays_with_all_its_dots_equal_to_the_history():
    from evolution.run.time_machine import replay

    evolution = Evolution(RunConfig(strategy="classic", seed=2, generations=None), training_track())
    for _ in range(32):
        evolution.run_generation()
    archive = evolution.state.archive
    kept = set(archive.populations)
    assert set(range(11)) | {20, 30} <= kept  # the first generations and every tenth
    assert not {13, 14} & (kept - archive.records)  # others only while recent (or records)
    again = replay(evolution, 5)
    assert again.whole and again.race.count == 50
    again.race.run()
    assert again.verdict()[0] is True  # best, mean and finished equal the history's row
    assert archive.populations[5].shape == (50, evolution.network.genome_size)


def test_the_landmarks_stay_within_their_bound(monkeypatch):
    from evolution.run import archive as archive_module
    from evolution.run.archive import Archive

    monkeypatch.setattr(archive_module, "LANDMARK_ROWS", 100)
    archive = Archive()
    rng = np.random.default_rng(0)
    for generation in range(60):
        genomes = rng.standard_normal((30, 4))
        archive.keep(generation, genomes, np.arange(30), np.full(30, 5 + generation), "training")
    landmark_rows = sum(len(archive.populations[g]) for g in archive.landmarks)
    assert landmark_rows <= 100 + 30  # the bound (the first always kept), and no more
    assert {0, 1, 2} <= archive.landmarks and 59 in archive.populations


def test_y_races_generation_5_beside_the_latest_in_labelled_lanes(in_tmp):
    import pygame

    from game.frame_runner import run_frames
    from game.views.then_and_now import ThenAndNow

    app = app_for("--seed", "2", "--speed", "turbo", "--strategy", "classic")
    while app.view.evolution.generation < 12:
        run_frames(app, 1)
    evolving = app.view
    press(app, pygame.K_y)
    view = app.view
    assert isinstance(view, ThenAndNow) and view.generations == (5, len(evolving.evolution.history) - 1)
    assert view.scene.names == ["generation 5", f"generation {view.generations[1]}"] and view.scene.lanes
    assert [race.count for race in view.races] == [50, 50]
    assert app.caption.text().startswith("Then and now: all 50 dots of generation 5 race beside all 50")
    generation = evolving.evolution.generation
    clock = [app.caption.clock()]
    app.caption.clock = lambda: clock[0]  # a second a frame: the caption's hold counted in frames
    for _ in range(200):
        run_frames(app, 1)
        clock[0] += 1.0
        if all(race.done for race in view.races):
            break
    run_frames(app, 4)
    clock[0] += 4.0
    run_frames(app, 2)  # the next drawn frame's update picks the caption (turbo draws one frame in two)
    assert "Lap over:" in app.caption.text() and evolving.evolution.generation == generation  # the run waits
    press(app, pygame.K_y)
    assert app.view is evolving


# ---- point and learn ---------------------------------------------------------------------------------------


def hover(app, position) -> str | None:
    import pygame

    from game.frame_runner import run_frames

    motion = pygame.event.Event(pygame.MOUSEMOTION, pos=position, rel=(0, 0), buttons=(0, 0, 0))
    run_frames(app, 1, lambda frame: [motion] if frame == 0 else [])
    return app.view.point_at(app.pointer, app.layout())


def test_pointing_at_a_neuron_an_input_a_weight_a_chart_point_or_a_dot_says_what_it_is_and_its_value(in_tmp):
    from game.frame_runner import run_frames

    app = app_for("--seed", "2", "--speed", "2")
    run_frames(app, 120)
    app.paused = True
    run_frames(app, 1)
    view = app.view
    race, dot = view.shown_race, view.scene.followed
    values = race.network.activations(race.genomes[dot][None], race.inputs_of(dot)[None])
    nodes = view.network.node_centres(app.layout().network, app.layout().scale)
    x, y = nodes[0][3]
    assert hover(app, (int(x), int(y))) == f"input: top barrier, 5 ahead: {values[0][0][3]:+.2f} now (the dot's " + (
        "height minus the barrier's)"
    )
    x, y = nodes[1][2]
    assert (
        hover(app, (int(x), int(y))) == f"hidden neuron 3 of layer 1: {values[1][0][2]:.2f} now (0 silent, 1 fully on)"
    )
    x, y = nodes[-1][0]
    assert hover(app, (int(x), int(y))).startswith(f"output: {values[-1][0][0]:.2f} now, a steering force of")
    (x0, y0), (x1, y1) = nodes[2][0], nodes[3][0]  # the weight from the last hidden layer's first neuron
    weights = race.network.unpack(race.genomes[dot][None])[2][0][0]
    said = hover(app, (int((x0 + x1) / 2), int((y0 + y1) / 2)))
    assert said.startswith("weight from hidden neuron") and f"{weights[0, 0]:+.2f}" in said
    from game.panels.timeline import generation_at

    layout = app.layout()
    raced = len(view.evolution.history)
    x = next(
        x
        for x in range(layout.chart.x, layout.chart.right)
        if generation_at(layout.chart, view.chart.time_axis, (x, layout.chart.centery), raced) == 0
    )
    row = view.evolution.history.row(0)
    assert hover(app, (x, layout.chart.centery)).startswith(f"generation 0: best {row.best} of {row.finish} (")
    from game.drawing.track_view import dot_screen_positions

    xs, ys = dot_screen_positions(view.scene.camera, race)
    said = hover(app, (int(xs[dot]), int(ys[dot])))
    assert said.startswith("dot #") and "in place" in said and "of 50" in said


def test_a_ghost_never_hides_the_leader_or_its_label(in_tmp, monkeypatch):
    import pygame

    from game.drawing import palette
    from game.drawing.track_view import DOT_RADIUS, dot_screen_positions
    from game.frame_runner import run_frames
    from game.views import time_controls

    def opaque_ghosts(surface, camera, ghosts, scale):  # the worst ghost: one that covers the whole track view
        surface.fill(palette.TEXT_DIM, camera.view)

    monkeypatch.setattr(time_controls, "draw_ghosts", opaque_ghosts)
    app = app_for("--seed", "3", "--speed", "2")
    run_frames(app, 5)
    view = app.view
    while view.evolution.generation < 2:
        run_frames(app, 5)
    press(app, pygame.K_LEFTBRACKET)
    press(app, pygame.K_o)  # the selected generation's champion races as a ghost from the next race on
    while view.time_machine.race is None or view.shown_race.column < 5:
        run_frames(app, 1)
    app.paused = True
    app.caption.on = False
    run_frames(app, 1)
    race = view.shown_race
    leader = view.scene._leader
    assert race.alive[leader]
    xs, ys = dot_screen_positions(view.scene.camera, race)
    scale = app.layout().scale
    ring = (int(xs[leader]) + scale.px(DOT_RADIUS + 5), int(ys[leader]))
    near = [app.screen.get_at((ring[0] + dx, ring[1] + dy))[:3] for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    assert palette.ACCENT in near
