"""The lab: settings changed as a run goes, recorded, and replayed exactly (logs, checkpoints, genome files)."""

from __future__ import annotations

import copy
import json
import shlex
import zipfile

import numpy as np
import pytest

import main
from app import options as app_options
from evolution.breeding.strategies import STRATEGIES
from evolution.errors import InputError
from evolution.files.checkpoint import load_checkpoint, save_checkpoint
from evolution.racing.track import training_track
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.genome_file import load_genomes, save_genomes
from evolution.run.lab import run_line
from evolution.run.reporters import CsvLog
from evolution.run.settings import SETTINGS, current_value, format_value, settings_table
from tests.helpers import DATA, assert_same_rows, log_rows, refusal, run_cli

CHANGES = [(5, "mutation_rate", 0.5), (10, "population", 24), (15, "strategy", "snes")]
COMMON = ["--headless", "--seed", "4", "--strategy", "elitist", "--population", "16", "--tracks", "1"]


def config(**changes) -> RunConfig:
    base = {"strategy": "elitist", "seed": 4, "population": 16, "generations": 20, "extra_tracks": 1}
    return RunConfig(**{**base, **changes})  # the rest: the strategy's defaults


def check(evolution: Evolution) -> None:
    c = evolution.config
    evolution.state.check(evolution.strategy, c.extra_tracks, c.test_curve, c.generations)


def api_run(log, stop_at: int | None = None, checkpoint=None) -> Evolution:
    """The elitist run of COMMON to generation 20 with CHANGES scheduled through the API, logged to log;
    with stop_at, checkpointed there and resumed from the checkpoint in a new Evolution."""
    first = config()
    track = training_track()
    evolution = Evolution(first, track, [CsvLog(log, run_line=run_line(first, track.name))])
    for generation, name, value in CHANGES:
        evolution.schedule(name, value, generation)
    while not evolution.raced_all:
        evolution.run_generation()
        check(evolution)
        if stop_at is not None and evolution.generation == stop_at:
            save_checkpoint(checkpoint, evolution.config, evolution.track, evolution.state)
            for reporter in evolution.reporters:
                reporter.close()
            resumed = load_checkpoint(checkpoint)
            assert [e.generation for e in resumed.state.scheduled] == [10, 15]  # still to come
            log_line = run_line(first, track.name)
            evolution = resumed.evolution(
                [CsvLog(log, continue_at=resumed.state.reported, run_line=log_line, events=resumed.state.events)]
            )
            stop_at = None
    evolution.finish_test_drives_now()
    for reporter in evolution.reporters:
        reporter.close()
    return evolution


def test_a_run_changed_through_the_api_replays_from_its_log_with_the_same_rows(tmp_path):
    log, replayed = tmp_path / "run.csv", tmp_path / "replayed.csv"
    evolution = api_run(log)
    lines = log.read_text().splitlines()
    assert lines[0].startswith("# neuroracer run: --seed 4 --strategy elitist --population 16")
    assert lines[1] == "generation,best,mean,median,finished,seconds,test_best"
    marks = [line for line in lines if line.startswith("# set")]
    assert marks == [
        "# set 5 mutation_rate 0.7 -> 0.5",
        "# set 10 population 16 -> 24",
        "# set 15 strategy elitist -> snes",
    ]
    assert [e.log_text() for e in evolution.state.events] == [m[2:] for m in marks]
    assert evolution.config.population == 24 and evolution.config.strategy == "snes"
    assert main.main(["--headless", "--replay", str(log), "--log", str(replayed)]) == 0
    assert log_rows(replayed) == log_rows(log) and len(log_rows(log)) == 21
    assert [line for line in replayed.read_text().splitlines() if line.startswith("#")] == [lines[0], *marks]


def test_the_same_through_a_checkpoint_and_resume(tmp_path):
    straight, split = tmp_path / "straight.csv", tmp_path / "split.csv"
    api_run(straight)
    evolution = api_run(split, stop_at=8, checkpoint=tmp_path / "run.npz")
    assert log_rows(split) == log_rows(straight)
    assert [e.generation for e in evolution.state.events] == [5, 10, 15]
    assert main.main(["--headless", "--replay", str(split)]) == 0
    assert main.main(["--headless", "--replay", str(tmp_path / "run.npz")]) == 0  # its 8 generations


def test_the_one_command_line_reproduces_the_run(tmp_path):
    log, again = tmp_path / "run.csv", tmp_path / "again.csv"
    evolution = api_run(log)
    line = evolution.command_line()
    assert line.startswith("python main.py --headless --seed 4 --strategy elitist --population 16 ")
    assert "--set 5:mutation_rate=0.5 --set 10:population=24 --set 15:strategy=snes --generations 20" in line
    assert main.main([*shlex.split(line)[2:], "--log", str(again)]) == 0
    assert log_rows(again) == log_rows(log)


