"""What the settings panel does to a run, without pygame_gui: changes scheduled for the next generation (one per
setting at a time), their cancelling, the values − and + step to, the network's shape edited layer by layer, the
chart's markers of the applied changes, and the run's one command line copied to the clipboard.

Everything goes through Evolution.schedule / cancel, so a change made in the window applies at the start of
the next generation not yet asked for (the race under way finishes as it started) and is recorded as an event,
exactly as --set would do it; its replay gives the same rows.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Any

import pygame

from evolution.breeding.strategies import make_strategy
from evolution.racing.endless import level_of
from evolution.racing.network import MAX_LAYER_WIDTH, MAX_LAYERS
from evolution.run.evolve import Evolution
from evolution.run.settings import SETTINGS, SettingEvent, format_value, parse_value, strategy_knobs
from game.drawing import palette
from game.panels.chart import Event

NEW_LAYER_SIZE = 4  # a hidden layer added with "+ layer" starts with this many neurons
NO_CLIPBOARD_DRIVERS = ("dummy", "offscreen")  # SDL keeps a clipboard of its own there, seen by no other program


@dataclass(frozen=True)
class Row:
    """One setting as the panel shows it: its value now (or the one pending), and whether it can change."""

    name: str
    kind: str
    low: float | None
    high: float | None
    value: Any  # the value from the next generation on: a pending change's, else the run's now
    now: Any  # the run's value now (None: a knob of another strategy)
    pending: SettingEvent | None  # the change of this setting scheduled for the next generation
    changeable: bool
    caption: str  # the caption with the value in it, or why it cannot be changed
    range_text: str


def next_generation(evolution: Evolution) -> int:
    return evolution.next_change_generation


def pending_at_next(evolution: Evolution, name: str) -> SettingEvent | None:
    """The change of `name` scheduled for the next generation, if any (the latest)."""
    first = next_generation(evolution)
    found = [c for c in evolution.scheduled_changes() if c.generation == first and c.setting == name]
    return found[-1] if found else None


def strategy_next(evolution: Evolution) -> str:
    """The strategy that breeds the next generation: a pending strategy change's, else the run's."""
    change = pending_at_next(evolution, "strategy")
    return change.new if change is not None else evolution.config.strategy


def rows(evolution: Evolution) -> list[Row]:
    """The panel's rows, from Evolution.settings() (so a new setting needs no panel code), for the next generation:
    a knob of the strategy pending shows that strategy's default; one the next strategy lacks says why not."""
    strategy = strategy_next(evolution)
    defaults = None
    result = []
    for row in evolution.settings():
        name = row["name"]
        spec = SETTINGS[name]
        pending = pending_at_next(evolution, name)
        changeable = strategy in row["strategies"]
        now = row.get("value")
        value = pending.value if pending is not None else now
        if changeable and value is None and name in strategy_knobs(strategy):
            if defaults is None:
                config = evolution.config
                defaults = make_strategy(strategy, evolution.network.genome_size, config.population, 0.1)
            value = defaults.knob_value(name)
        if changeable:
            caption = spec.describe(value)
            if name == "mutation_rate" and pending is None:  # the schedule may make the noise in force smaller
                noise = evolution.strategy.noise_now(evolution.state.strategy)
                if noise != value:
                    caption += f"; in force now: {noise:g}"
        else:
            caption = f"{strategy} has no {name}: {row['why_not']}" if row["why_not"] else f"not for {strategy}"
        result.append(Row(name, row["kind"], row["low"], row["high"], value, now, pending, changeable, caption,
                          spec.range_text()))  # fmt: skip
    return result


def change(evolution: Evolution, name: str, value: Any) -> SettingEvent | None:
    """Set `name` to `value` from the next generation: a change of it already pending then is replaced (a
    strategy change also drops the pending knobs the new strategy lacks); back to the value now, nothing stays
    pending. Returns the scheduled change (None if none). ValueError naming the problem (out of range, …)."""
    value = parse_value(name, value)
    first = next_generation(evolution)
    text = format_value(name, value)

    def replaced(other: SettingEvent) -> bool:  # a change of the next generation this one replaces or rules out
        lacks = name == "strategy" and other.setting in SETTINGS and not SETTINGS[other.setting].applies_to(value)
        return other.generation == first and (other.setting == name or lacks)

    evolution.unschedule_where(replaced)
    # a knob of a pending strategy has no value now (the run's strategy lacks it): there is nothing to compare
    has_now = not SETTINGS[name].owner or name in strategy_knobs(evolution.config.strategy)
    same = has_now and text == format_value(name, evolution.setting_value(name))
    if same and not _strategy_pending_changes_it(evolution, name):
        return None
    return evolution.schedule(name, value, first)


