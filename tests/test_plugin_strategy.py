"""A strategy plugs in: one defined and registered here, in this test module alone, goes through every way a run
can use a strategy (--help, the settings panel, --set, a checkpoint and resume, --replay, --compare, --seeds and
a change of strategy mid-run) without a line of the program changed for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pygame
import pytest

import main
from evolution.breeding.lineage import Origins
from evolution.breeding.seeds import STREAMS
from evolution.breeding.strategies import STRATEGIES, Knob, Strategy, register, unregister
from evolution.run.settings import SETTINGS, check_applies, help_text
from game.panels import lab_actions
from tests.helpers import choose, log_rows, open_panel, paused_app


@dataclass
class ClimbState:
    """The climber's state: its generator and the best genome of the last generation told."""

    rng: np.random.Generator
    best: np.ndarray | None = None  # (D,)
    told: int = 0


class HillClimb(Strategy):
    """Every child is the last generation's best plus Gaussian noise; `climb_kept` copies of it stay unchanged."""

    name = "hillclimb"
    title = "one champion and its mutants"
    default_mutation_rate = 0.5
    stream = 0x4C1
    state_type = ClimbState

    @dataclass(frozen=True)
    class Params:
        climb_kept: int | None = None

    knobs = (Knob("climb_kept", int, 0, 50, "{value} copies of the best race again unchanged", "Best kept"),)

    def __init__(self, genome_size: int, population: int, mutation_rate: float, **knobs: Any) -> None:
        super().__init__(genome_size, population, mutation_rate, **knobs)
        kept = self.params.climb_kept
        self.climb_kept = min(1 if kept is None else int(kept), population)

    def initial_state(self, seed: int) -> ClimbState:
        from evolution.breeding.seeds import generator

        return ClimbState(rng=generator(seed, self.name))

    def ask(self, state: ClimbState) -> np.ndarray:
        if state.best is None:
            self.last_origins = Origins.random(self.population)
            return state.rng.uniform(-1, 1, size=(self.population, self.genome_size))
        count = self.population - self.climb_kept
        noise = self.mutation_rate * state.rng.standard_normal((count, self.genome_size))
        self.last_origins = Origins.concatenate([Origins.kept(self.climb_kept), Origins.children(np.zeros(count, int),
                                                                                                  noise)])  # fmt: skip
        return np.concatenate([np.repeat(state.best[None], self.climb_kept, axis=0), state.best + noise])

    def tell(self, state: ClimbState, genomes: np.ndarray, scores: np.ndarray) -> None:
        state.best = np.asarray(genomes, dtype=np.float64)[int(np.argmax(scores))].copy()
        state.told += 1

    def check(self, state: ClimbState) -> None:
        if state.best is not None and state.best.shape != (self.genome_size,):
            raise ValueError("the climber's best does not fit the network")

    @classmethod
    def summary(cls) -> str:
        return "a hill climber: every child is the best of the last generation plus Gaussian noise of size R"

    def explain(self, state: ClimbState, generation: int) -> str:
        return f"Breeding generation {generation}: every dot is a copy of the last best, nudged at random."

    def noise_now(self, state: ClimbState) -> float:
        return self.mutation_rate

    def carry_over(self, ranked: np.ndarray, seed: int, generation: int) -> ClimbState:
        return ClimbState(rng=self.change_rng(seed, generation), best=ranked[0].copy(), told=generation)


@pytest.fixture(autouse=True)
def hillclimb():
    """The climber registered for one test, and taken out after it (nothing of it stays behind)."""
    register(HillClimb)
    yield HillClimb
    unregister("hillclimb")
    assert "hillclimb" not in STRATEGIES and "climb_kept" not in SETTINGS and "hillclimb" not in STREAMS


RUN = ["--headless", "--strategy", "hillclimb", "--seed", "3", "--population", "12", "--tracks", "1"]


def test_help_lists_it_with_its_words_and_its_knob(capsys):
    with pytest.raises(SystemExit):
        main.main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "hillclimb: a hill climber: every child is the best" in text
    assert "0.5 hillclimb" in text  # its default mutation size
    assert "climb_kept 0..50, hillclimb only" in help_text()