def test_set_gives_the_same_rows_as_the_api_and_survives_a_resume(tmp_path):
    api, flags, split, checkpoint = (tmp_path / name for name in ("api.csv", "set.csv", "split.csv", "c.npz"))
    api_run(api)
    sets = ["--set", "15:strategy=snes", "--set", "5:mutation_rate=0.5", "--set", "10:population=24"]
    assert main.main([*COMMON, *sets, "--generations", "20", "--log", str(flags)]) == 0
    assert log_rows(flags) == log_rows(api)
    assert [line for line in flags.read_text().splitlines() if line.startswith("#")] == [
        line for line in api.read_text().splitlines() if line.startswith("#")
    ]
    # scheduled changes not yet applied travel in the checkpoint: the resumed run needs no --set
    assert main.main([*COMMON, *sets, "--generations", "7", "--log", str(split), "--checkpoint", str(checkpoint)]) == 0
    assert main.main(["--headless", "--resume", str(checkpoint), "--generations", "20", "--log", str(split)]) == 0
    assert log_rows(split) == log_rows(api)
    assert main.main(["--headless", "--replay", str(split)]) == 0


def test_a_genome_file_records_its_run_and_replays_to_the_same_genomes(tmp_path):
    saved = tmp_path / "best.json"
    sets = ["--set", "3:population=20", "--set", "6:tournament=5"]
    assert main.main([*COMMON, *sets, "--generations", "8", "--save", str(saved)]) == 0
    record = load_genomes(saved)
    assert record.settings["seed"] == 4 and record.settings["population"] == 16
    assert [e.log_text() for e in record.events] == ["set 3 population 16 -> 20", "set 6 tournament 3 -> 5"]
    assert main.main(["--headless", "--replay", str(saved)]) == 0
    document = json.loads(saved.read_text())
    document["genomes"][0]["weights"][0] += 1e-9
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(document))
    refused = run_cli("--headless", "--replay", str(edited))
    assert refused.returncode == 2 and "the replay's best genomes differ from the saved ones" in refused.stderr


def test_genome_files_without_the_run_still_load_and_bad_records_are_refused(tmp_path):
    evolution = Evolution(config(generations=2, population=10), training_track())
    while not evolution.raced_all:
        evolution.run_generation()
    path = save_genomes(tmp_path / "b.json", evolution.best(5))
    document = json.loads(path.read_text())
    plain = {k: v for k, v in document.items() if k not in ("settings", "events")}
    (tmp_path / "plain.json").write_text(json.dumps(plain))
    assert load_genomes(tmp_path / "plain.json").settings is None
    with pytest.raises(InputError, match="saved before the lab"):
        app_options.parse(["--headless", "--replay", str(tmp_path / "plain.json")])
    bad = {
        "only one": {**plain, "settings": document["settings"]},
        "bad seed": {**document, "settings": {**document["settings"], "seed": -1}},
        "bad event": {**document, "events": [{"generation": 1, "setting": "nope", "old": "1", "new": "2"}]},
        "out of range": {**document, "events": [{"generation": 1, "setting": "population", "old": "1", "new": "2"}]},
    }
    for name, broken in bad.items():
        (tmp_path / "bad.json").write_text(json.dumps(broken))
        with pytest.raises(InputError):
            load_genomes(tmp_path / "bad.json")
            pytest.fail(name)


@pytest.fixture(scope="module")
def good_log(tmp_path_factory):
    path = tmp_path_factory.mktemp("lab") / "good.csv"
    sets = ["--set", "2:mutation_rate=0.5", "--set", "4:population=12"]
    assert main.main([*COMMON, *sets, "--generations", "6", "--log", str(path)]) == 0
    return path


