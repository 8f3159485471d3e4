"""An Evolution makes its own changes (a method per kind of change), and its scheduled changes are read only under
the lock that guards them: the window's panel reads them while a race prepared on a thread may apply some."""

from __future__ import annotations

import re
import threading
from dataclasses import replace

import pytest

from evolution.racing.track import random_track, training_track
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.reporters import Reporter
from evolution.run.settings import SettingEvent
from tests.helpers import ROOT

# where state.scheduled may be touched: Evolution itself, lab.py's functions (each called by an Evolution method
# that holds the lock), RunState (its field and its check)
GUARDED = {"evolution/run/evolve.py", "evolution/run/lab.py", "evolution/run/run_state.py"}
ATTRIBUTES = ("config", "strategy", "network", "track", "champion_drives", "state", "test_track", "reporters")


def sources() -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(ROOT)), path.read_text())
        for folder in ("app", "evolution", "game")
        for path in sorted((ROOT / folder).rglob("*.py"))
    ]


def test_no_code_outside_evolution_and_its_lab_reads_the_scheduled_changes_without_the_lock():
    assert {name for name, _ in sources()} >= GUARDED  # every sub-package is searched
    found = [
        f"{name}:{text.count(chr(10), 0, match.start()) + 1}"
        for name, text in sources()
        if name not in GUARDED
        for match in re.finditer(r"\bstate\.scheduled\b", text)
    ]
    assert not found, f"read the scheduled changes with Evolution.scheduled_changes(): {found}"


def test_no_code_outside_evolve_py_assigns_an_evolutions_attributes():
    target = r"(?:\w+\.)*evolution\.(?:" + "|".join(ATTRIBUTES) + r")\b"  # evolution.config, self.evolution.track, ...
    other = r"[\w.\[\]]+"
    pattern = re.compile(
        rf"^[ \t]*(?:{other}[ \t]*,[ \t]*)*{target}[ \t]*(?:,[ \t]*{other}[ \t]*)*[+\-*/|&]?=(?!=)", re.M
    )
    found = [
        f"{name}:{text.count(chr(10), 0, match.start()) + 1}: {match.group(0)}"
        for name, text in sources()
        if name != "evolution/run/evolve.py"
        for match in pattern.finditer(text)
    ]
    assert not found, f"change a run through its methods (use_config, use_network, use_track, ...): {found}"


def test_the_scheduled_changes_are_a_copy_in_order():
    evolution = Evolution(RunConfig(generations=9), training_track())
    evolution.schedule("mutation_rate", 0.3, 4)
    evolution.schedule("population", 30, 2)
    changes = evolution.scheduled_changes()
    assert [(change.generation, change.setting) for change in changes] == [(2, "population"), (4, "mutation_rate")]
    changes.clear()
    assert len(evolution.scheduled_changes()) == 2


def test_a_read_of_the_scheduled_changes_waits_while_a_thread_applies_them():
    """A race asked for on a thread (a large population's, in the window) applies the changes due under the lock;
    a read meanwhile waits, and sees them applied, never half."""
    inside, go = threading.Event(), threading.Event()

    class Slow(Reporter):
        def changed(self, evolution: Evolution, event: SettingEvent) -> None:  # told of the change, under the lock
            inside.set()
            go.wait(10)

    evolution = Evolution(RunConfig(generations=9), training_track(), [Slow()])
    evolution.schedule("mutation_rate", 0.3, 0)
    evolution.schedule("mutation_rate", 0.4, 5)
    asker = threading.Thread(target=evolution.next_race)
    asker.start()
    assert inside.wait(10)
    seen: list[list[SettingEvent]] = []
    reader = threading.Thread(target=lambda: seen.append(evolution.scheduled_changes()))
    reader.start()
    reader.join(0.3)
    try:
        assert reader.is_alive() and not seen  # waiting for the lock
    finally:
        go.set()
        asker.join(10)
        reader.join(10)
    assert [(change.generation, change.new) for change in seen[0]] == [(5, "0.4")]
    assert evolution.config.mutation_rate == 0.3


def test_unschedule_where_asks_in_order_and_drops_all_at_once():
    evolution = Evolution(RunConfig(strategy="elitist", generations=9), training_track())
    for generation, setting, value in [(3, "strategy", "snes"), (5, "mean_rate", 0.5), (6, "spread_rate", 0.2)]:
        evolution.schedule(setting, value, generation)
    asked: list[str] = []

    def drop(change: SettingEvent) -> bool:
        asked.append(change.setting)
        return change.setting != "mean_rate"

    dropped = evolution.unschedule_where(drop)
    assert asked == ["strategy", "mean_rate", "spread_rate"]
    assert [change.setting for change in dropped] == ["strategy", "spread_rate"]
    assert [change.setting for change in evolution.scheduled_changes()] == ["mean_rate"]


@pytest.mark.parametrize("kind", ["config", "network", "track"])
def test_each_kind_of_change_has_its_method(kind):
    evolution = Evolution(RunConfig(generations=9), training_track())
    if kind == "config":
        evolution.schedule("mutation_rate", 0.3, 0)
    elif kind == "network":
        evolution.schedule("layers", "7,5,1", 0)
    else:
        evolution.change_track(random_track(3))
    drives = evolution.champion_drives
    evolution.next_race()
    assert (evolution.config.mutation_rate == 0.3) == (kind == "config")
    assert (evolution.network.layers == (7, 5, 1)) == (kind == "network")
    assert (evolution.champion_drives is not drives) == (kind == "network")  # the drives start over for the shape
    assert evolution.champion_drives.network is evolution.network
    assert (evolution.track.name == "random:3") == (kind == "track")
    assert evolution.strategy.genome_size == evolution.network.genome_size


def test_the_change_clicked_is_cancelled_even_when_another_applied_after_the_panel_read_them():
    """The panel reads the scheduled changes, the run applies the first of them (a race prepared on a thread),
    then the click cancels: the change clicked goes, not the one now at its place in the list."""
    from game.panels import lab_actions

    evolution = Evolution(RunConfig(generations=9, population=10, strategy="classic"), training_track())
    first = evolution.schedule("mutation_rate", 0.3, 1)
    second = evolution.schedule("population", 12, 2)
    third = evolution.schedule("mutation_rate", 0.2, 3)
    shown = evolution.scheduled_changes()  # the panel's buttons, in this order
    evolution.run_generation()
    evolution.next_race()  # generation 1 is asked for: the first change applies meanwhile
    assert evolution.scheduled_changes() == [second, third] and evolution.state.events == [replace(first, old="0.1")]
    assert lab_actions.cancel(evolution, shown[1]) == (second, [])  # the second button: the population change
    assert evolution.scheduled_changes() == [third]
    assert lab_actions.cancel(evolution, shown[0]) is None  # applied already: nothing else is cancelled
    assert evolution.scheduled_changes() == [third]


def test_a_cancelled_strategy_change_takes_the_knob_changes_that_needed_it():
    evolution = Evolution(RunConfig(generations=9, population=10, strategy="classic"), training_track())
    strategy = evolution.schedule("strategy", "elitist", 2)
    knob = evolution.schedule("elite_share", 0.3, 3)
    rate = evolution.schedule("mutation_rate", 0.2, 4)
    assert evolution.cancel(strategy) == [strategy, knob] and evolution.scheduled_changes() == [rate]
    assert evolution.cancel(strategy) == []