def test_set_checkpoint_resume_and_replay_give_the_same_rows(tmp_path):
    straight, split, checkpoint = tmp_path / "straight.csv", tmp_path / "split.csv", tmp_path / "c.npz"
    sets = ["--set", "2:climb_kept=3", "--set", "4:mutation_rate=0.2", "--set", "6:population=8"]
    assert main.main([*RUN, *sets, "--generations", "8", "--log", str(straight)]) == 0
    marks = [line for line in straight.read_text().splitlines() if line.startswith("# set")]
    assert marks == ["# set 2 climb_kept 1 -> 3", "# set 4 mutation_rate 0.5 -> 0.2", "# set 6 population 12 -> 8"]
    assert main.main([*RUN, *sets, "--generations", "3", "--log", str(split), "--checkpoint", str(checkpoint)]) == 0
    assert main.main(["--headless", "--resume", str(checkpoint), "--generations", "8", "--log", str(split)]) == 0
    assert log_rows(split) == log_rows(straight) and len(log_rows(straight)) == 9
    assert main.main(["--headless", "--replay", str(split)]) == 0  # the replay checks every row
    assert main.main(["--headless", "--replay", str(checkpoint)]) == 0


def test_another_strategy_switches_to_it_mid_run_and_back(tmp_path):
    log = tmp_path / "run.csv"
    flags = ["--headless", "--strategy", "elitist", "--seed", "5", "--population", "10", "--tracks", "0"]
    sets = ["--set", "2:strategy=hillclimb", "--set", "3:climb_kept=2", "--set", "5:strategy=snes"]
    assert main.main([*flags, *sets, "--generations", "6", "--log", str(log)]) == 0
    assert main.main(["--headless", "--replay", str(log)]) == 0
    with pytest.raises(ValueError, match="climb_kept is a setting of hillclimb only"):
        check_applies("climb_kept", "elitist")


def test_its_knob_is_refused_for_another_strategy_in_one_line(capsys):
    with pytest.raises(SystemExit) as stopped:
        main.main(["--headless", "--strategy", "classic", "--set", "2:climb_kept=2", "--generations", "3"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "climb_kept cannot be changed for classic" in err[0]


def test_compare_and_seeds_race_it_beside_the_others(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main.main(["--headless", "--compare", "hillclimb", "classic", "--seed", "2", "--generations", "2"]) == 0
    out = capsys.readouterr().out
    assert "hillclimb" in out and "classic" in out
    assert main.main(["--headless", "--seeds", "0-1", "--strategy", "hillclimb", "--generations", "2"]) == 0
    assert "hillclimb" in capsys.readouterr().out


def test_the_settings_panel_offers_it_and_shows_its_knob(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = paused_app("--strategy", "hillclimb", "--seed", "1", "--population", "10")
    evolution = app.view.evolution
    by_name = {row.name: row for row in lab_actions.rows(evolution)}
    assert by_name["climb_kept"].changeable and by_name["climb_kept"].caption == (
        "1 copies of the best race again unchanged"
    )
    assert not by_name["elite_share"].changeable  # elitist's knob: not for the climber
    panel = open_panel(app)
    assert "hillclimb" in [option[0] if isinstance(option, tuple) else option
                           for option in panel.controls["strategy"][0].options_list]  # fmt: skip
    choose(app, "strategy", "classic")
    assert [change.flag() for change in evolution.state.scheduled] == ["1:strategy=classic"]
    app.view.close()
    pygame.event.clear()


def test_no_module_outside_the_strategies_names_one():
    """A strategy's name, as a string or as a word in one (the program's words: --help, messages, captions; not
    docstrings), appears only in evolution/breeding/strategies.py (and in the lessons, whose scripts are about
    particular strategies): the rest of the program asks the registry, so a strategy registered later is named
    too."""
    import ast
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    allowed = {root / "evolution" / "breeding" / "strategies.py", root / "evolution" / "run" / "lessons.py"}
    named = re.compile(r"\b(classic|elitist|snes)\b")
    found = []
    for folder in ("evolution", "app", "game"):
        for path in sorted((root / folder).rglob("*.py")):
            if path in allowed:
                continue
            tree = ast.parse(path.read_text())
            docstrings = {
                id(node.body[0].value)
                for node in ast.walk(tree)
                if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and node.body
                and isinstance(node.body[0], ast.Expr)
            }
            strings = [
                node for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
            ]
            found += [f"{path.relative_to(root)}:{node.lineno} {node.value[:60]!r}" for node in strings
                      if id(node) not in docstrings and named.search(node.value)]  # fmt: skip
    assert found == []


def test_help_names_it_where_it_lists_strategies(capsys, monkeypatch):
    """--help's words on the extra tracks name the strategies that score the barriers' margin by default: a
    registered one too, once its default safety weight is not 0."""
    monkeypatch.setattr(HillClimb, "default_safety_weight", 0.25)
    with pytest.raises(SystemExit):
        main.main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "and hillclimb how far from the barriers finishers keep (0 to 100; default" in text, text
