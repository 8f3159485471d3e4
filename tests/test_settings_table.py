"""The settings table (evolution/run/settings.py RUN_SETTINGS) is the one definition of a run's settings: the command
line's flags, --set, --help, --compare's SPECs, --study, RunConfig, the record of a run's start, the settings panel
and the docs' tables are made from it or agree with it. A setting added to the table without its flag (or --set),
its docs row, or its RunConfig field fails here; so does a flag, a field or a docs row that says otherwise."""

from __future__ import annotations

import argparse
import ast
import dataclasses
import re
from pathlib import Path

import pytest

from app import options as app_options
from evolution.breeding.strategies import STRATEGIES
from evolution.files.plots import read_log
from evolution.many import study
from evolution.racing.track import blog_test_track, training_track
from evolution.run import settings as settings_module
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.lab import run_line
from evolution.run.reporters import LOG_HEADER, run_identity
from evolution.run.settings import (
    RUN_SETTINGS,
    SETTINGS,
    START_RECORD,
    START_SETTINGS,
    help_text,
    knob_names,
    parse_set,
    spellings,
    strategy_defaults,
)
from evolution.run.specs import SPEC_SETTINGS, parse_spec
from evolution.run.start_record import from_line, read_leniently, start_values
from tests.helpers import ROOT

FLAGGED = [spec for spec in RUN_SETTINGS.values() if spec.flags]
NUMBERS = [spec for spec in RUN_SETTINGS.values() if spec.kind in (int, float)]


def doc_table(path: Path, header: str) -> list[list[str]]:
    """The rows of the Markdown table under `header` (its first line), each a list of its cells."""
    lines = path.read_text().splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return rows


def parser_actions() -> dict[str, argparse.Action]:
    return {option: action for action in app_options.build_parser()._actions for option in action.option_strings}


def a_value(spec):
    """One value of a setting: its default (the first strategy's, if its own), else its low end; a track's name."""
    if spec.kind == "track":
        return "test"
    if spec.by_strategy:
        return spec.default_for(spec.strategies[0])
    return spec.default if spec.default is not None else spec.low


def one_step_out(spec) -> list[str]:
    """Values just outside a number setting's range, as texts."""
    step = 1 if spec.kind is int else 1e-9 * max(1.0, abs(spec.high))
    return [repr(spec.kind(spec.low - step)), repr(spec.kind(spec.high + step))]


def test_the_table_is_whole_and_its_live_part_is_settings():
    assert dict(RUN_SETTINGS) == {**{spec.name: RUN_SETTINGS[spec.name] for spec in START_SETTINGS}, **SETTINGS}
    assert list(SETTINGS) == [name for name, spec in RUN_SETTINGS.items() if spec.live]
    assert not any(spec.live for spec in START_SETTINGS)
    assert set(knob_names()) <= set(SETTINGS)  # each strategy's knobs, from its class
    for name, spec in RUN_SETTINGS.items():
        assert spec.name == name and spec.caption and set(spec.strategies) <= set(STRATEGIES), name
        assert spec.kind in (int, float, bool, "strategy", "layers", "track"), name
        if spec.kind in (int, float):
            assert spec.low is not None and spec.low <= spec.high, name
        if spec.by_strategy:  # the strategy's own default: every strategy has one, and it is a value of the setting
            for strategy in STRATEGIES:
                spec.check(getattr(STRATEGIES[strategy], spec.by_strategy))
        elif name not in knob_names():  # (a knob's default is its strategy's own)
            spec.check(spec.default)


def test_every_setting_is_reached_from_the_command_line():
    """A flag, or --set for a live setting; a setting that is neither says why not (no_flag)."""
    for spec in RUN_SETTINGS.values():
        assert spec.flags or spec.live or spec.no_flag, f"{spec.name} has no flag, is not live and says not why"
        assert not (spec.flags and spec.no_flag), spec.name
        for flag in spec.flags:
            assert flag.startswith("--") and flag[2:].replace("-", "_") in spellings(spec.name), (spec.name, flag)