def _strategy_pending_changes_it(evolution: Evolution, name: str) -> bool:
    """True when a pending strategy change resets this knob to a default, so setting today's value still counts."""
    return name in strategy_knobs(evolution.config.strategy) and strategy_next(evolution) != evolution.config.strategy


def cancel(evolution: Evolution, change: SettingEvent) -> tuple[SettingEvent, list[SettingEvent]] | None:
    """Cancel a scheduled change, the very object Evolution.scheduled_changes() gave (the run may apply one between
    the panel's reading and the click: the change clicked is the one cancelled, never its neighbour); a strategy
    change takes with it the changes of its strategy's knobs that no longer apply. Returns the change cancelled and
    those that went with it; None if it has applied meanwhile."""
    dropped = evolution.cancel(change)
    return (dropped[0], dropped[1:]) if dropped else None


def pending_line(change: SettingEvent) -> str:
    """A scheduled change in one line: 'gen 12: mutation_rate → 0.5'."""
    return f"gen {change.generation}: {change.setting} → {change.new}"


def stepped(row: Row, direction: int) -> Any:
    """The value − (direction −1) or + (+1) goes to from row.value, kept in range: whole numbers by about a tenth
    (at least 1), shares by 0.05, other numbers ×/÷ 1.25 (from 0, to 0.01)."""
    value = row.value
    if row.kind == "int":
        new = value + direction * max(1, int(value) // 10)
    elif row.high is not None and row.high <= 1:
        new = round(value + direction * 0.05, 10)
    elif value == 0:
        new = 0.01 if direction > 0 else 0.0
    else:
        new = float(f"{value * 1.25**direction:.3g}")
    return min(max(new, row.low), row.high)


def layers_with(layers: tuple[int, ...], action: str, index: int = 0) -> tuple[int, ...]:
    """The network's shape after one edit, as in TensorFlow Playground: 'add' a hidden layer (of NEW_LAYER_SIZE
    neurons, before the output), 'remove' the last hidden layer, 'more' or 'fewer' neurons in hidden layer
    `index` (0 is the first). Limits are kept (1 to MAX_LAYER_WIDTH neurons, at most MAX_LAYERS layers)."""
    hidden = list(layers[1:-1])
    if action == "add" and len(hidden) + 2 < MAX_LAYERS:
        hidden.append(NEW_LAYER_SIZE)
    elif action == "remove" and hidden:
        hidden.pop()
    elif action in ("more", "fewer") and 0 <= index < len(hidden):
        hidden[index] = min(max(hidden[index] + (1 if action == "more" else -1), 1), MAX_LAYER_WIDTH)
    return (layers[0], *hidden, layers[-1])


def marker(event: SettingEvent) -> Event:
    """A chart marker for an applied change: a new track (blue), a fresh network (red), any other change."""
    if event.setting == "track":
        level = level_of(event.new)
        return Event(event.generation, event.new if level is None else f"level {level}", palette.SELECTED)
    if event.setting == "layers":
        return Event(event.generation, f"fresh net {event.new}", palette.ACCENT)
    label = f"{event.setting} {_short(event.new)}"
    return Event(event.generation, label, palette.GOOD if event.setting == "strategy" else palette.TEXT_DIM)


def _short(text: str) -> str:
    try:
        number = float(text)
    except ValueError:
        return text
    return f"{number:g}" if math.isfinite(number) else text


def markers(evolution: Evolution) -> list[Event]:
    """The chart markers of every change the run has applied."""
    return [marker(event) for event in evolution.state.events]


def copy_command(evolution: Evolution, out=None) -> tuple[bool, str]:
    """Print the run's one command line to stdout, and copy it to the clipboard where the system has one.
    Returns (copied, what to say on screen)."""
    line = evolution.command_line()
    print(line, file=out or sys.stdout, flush=True)
    driver = pygame.display.get_driver() if pygame.display.get_init() else ""
    if driver in NO_CLIPBOARD_DRIVERS:
        return False, f"no clipboard under the {driver} video driver: the command line is printed to the terminal"
    try:
        pygame.scrap.put_text(line)
    except pygame.error as exc:
        return False, f"could not copy ({exc}): the command line is printed to the terminal"
    return True, "the command line is copied to the clipboard (and printed to the terminal)"