@pytest.mark.parametrize(
    "edit, expected",
    [
        (("set 4 population 16 -> 12", "set 4 populace 16 -> 12"), "{line}: unknown setting 'populace'"),
        (("set 4 population 16 -> 12", "set 4 population 16 -> 1"), "{line}: population: 1 is out of range"),
        (("set 4 population 16 -> 12", "set 1 population 16 -> 12"), "{line}: generation 1 is out of order"),
        (("set 4 population 16 -> 12", "set 4 population 15 -> 12"), "{line}: this change does not fit the run"),
        (("set 4 population 16 -> 12", "set 4 mean_rate 1.0 -> 0.5"), "{line}: mean_rate cannot be changed for"),
        (("\n3,", "\n3,1"), "the row of generation 3 does not match the replay (best"),
        (("# neuroracer run: --seed 4", "# neuroracer run: --seed 5"), "does not match the replay"),
        (("--population 16", "--population x"), "line 1: --population"),
        (("# neuroracer run:", "# some run:"), "line 1: no '# neuroracer run:' line"),
    ],
)
def test_an_edited_or_impossible_log_is_refused_with_one_line_naming_it(tmp_path, capsys, good_log, edit, expected):
    text = good_log.read_text()
    assert edit[0] in text
    edited = tmp_path / "edited.csv"
    edited.write_text(text.replace(edit[0], edit[1], 1))
    number = 1 + next(i for i, line in enumerate(text.splitlines()) if edit[0].strip() in line)
    line = refusal(capsys, "--headless", "--replay", str(edited))
    assert expected.format(line=f"line {number}") in line and str(edited) in line


def test_a_row_that_does_not_match_names_its_line(tmp_path, capsys, good_log):
    lines = good_log.read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("5,"))
    fields = lines[number].split(",")
    fields[4] = str(int(fields[4]) + 1)  # finished
    lines[number] = ",".join(fields)
    edited = tmp_path / "edited.csv"
    edited.write_text("\n".join(lines) + "\n")
    line = refusal(capsys, "--headless", "--replay", str(edited))
    assert f"line {number + 1}: the row of generation 5 does not match the replay (finished" in line


@pytest.mark.parametrize(
    "value, expected",
    [
        ("5:nonsense=1", "unknown setting 'nonsense'"),
        ("5:mutation_rate=101", "mutation_rate: 101 is out of range"),
        ("5:population=abc", "population: 'abc' is not a whole number"),
        ("5:layers=6,4,1", "layers: a network has 7 inputs and 1 output"),
        ("five:population=3", "expected GENERATION:SETTING=VALUE"),
        ("5:tournament=4", "tournament cannot be changed for snes"),
        ("5:mutation_rate=0.2", "mutation_rate cannot be changed for snes: snes adapts its own step size"),
    ],
)
def test_a_bad_set_is_refused_with_one_line(capsys, value, expected):
    line = refusal(capsys, "--headless", "--strategy", "snes", "--set", value)
    assert expected in line


def test_set_is_checked_against_the_strategy_of_its_time(capsys):
    line = refusal(capsys, "--headless", "--set", "3:strategy=snes", "--set", "5:elite_share=0.3")
    assert "--set 5:elite_share=0.3: elite_share cannot be changed for snes" in line
    parsed = app_options.parse(
        ["--headless", "--strategy", "snes", "--set", "3:strategy=elitist", "--set", "5:tournament=5"]
    )
    assert [c.flag() for c in parsed.run.scheduled] == ["3:strategy=elitist", "5:tournament=5"]


def test_replay_refuses_flags_that_would_change_the_run(capsys, good_log):
    line = refusal(capsys, "--headless", "--replay", str(good_log), "--population", "10")
    assert "--population cannot be given with --replay" in line


def test_set_with_resume_must_be_for_a_generation_not_yet_bred(tmp_path, capsys):
    checkpoint = tmp_path / "c.npz"
    assert main.main([*COMMON, "--generations", "4", "--checkpoint", str(checkpoint)]) == 0
    line = refusal(capsys, "--headless", "--resume", str(checkpoint), "--set", "2:population=20")
    assert "generation 2 has already been bred (the next is 5)" in line


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_a_run_without_changes_logs_what_it_logged_before_the_lab(tmp_path, strategy):
    log = tmp_path / "run.csv"
    flags = ["--headless", "--seed", "7", "--strategy", strategy, "--population", "20", "--tracks", "1"]
    assert main.main([*flags, "--generations", "10", "--log", str(log)]) == 0
    # (elitist's file was made again when its defaults changed: noise 0.7, a first spread of ±3, half the
    # noise from generation 40)
    assert log_rows(log) == log_rows(DATA / f"no_events_{strategy}.csv")
    assert log.read_text().splitlines()[0].startswith("# neuroracer run: ")


NEW_VALUES = {
    "mutation_rate": 0.55,
    "population": 13,
    "extra_tracks": 2,
    "safety_weight": 0.25,
    "layers": (7, 5, 1),
    "elite_share": 0.4,
    "late_elite_share": 0.7,
    "late_generation": 3,
    "tournament": 5,
    "mean_rate": 0.5,
    "spread_rate": 0.2,
    "track": "random:5",
}
PAIRS = [(name, strategy) for name, spec in SETTINGS.items() for strategy in spec.strategies]