@pytest.mark.parametrize("spec", FLAGGED, ids=lambda spec: spec.name)
def test_each_flag_is_the_tables(spec):
    actions = parser_actions()
    action = actions[spec.flags[0]]
    assert all(actions[flag] is action for flag in spec.flags)
    assert action.dest == spec.name and action.default is None  # not given: the table's default, in RunConfig
    words = " ".join(action.help.replace("%%", "%").split())
    assert spec.flag_help() in words and f"default {spec.default_text()}" in words, words
    if spec.kind in (int, float, "layers"):
        assert spec.range_text() in words, words
    if spec.kind is bool:
        assert isinstance(action, argparse.BooleanOptionalAction)
    elif spec.kind == "strategy":
        assert sorted(action.choices) == sorted(STRATEGIES)
    elif spec.kind != "track":
        assert action.metavar == spec.metavar and action.type(spec.format(a_value(spec))) == a_value(spec)
    if spec.kind in (int, float):
        assert action.type(repr(spec.low)) == spec.low and action.type(repr(spec.high)) == spec.high
        for text in one_step_out(spec):
            with pytest.raises(argparse.ArgumentTypeError, match="out of range"):
                action.type(text)


@pytest.mark.parametrize("spec", FLAGGED, ids=lambda spec: spec.name)
def test_a_flag_out_of_range_gives_one_line_and_exit_2(spec, capsys):
    if spec.kind not in (int, float):
        pytest.skip("no numeric range")
    for text in one_step_out(spec):
        with pytest.raises(SystemExit) as stopped:
            app_options.parse(["--headless", f"{spec.flags[0]}={text}"])
        err = capsys.readouterr().err
        assert stopped.value.code == 2 and err.count("\n") == 1, err
        assert f"argument {'/'.join(spec.flags)}" in err and f"out of range ({spec.range_text()})" in err


def test_set_and_its_help_are_the_live_settings():
    words = " ".join(app_options.build_parser().format_help().split())
    listed = help_text()
    for spec in RUN_SETTINGS.values():
        value = a_value(spec)
        if not spec.live:  # fixed when the run starts: --set refuses it, by any spelling
            for spelled in spellings(spec.name):
                with pytest.raises(ValueError, match="unknown setting"):
                    parse_set(f"3:{spelled}={spec.format(value)}")
            assert not re.search(rf"\b{spec.name}\b", listed)
            continue
        for spelled in spellings(spec.name):
            assert parse_set(f"3:{spelled}={spec.format(value)}").setting == spec.name
        span = f" {spec.kind(spec.low)}..{spec.kind(spec.high)}" if spec.low is not None else ""
        assert f"{spec.name}{span}" in listed and f"{spec.name}{span}" in words
        for text in one_step_out(spec) if spec.kind in (int, float) else ():
            with pytest.raises(ValueError, match="out of range"):
                parse_set(f"3:{spec.name}={text}")


def test_run_config_is_the_tables():
    names = [f.name for f in dataclasses.fields(RunConfig) if f.name != "knobs"]  # knobs: the strategy's, as pairs
    assert set(names) - {"track"} <= set(RUN_SETTINGS), "a RunConfig field that is not a setting of the table"
    assert set(RUN_SETTINGS) - {"track"} - set(knob_names()) == set(names), "a setting RunConfig does not hold"
    plain = RunConfig()
    assert plain.strategy == RUN_SETTINGS["strategy"].default
    for strategy in STRATEGIES:
        config = RunConfig(strategy=strategy)
        for name in names:
            spec = RUN_SETTINGS[name]
            expected = strategy_defaults(strategy).get(name, spec.default)
            assert getattr(config, name) == (strategy if name == "strategy" else expected), (strategy, name)
    for spec in NUMBERS:
        if spec.name in knob_names():
            owner = spec.strategies[0]
            RunConfig(strategy=owner, knobs={spec.name: spec.kind(spec.low)})
            for text in one_step_out(spec):
                with pytest.raises(ValueError, match=f"{spec.name}: .* is out of range"):
                    RunConfig(strategy=owner, knobs={spec.name: spec.kind(float(text))})
            continue
        RunConfig(**{spec.name: spec.kind(spec.low)}, strategy="classic")
        RunConfig(**{spec.name: spec.kind(spec.high)}, strategy="classic", layers=(7, 1))
        for text in one_step_out(spec):
            with pytest.raises(ValueError, match=f"{spec.name}: .* is out of range"):
                RunConfig(**{spec.name: spec.kind(float(text))})