@pytest.mark.parametrize("name, strategy", PAIRS)
def test_every_setting_works_for_every_strategy_that_lists_it(tmp_path, name, strategy):
    other = {"classic": "elitist", "elitist": "snes", "snes": "classic"}[strategy]
    value = other if name == "strategy" else NEW_VALUES[name]
    evolution = Evolution(config(strategy=strategy, population=10, generations=6), training_track())
    for _ in range(2):
        evolution.run_generation()
    race = evolution.next_race()  # generation 2 is under way: the change waits for generation 3
    evolution.schedule(name, value)
    assert evolution.state.scheduled[0].generation == 3
    race.run()
    evolution.close_generation_now(race)
    assert not evolution.state.events
    while not evolution.raced_all:
        evolution.run_generation()
        check(evolution)
        if evolution.generation == 5:  # a checkpoint taken after the change round-trips, and goes on the same
            save_checkpoint(tmp_path / "c.npz", evolution.config, evolution.track, evolution.state)
            twin = load_checkpoint(tmp_path / "c.npz").evolution()
            assert twin.state.events == evolution.state.events and twin.config == evolution.config
    (event,) = evolution.state.events
    assert (event.generation, event.setting, event.new) == (3, name, format_value(name, value))
    assert evolution.setting_value(name) == value
    if name != "track":
        assert current_value(evolution.config, evolution.strategy, name) == value
    while not twin.raced_all:
        twin.run_generation()
    assert_same_rows(twin, evolution)
    assert np.array_equal(twin.state.ranked_genomes, evolution.state.ranked_genomes)


@pytest.mark.parametrize("name", [name for name, spec in SETTINGS.items() if len(spec.strategies) < 3])
def test_a_setting_a_strategy_does_not_have_is_refused_saying_why(name):
    for strategy in set(STRATEGIES) - set(SETTINGS[name].strategies):
        evolution = Evolution(config(strategy=strategy, population=10), training_track())
        with pytest.raises(ValueError, match=f"{name} cannot be changed for {strategy}: "):
            evolution.schedule(name, NEW_VALUES[name], 1)
        assert not evolution.state.scheduled


def test_population_changes_keep_the_best_and_fill_deterministically():
    evolution = Evolution(config(population=10, generations=3), training_track())
    evolution.run_generation()
    ranked = evolution.state.strategy.ranked.copy()
    evolution.schedule("population", 14)
    evolution.next_race()
    grown = evolution.state.strategy.ranked
    assert grown.shape == (14, ranked.shape[1]) and np.array_equal(grown[:10], ranked)
    assert not np.isin(grown[10:], ranked).all(axis=1).any()  # the new ones are mutated copies
    again = Evolution(config(population=10, generations=3), training_track())
    again.run_generation()
    again.schedule("population", 14)
    assert np.array_equal(again.next_race().genomes, evolution.state.pending)


def test_a_shape_change_starts_afresh_and_drives_the_waiting_champions_first():
    evolution = Evolution(config(population=10, generations=6), training_track())
    for _ in range(3):
        evolution.run_generation()
    evolution.schedule("layers", "7,6,1")
    evolution.next_race()
    assert evolution.state.reported == 3  # every champion of the old shape was driven and reported
    assert evolution.state.ranked_genomes is None and evolution.state.fresh_since == 3
    assert evolution.state.pending.shape == (10, 7 * 6 + 6 + 6 + 1)
    check(evolution)
    while not evolution.raced_all:
        evolution.run_generation()
        check(evolution)
    assert evolution.best(3).layers == (7, 6, 1)


def test_a_change_at_generation_0_is_the_same_as_the_flag(tmp_path):
    flagged, changed = tmp_path / "flag.csv", tmp_path / "set.csv"
    common = ["--headless", "--seed", "4", "--generations", "3", "--tracks", "2"]
    assert main.main([*common, "--strategy", "snes", "--population", "12", "--log", str(flagged)]) == 0
    sets = ["--set", "0:population=12", "--set", "0:strategy=snes"]
    assert main.main([*common, "--strategy", "elitist", "--population", "16", *sets, "--log", str(changed)]) == 0
    assert log_rows(changed) == log_rows(flagged)


def test_a_checkpoint_written_before_the_lab_still_resumes(tmp_path):
    path = tmp_path / "old.npz"
    path.write_bytes((DATA / "checkpoint_v2_elitist.npz").read_bytes())
    with zipfile.ZipFile(path) as archive:
        header = json.loads(np.frombuffer(archive.read("header.npy")[128:], dtype=np.uint8).tobytes())
    assert "events" not in header["state"]
    checkpoint = load_checkpoint(path)
    assert checkpoint.state.events == [] and checkpoint.state.generation == 4
    evolution = checkpoint.evolution()
    evolution.schedule("mutation_rate", 0.2)
    evolution.run_generation()
    assert [e.log_text() for e in evolution.state.events] == ["set 4 mutation_rate 0.3 -> 0.2"]


def test_a_log_written_before_the_lab_is_continued_and_gains_its_run_line(tmp_path):
    old = tmp_path / "old.csv"
    old.write_text((DATA / "no_events_classic.csv").read_text())
    log = CsvLog(old, continue_at=5, run_line="neuroracer run: --seed 7")
    log.close()
    lines = old.read_text().splitlines()
    assert lines[0] == "# neuroracer run: --seed 7" and lines[1].startswith("generation,")
    assert [line.split(",")[0] for line in lines[2:]] == ["0", "1", "2", "3", "4"]


def test_the_settings_table_is_data_for_a_panel():
    table = {row["name"]: row for row in settings_table()}
    assert set(table) == set(SETTINGS)
    assert table["tournament"]["strategies"] == ("elitist",) and table["population"]["low"] == 2
    assert SETTINGS["elite_share"].describe(0.2) == "the best 20% are copied unchanged (before the late generation)"
    assert all(row["caption"] for row in table.values())
    evolution = Evolution(config(strategy="snes"), training_track())
    now = {row["name"]: row for row in evolution.settings()}
    assert now["population"]["value"] == 16 and now["population"]["text"] == "16 genomes race each generation"
    assert now["mean_rate"]["changeable"] and now["mean_rate"]["value"] == 1.0
    assert not now["tournament"]["changeable"] and now["tournament"]["value"] is None
    assert "tournament 1..1000, elitist only" in " ".join(run_cli("--help").stdout.split())


def test_a_change_scheduled_while_a_race_is_under_way_waits_and_the_state_copies_cleanly():
    evolution = Evolution(config(population=10, generations=3), training_track())
    evolution.run_generation()
    evolution.next_race()
    assert evolution.next_change_generation == 2
    with pytest.raises(ValueError, match="generation 1 has already been bred"):
        evolution.schedule("mutation_rate", 0.2, 1)
    change = evolution.schedule("mutation_rate", 0.2)
    assert change.generation == 2 and copy.deepcopy(evolution.state).scheduled == [change]
    assert evolution.cancel(change) == [change] and not evolution.state.scheduled


def test_set_in_the_window_gives_the_headless_rows(tmp_path):
    window, headless = tmp_path / "window.csv", tmp_path / "headless.csv"
    sets = ["--set", "2:mutation_rate=0.5", "--set", "4:population=12", "--set", "6:strategy=classic"]
    flags = [*COMMON[1:], *sets, "--generations", "8"]
    assert main.main(["--headless", *flags, "--log", str(headless)]) == 0
    result = run_cli(*flags, "--speed", "turbo", "--frames", "900", "--log", str(window))
    assert result.returncode == 0, result.stderr
    assert log_rows(window) == log_rows(headless)[: len(log_rows(window))] and len(log_rows(window)) >= 5
    assert "# set 6 strategy elitist -> classic" in window.read_text()


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_a_checkpoint_taken_mid_race_just_after_a_population_change_resumes_exactly(tmp_path, strategy):
    def started() -> Evolution:
        evolution = Evolution(config(strategy=strategy, population=10, generations=6), training_track())
        evolution.schedule("population", 7, 2)
        evolution.schedule("extra_tracks", 2, 2)
        return evolution

    straight = started()
    while not straight.raced_all:
        straight.run_generation()
    interrupted = started()
    for _ in range(2):
        interrupted.run_generation()
    interrupted.next_race().run(max_steps=5)  # generation 2, the first of 7 genomes, is under way
    assert interrupted.state.ranked_genomes.shape[0] == 10 and interrupted.state.pending.shape[0] == 7
    check(interrupted)
    save_checkpoint(tmp_path / "mid.npz", interrupted.config, interrupted.track, interrupted.state)
    resumed = load_checkpoint(tmp_path / "mid.npz").evolution()
    assert resumed.setting_value("population") == 7 and resumed.setting_value("extra_tracks") == 2
    while not resumed.raced_all:
        resumed.run_generation()
    assert_same_rows(resumed, straight)
    assert np.array_equal(resumed.state.best_ever_genomes, straight.state.best_ever_genomes)