def test_docs_flag_table_lists_every_flag_with_the_tables_values_and_default():
    rows = doc_table(ROOT / "docs" / "command-line.md", "| Flag | Meaning | Values | Default |")
    by_flag = {}
    for row in rows:
        for flag in re.findall(r"`(--[a-z-]+)", row[0]):
            by_flag[flag] = row
    for option in parser_actions():
        if option.startswith("--") and option != "--help":
            assert option in by_flag, f"docs/command-line.md has no row for {option}"
    for spec in FLAGGED:
        for flag in spec.flags:
            assert flag in by_flag, f"docs/command-line.md has no row for {flag} ({spec.name})"
        _, _, values, default = by_flag[spec.flags[0]]
        assert values == spec.range_text(), (spec.name, values)
        assert default == spec.default_text(), (spec.name, default)


def test_docs_lab_table_lists_every_live_setting_with_the_tables_range_and_strategies():
    rows = doc_table(ROOT / "docs" / "lab.md", "| Setting | Range | Strategies | What it does |")
    by_name = {row[0].strip("`"): row for row in rows}
    assert list(by_name) == list(SETTINGS)
    for spec in SETTINGS.values():
        _, span, strategies, _ = by_name[spec.name]
        if spec.range_text():
            assert span == spec.range_text(), spec.name
        assert strategies == ("all" if spec.strategies == tuple(STRATEGIES) else ", ".join(spec.strategies)), spec.name


def test_the_settings_panel_rows_are_the_tables():
    from game.panels import lab_actions

    evolution = Evolution(RunConfig(strategy="elitist", population=10, generations=3), training_track())
    rows = lab_actions.rows(evolution)
    assert [row.name for row in rows] == list(SETTINGS)
    for row in rows:
        spec = SETTINGS[row.name]
        kind = spec.kind if isinstance(spec.kind, str) else spec.kind.__name__
        assert (row.kind, row.low, row.high, row.range_text) == (kind, spec.low, spec.high, spec.range_text())
        assert row.changeable == spec.applies_to("elitist")


def test_the_record_of_a_runs_start_holds_every_flag_but_the_last_generation():
    """The log's run line and a genome file's "settings" (written by evolution/run/lab.py, read by replay.py and
    saved_run.py) hold every setting a flag gives, bar generations (a log's rows and a file's generation say it)."""
    assert set(START_RECORD) == {spec.name for spec in FLAGGED} - {"generations"}
    assert len(START_RECORD) == len(set(START_RECORD))


def test_specs_and_studies_take_the_tables_settings():
    assert set(SPEC_SETTINGS) <= set(RUN_SETTINGS)
    for name in SPEC_SETTINGS:
        spec = RUN_SETTINGS[name]
        for spelled in spellings(name):
            assert parse_spec(f"classic:{spelled}={spec.format(spec.low)}").settings == {name: spec.low}
        with pytest.raises(Exception, match="out of range"):
            parse_spec(f"classic:{name}={one_step_out(spec)[1]}")
    assert set(study.FLAGS) == {spec.name for spec in FLAGGED if spec.live}


def test_nothing_below_the_app_layer_sees_argparse():
    """The core takes a run's settings as the table's names and typed values, never parsed flags."""
    for path in sorted((ROOT / "evolution").rglob("*.py")):
        assert not re.search(r"^\s*(import argparse|from argparse)", path.read_text(), re.M), path.name


def _strings_and_calls(path: Path) -> tuple[list[str], list[str]]:
    """The string constants of a module that are not docstrings, and the dotted names it calls."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    strings = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]
    calls = [ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)]
    return strings, calls


def test_the_run_line_has_one_writer_and_one_reader():
    """Only evolution/run/start_record.py spells a log's run line or splits it into flags: the log, --replay,
    a resumed run's check of whose log it is and the figures all go through it."""
    for path in sorted(ROOT.glob("*.py")) + sorted(ROOT.glob("[aeg]*/**/*.py")) + sorted(ROOT.glob("bench/*.py")):
        if path.name == "start_record.py":
            continue
        strings, calls = _strings_and_calls(path)
        assert not [text for text in strings if "neuroracer run:" in text], path
        assert "shlex.split" not in calls, path


def test_a_run_line_of_another_version_is_read_leniently_and_refused_strictly():
    line = "# neuroracer run: --seed 7 --speed 8 --strategy classic --population 99999999 --layers 7,8,4,1 --track test"
    assert read_leniently(line) == {
        "seed": 7,
        "strategy": "classic",
        "layers": (7, 8, 4, 1),
        "test_curve": True,
        "track": "test",
    }
    assert run_identity(line) == ("--seed 7", "--strategy classic", "--layers 7,8,4,1")
    assert read_leniently("# neuroracer run: --seed '7") == {} and run_identity("not a run line") == ()
    with pytest.raises(ValueError, match="--speed"):
        from_line(line)


def test_the_run_line_reads_back_as_it_was_written():
    config = RunConfig(seed=7, strategy="elitist", population=12, generations=3, safety_weight=0.25)
    line = "# " + run_line(config, "random:5")
    values, changes = from_line(line)
    assert values == start_values(config, "random:5") and [change.flag() for change in changes] == [
        "0:safety_weight=0.25"
    ]
    assert read_leniently(line) == values


def test_a_figure_reads_the_track_of_a_log_of_another_version(tmp_path):
    log = tmp_path / "old.csv"
    log.write_text(
        "# neuroracer run: --seed 1 --speed 8 --track test --population 99999999\n"
        f"{LOG_HEADER}\n0,10,5.0,5.0,0,0.1,\n1,12,6.0,6.0,0,0.1,\n"
    )
    curve = read_log(log)
    assert curve.track == "test" and curve.finish[0] == blog_test_track().finish


def test_a_figure_reads_a_logs_changes_through_the_settings_table(tmp_path):
    # the figure's marks come from the one parser of a '# set' line: a change it cannot read (another version's
    # setting, a value out of range) is left out rather than drawn as whatever its last word was
    log = tmp_path / "changes.csv"
    log.write_text(
        "# neuroracer run: --seed 1 --track training\n"
        f"{LOG_HEADER}\n"
        "# set 1 mutation_rate 0.1 -> 0.3\n# set 1 wind_speed 0 -> 9\n# set 1 population 50 -> lots\n"
        "0,10,5.0,5.0,0,0.1,\n1,12,6.0,6.0,0,0.1,\n"
    )
    assert read_log(log).changes == [(1, "mutation rate → 0.3")]


def test_a_strategys_default_is_read_through_the_table_alone():
    """A setting whose default is its strategy's own (Setting.by_strategy) is read through the table
    (strategy_defaults, Setting.default_for): no module but the table and the strategies reads the attribute."""
    attributes = {spec.by_strategy for spec in RUN_SETTINGS.values() if spec.by_strategy}
    assert attributes == {"default_mutation_rate", "default_tracks", "default_safety_weight"}
    own = {ROOT / "evolution" / "run" / "settings.py", ROOT / "evolution" / "breeding" / "strategies.py"}
    for path in sorted(ROOT.glob("*.py")) + sorted(ROOT.glob("[aeg]*/**/*.py")) + sorted(ROOT.glob("bench/*.py")):
        if path not in own:
            tree = ast.parse(path.read_text())
            read = [node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)]
            assert not attributes & set(read), path


def test_a_knob_that_is_a_generation_takes_the_generations_bound_from_the_table(monkeypatch):
    """The elitist's late generation is bounded as a run's generations are, written once (in the table)."""
    assert SETTINGS["late_generation"].high == RUN_SETTINGS["generations"].high
    fewer = tuple(dataclasses.replace(s, high=500) if s.name == "generations" else s for s in START_SETTINGS)
    monkeypatch.setattr(settings_module, "START_SETTINGS", fewer)
    settings_module._tables.cache_clear()
    try:
        assert RUN_SETTINGS["generations"].high == SETTINGS["late_generation"].high == 500
    finally:
        monkeypatch.undo()
        settings_module._tables.cache_clear()
    assert SETTINGS["late_generation"].high == RUN_SETTINGS["generations"].high > 500
