"""A seeded random command storm: the window driven through its own event handling, then checked.

python -m bench.storm [--storms 100] [--frames 2000] [--first-seed 0] [--out storms]
python -m bench.storm --repro storms/storm-SEED.json

A storm is made from one seed: a command line (one run or a comparison; a strategy, a network, a population,
--set changes, a speed, a window size) and actions at frames: the keys of the key table and of the saves
list, clicks anywhere in the window, and the settings panel's controls, used both through the events
pygame_gui posts and through real clicks on them. The program runs in this process as a user runs it
(main.main with --frames, the SDL dummy driver): its own frame loop reads the storm's events each frame
(only the clock does not sleep). Then the invariants:
(a) the program ended with status 0, no exception came out of it, and no traceback was printed;
(b) every log and run checkpoint it wrote replays (--replay, in process) to the same rows, and the
    checkpoint's rows are the log's;
(c) no claimed file is left empty: a --save is whole and loads, or is not there; every S save loads; a
    comparison's checkpoint reads back; every file taken away into the run's folder (M movies, I GIFs, D
    figures, E exports) is whole, and no hidden half-written file is left.
The run's folders go under the storm's own temporary folder (runs/ there, whatever $NEURORACER_RUNS says).
Nothing is avoided: any failure is a failure. A failing storm is written as JSON (its seed, command line and
actions), which --repro runs again. bench/data/storms/ keeps those that found something, all fixed since and
replayed by tests/test_storm.py as regression storms: issue 20's crashes #1-#4 (seeds 1003, 204, 1009, 5008)
and the restart that lost a knob (3014). In turbo a frame's work depends on the machine's speed, so a storm
repeats its actions exactly but not always its turbo races: 204, 5008 and 3014 reproduced (before their
fixes); 1003 and 1009 crashed at one moment of a turbo race and mostly did not.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame

from evolution.breeding.seeds import SEEDS
from evolution.breeding.strategies import STRATEGIES as REGISTERED
from evolution.run.settings import SETTINGS

EVOLVED = Path(__file__).resolve().parent / "data" / "evolved.json"
RUNS = "NEURORACER_RUNS"  # evolution.run_folder.ENVIRONMENT: where the run folders go

# ---- what a storm is ---------------------------------------------------------------------------------------
STRATEGIES = tuple(REGISTERED)  # the strategies registered when the storm module loads
LAYERS = ("7,8,4,1", "7,4,1", "7,1", "7,6,3,1")
# a SPEC of --compare: each strategy alone, then some with one setting changed (which strategy: by position)
SPECS = (
    *STRATEGIES,
    *(
        f"{STRATEGIES[index % len(STRATEGIES)]}:{change}"
        for index, change in ((1, "mutation=0.2"), (0, "population=8"), (2, "tracks=0"), (1, "seed=5"))
    ),
)
SIZES = ("1280x720", "1280x720", "800x500", "1600x900")
SPEEDS = ("1", "4", "16", "64", "turbo")


def _knob_values(name: str) -> tuple[str, ...]:
    """A value a storm may --set a strategy's knob to, from its range: near the low end, inside it."""
    spec = SETTINGS[name]
    value = spec.low + 2 if spec.kind is int else spec.low + 0.3 * (spec.high - spec.low)
    return (spec.format(value),)


# --set changes a storm may schedule: (setting, values); the settings table says which strategies have it. The
# strategies' knobs come from the table, one value each, so a strategy registered before the storm loads joins.
SETS = (
    ("mutation_rate", ("0.05", "0.5", "2")),
    ("population", ("6", "30")),
    ("extra_tracks", ("0", "1")),
    ("safety_weight", ("0", "0.5")),
    ("strategy", STRATEGIES),
    ("layers", ("7,5,1", "7,8,4,1", "7,1")),
    ("track", ("training", "test", "random:123", "random:77:200")),
    *((name, _knob_values(name)) for name in SETTINGS if SETTINGS[name].owner),
)
# keys by how often a storm presses them: (pygame key, the character it types, weight)
KEYS = (
    (pygame.K_SPACE, " ", 3),
    (pygame.K_n, "n", 4),
    (pygame.K_RIGHT, "", 1),
    (pygame.K_f, "f", 10),
    (pygame.K_PLUS, "+", 3),
    (pygame.K_MINUS, "-", 8),
    (pygame.K_t, "t", 5),
    (pygame.K_g, "g", 4),
    (pygame.K_b, "b", 3),
    (pygame.K_s, "s", 4),
    (pygame.K_l, "l", 4),
    (pygame.K_r, "r", 3),
    (pygame.K_p, "p", 8),
    (pygame.K_c, "c", 1),
    (pygame.K_a, "a", 2),
    (pygame.K_v, "v", 3),
    (pygame.K_z, "z", 1),
    (pygame.K_LEFTBRACKET, "[", 6),
    (pygame.K_RIGHTBRACKET, "]", 3),
    (pygame.K_RETURN, "\r", 3),
    (pygame.K_HOME, "", 3),
    (pygame.K_o, "o", 3),
    (pygame.K_x, "x", 2),
    (pygame.K_u, "u", 2),
    (pygame.K_h, "h", 2),
    (pygame.K_UP, "", 2),
    (pygame.K_DOWN, "", 2),
    (pygame.K_m, "m", 1.5),  # a movie recorded into the run's folder (M again stops it)
    (pygame.K_i, "i", 1.5),  # a GIF, the same
    (pygame.K_d, "d", 2),  # figures drawn into the run's folder
    (pygame.K_e, "e", 2),  # the chart and the log so far exported there
    (pygame.K_w, "w", 2),  # captions off and on
    (pygame.K_TAB, "\t", 2),  # the projector's other panels (with Z at x1.5 or x2; otherwise it says why not)
    (pygame.K_y, "y", 2),  # then and now: a past generation beside the latest
    (pygame.K_j, "j", 1.5),  # the endless road on and off
    (pygame.K_k, "k", 1),  # the track editor (Esc leaves it)
    (pygame.K_F2, "", 1),  # the lessons menu (a digit starts one, Esc closes it)
    (pygame.K_1, "1", 1),  # a lesson, in the menu (elsewhere nothing)
    (pygame.K_ESCAPE, "\x1b", 1),  # back from the saves list (elsewhere it quits: see Driver.skipped_now)
    (pygame.K_q, "q", 0.05),  # quits: the storm ends early, through the way out,
)
# the other actions, by weight: a control of the settings panel (its event), a real click on one, a click
UI_WEIGHT, PANEL_CLICK_WEIGHT, CLICK_WEIGHT, TURBO_WEIGHT = 14, 4, 6, 6
# keys followed by another a little later (often): key -> (the later key, within frames, how often)
AGAIN = {
    pygame.K_SPACE: (pygame.K_SPACE, 60, 0.8),
    pygame.K_h: (pygame.K_h, 120, 0.9),
    pygame.K_RETURN: (pygame.K_HOME, 150, 0.8),
    pygame.K_t: (pygame.K_t, 150, 0.7),
    pygame.K_l: (pygame.K_l, 150, 0.5),
    pygame.K_r: (pygame.K_r, 3, 0.5),
    pygame.K_m: (pygame.K_m, 200, 0.8),
    pygame.K_i: (pygame.K_i, 200, 0.8),
}
TO_TURBO = 9  # F presses from ×1 to turbo, and one more
RESIZES = ((1280, 720), (800, 500), (1920, 1080), (640, 400), (1000, 700), (3840, 2160))
ACTION_SHARE = 0.12  # of frames with an action
TEXTS = ("0", "1", "0.5", "3", "20", "-1", "1000", "1e309", "nan", "abc", "", "7,3,1", "2")


@dataclass
class Storm:
    """One storm: the command line (without its outputs) and the actions by frame, all made from `seed`."""

    seed: int
    frames: int
    argv: list[str]
    actions: list[list] = field(default_factory=list)  # [frame, kind, *arguments]
    resume: list[str] = field(default_factory=list)  # then --resume of the checkpoint with these flags (if any)
    resume_actions: list[list] = field(default_factory=list)  # and these actions
    replay: list[str] = field(default_factory=list)  # then --replay of the log in a window with these flags
    replay_actions: list[list] = field(default_factory=list)

    @property
    def compare(self) -> bool:
        return "--compare" in self.argv


def make_storm(seed: int, frames: int) -> Storm:
    """The storm of a seed: the same seed and frames give the same storm."""
    rng = random.Random(seed)
    argv = ["--seed", str(rng.randrange(SEEDS)), "--population", str(rng.choice((6, 10, 16, 24)))]
    argv += ["--layers", rng.choice(LAYERS), "--tracks", str(rng.choice((0, 0, 0, 1)))]
    if rng.random() < 0.7:
        argv.append("--no-test-curve")
    argv += ["--speed", rng.choice(SPEEDS), "--checkpoint-every", str(rng.choice((1, 2, 5, 10)))]
    argv += ["--keep", str(rng.choice((1, 5, 20))), "--size", rng.choice(SIZES)]
    if rng.random() < 0.35:
        argv += ["--generations", str(rng.randint(3, 60))]
    if rng.random() < 0.3:
        argv += ["--compare", *rng.choices(SPECS, k=rng.randint(2, 3))]
    else:
        strategy = rng.choice(STRATEGIES)
        argv += ["--strategy", strategy]
        sets = [rng.choice(SETS) for _ in range(rng.choice((0, 0, 1, 2, 3)))]
        changes_strategy = any(setting == "strategy" for setting, _ in sets)
        for setting, values in sets:  # a setting of some strategies only while no --set changes the strategy
            needs = SETTINGS[setting].strategies
            if needs == tuple(REGISTERED) or (strategy in needs and not changes_strategy):
                argv += ["--set", f"{rng.randint(1, 12)}:{setting}={rng.choice(values)}"]
    if not argv.count("--compare") and rng.random() < 0.2:
        argv += ["--ghost", str(EVOLVED)]
    actions = make_actions(rng, frames)
    resume: list[str] = []
    resume_actions: list[list] = []
    if rng.random() < 0.4:  # the run goes on from its checkpoint, in a window of its own
        resume = ["--speed", rng.choice(SPEEDS), "--size", rng.choice(SIZES), "--keep", str(rng.choice((1, 20)))]
        resume_actions = make_actions(rng, frames // 2)
    replay: list[str] = []
    replay_actions: list[list] = []
    if rng.random() < 0.3:  # the log replayed in the window, where it must match its rows whatever is pressed
        replay = ["--speed", rng.choice(SPEEDS), "--size", rng.choice(SIZES)]
        replay_actions = make_actions(rng, frames // 2)
    return Storm(seed, frames, argv, actions, resume, resume_actions, replay, replay_actions)


def make_actions(rng: random.Random, frames: int) -> list[list]:
    """Actions at frames 0 to frames - 1, drawn from rng."""
    keys = [(key, char) for key, char, _ in KEYS]
    weights = [weight for _, _, weight in KEYS]
    kinds = ["key", "ui", "panel_click", "click", "turbo", "resize", "wheel", "type", "dot"]
    kind_weights = [sum(weights), UI_WEIGHT, PANEL_CLICK_WEIGHT, CLICK_WEIGHT, TURBO_WEIGHT, 1, 2, 3, 6]
    actions = []
    for frame in range(frames):
        if rng.random() >= ACTION_SHARE:
            continue
        kind = rng.choices(kinds, kind_weights)[0]
        if kind == "key":
            key, char = rng.choices(keys, weights)[0]
            actions.append([frame, "key", key, char])
            back = AGAIN.get(key)  # a toggle pressed again (or the way back) a little later
            if back is not None and rng.random() < back[2]:
                actions.append([frame + rng.randint(1, back[1]), "key", back[0], ""])
        elif kind == "ui":
            actions.append([frame, "ui", rng.randrange(1000), rng.randrange(1000), rng.choice(TEXTS)])
        elif kind == "panel_click":
            actions.append([frame, "panel_click", rng.randrange(1000), rng.randrange(1000)])
        elif kind == "turbo":  # F to turbo frame after frame, then back down a few steps a little later
            actions += [[frame + step, "key", pygame.K_f, "f"] for step in range(TO_TURBO)]
            later = frame + TO_TURBO + rng.randint(1, 90)
            actions += [[later + step, "key", pygame.K_MINUS, "-"] for step in range(rng.randint(1, 4))]
        elif kind == "resize":  # the user drags the window's corner
            actions.append([frame, "resize", *rng.choice(RESIZES)])
        elif kind == "wheel":
            actions.append([frame, "wheel", round(rng.random(), 3), round(rng.random(), 3), rng.choice((-3, -1, 1, 3))])
        elif kind == "dot":  # a click on a dot of the race shown: it is followed
            actions.append([frame, "dot", rng.randrange(1000)])
        elif kind == "type":  # characters typed, then Enter (into a field of the panel if one has the keyboard)
            actions.append([frame, "type", rng.choice(TEXTS)])
        else:
            actions.append([frame, "click", round(rng.random(), 3), round(rng.random(), 3)])
    return sorted((action for action in actions if action[0] < frames), key=lambda action: action[0])


# ---- running one --------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """How a storm went: 'ok' or 'failed'; what broke; figures."""

    seed: int
    frames_asked: int
    frames_run: int = 0
    verdict: str = "ok"
    signature: str = ""
    report: str = ""
    generations: int = 0
    replayed_rows: int = 0
    actions_done: int = 0
    seen: Counter = field(default_factory=Counter)
    said: Counter = field(default_factory=Counter)  # errors said on screen, and warnings on stderr
    seconds: float = 0.0


class _Clock:
    """pygame.time.Clock without the sleep: the storm's frames run as fast as the machine draws them."""

    def __init__(self) -> None:
        self._last = time.perf_counter()

    def tick(self, framerate: float = 0) -> int:
        now = time.perf_counter()
        elapsed, self._last = now - self._last, now
        return max(1, int(elapsed * 1000))

    def get_fps(self) -> float:
        return 0.0


class Driver:
    """Turns the storm's actions into the events of each frame, looking at the window as it is then."""

    def __init__(self, actions: list[list]) -> None:
        self.window = None
        self.frame = 0
        self.by_frame: dict[int, list[list]] = {}
        for action in actions:
            self.by_frame.setdefault(action[0], []).append(action)
        self.later: dict[int, list[pygame.event.Event]] = {}  # the rest of a real click, on the next frames
        self.done = 0
        self.said: Counter = Counter()  # errors said on screen
        self.seen: Counter = Counter()  # frames spent in each view, at each speed, with the panel open, ...
        self.real_get = pygame.event.get

    def events(self, *args, **kwargs) -> list[pygame.event.Event]:
        """pygame.event.get as the window's frame loop calls it: this frame's storm events, then the real ones."""
        frame, self.frame = self.frame, self.frame + 1
        self.note()
        made = self.later.pop(frame, [])
        for action in self.by_frame.get(frame, []):
            made += self.make(action)
        return [*made, *self.real_get(*args, **kwargs)]

    def note(self) -> None:
        """Count what the window shows this frame: the storm's coverage."""
        window = self.window
        if window is None:
            return
        view = window.view
        self.seen[f"view {type(view).__name__}"] += 1
        self.seen["speed " + ("paused" if window.paused else "turbo" if window.turbo else f"x{window.speed}")] += 1
        if getattr(view, "panel_open", False):
            self.seen["panel open"] += 1
        if getattr(getattr(view, "scene", None), "picked", False):
            self.seen["dot followed"] += 1
        if getattr(getattr(view, "scene", None), "lanes", False):
            self.seen["lanes"] += 1
        if window.show_help:
            self.seen["help"] += 1
        recording = getattr(window.takeaway, "recorder", None)
        if recording is not None and recording.running:
            self.seen["recording"] += 1

    def make(self, action: list) -> list[pygame.event.Event]:
        from game.frame_runner import key_event
        from game.keys import COMMAND_OF_KEY

        window = self.window
        if window is None or self.skipped_now(action):
            return []
        kind = action[1]
        if kind == "key":
            self.done += 1
            self.seen[f"key {COMMAND_OF_KEY.get(action[2]) or pygame.key.name(action[2])}"] += 1
            return [key_event(action[2], action[3])]
        if kind in ("click", "wheel"):
            width, height = window.screen.get_size()
            position = (int(action[2] * (width - 1)), int(action[3] * (height - 1)))
            if kind == "click":
                return self.click(position)
            self.done += 1
            pygame.mouse.set_pos(position)
            wheel = {"x": 0, "y": action[4], "flipped": False, "precise_x": 0.0, "precise_y": float(action[4])}
            return [pygame.event.Event(pygame.MOUSEWHEEL, touch=False, **wheel)]
        if kind == "dot":
            position = self.dot_position(action[2])
            return self.click(position) if position is not None else []
        if kind == "resize":
            self.done += 1
            pygame.display.set_mode((action[2], action[3]), pygame.RESIZABLE)
            size = {"x": action[2], "y": action[3]}
            return [pygame.event.Event(pygame.VIDEORESIZE, size=(action[2], action[3]), w=action[2], h=action[3]),
                    pygame.event.Event(pygame.WINDOWSIZECHANGED, **size)]  # fmt: skip
        if kind == "type":
            self.done += 1
            typed = [pygame.event.Event(pygame.TEXTINPUT, text=char) for char in action[2]]
            return [*typed, key_event(pygame.K_RETURN, "\r")]
        panel = self.open_panel()
        if panel is None:
            return []
        element, name = self.element(panel, action[2], action[3])
        if element is None:
            return []
        if kind == "panel_click":
            return self.click(element.rect.center)
        return self.ui_event(panel, element, name, action)

    def dot_position(self, number: int) -> tuple[int, int] | None:
        """Where a dot of the race shown is on screen (as last drawn), or None if the view shows no race."""
        from game.drawing.track_view import dot_screen_positions

        view = self.window.view
        scene = getattr(view, "scene", None)
        if scene is None:
            return None
        if hasattr(view, "races"):  # a comparison: the dots of its first camera's first run
            races = view.races
            camera, runs = scene._cameras(races)[0]
            race = races[runs[0]]
        else:
            replay = getattr(view, "replay", None)
            race = getattr(view, "shown_race", None) or getattr(replay, "race", None) or getattr(view, "race", None)
            camera = scene.camera
        if race is None or camera.view.width <= 1:
            return None
        xs, ys = dot_screen_positions(camera, race)
        index = number % len(xs)
        return int(xs[index]), int(ys[index])

    def click(self, position: tuple[int, int]) -> list[pygame.event.Event]:
        """A left click at position: the pointer moves there, the button goes down, and up a frame later."""
        self.done += 1
        pygame.mouse.set_pos(position)
        motion = pygame.event.Event(pygame.MOUSEMOTION, pos=position, rel=(0, 0), buttons=(0, 0, 0), touch=False)
        down = pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=position, button=1, touch=False)
        up = pygame.event.Event(pygame.MOUSEBUTTONUP, pos=position, button=1, touch=False)
        self.later.setdefault(self.frame, []).append(up)
        return [motion, down]

    def open_panel(self):
        view = self.window.view
        if not getattr(view, "panel_open", False) or view.panel is None or view.panel.manager is None:
            return None
        return view.panel

    @staticmethod
    def element(panel, first: int, second: int):
        """A control of the panel (a setting's, a pending change's cancel button, or the command line), enabled."""
        groups = [(name, controls) for name, controls in sorted(panel.controls.items()) if controls]
        groups.append(("cancel", list(panel.cancel_buttons)))
        groups.append(("command", [panel.command_button]))
        groups = [(name, [c for c in controls if c is not None and c.is_enabled]) for name, controls in groups]
        groups = [(name, controls) for name, controls in groups if controls]
        if isinstance(first, str):  # a setting named (a storm written by hand)
            groups = [(name, controls) for name, controls in groups if name == first]
        if not groups:
            return None, ""
        name, controls = groups[0 if isinstance(first, str) else first % len(groups)]
        return controls[second % len(controls)], name

    def ui_event(self, panel, element, name: str, action: list) -> list[pygame.event.Event]:
        """The event pygame_gui posts when the control is used: a press, a choice in a drop-down, a text typed."""
        import pygame_gui
        from pygame_gui.elements import UIDropDownMenu, UITextEntryLine

        from evolution.breeding.strategies import STRATEGIES as ALL
        from game.panels.settings_panel import TRACK_CHOICES

        self.done += 1
        fields = {"ui_element": element, "ui_object_id": ""}
        if isinstance(element, UIDropDownMenu):
            options = list(ALL) if name == "strategy" else list(TRACK_CHOICES)
            text = options[action[3] % len(options)]
            return [pygame.event.Event(pygame_gui.UI_DROP_DOWN_MENU_CHANGED, text=text, **fields)]
        if isinstance(element, UITextEntryLine):
            return [pygame.event.Event(pygame_gui.UI_TEXT_ENTRY_FINISHED, text=action[4], **fields)]
        return [pygame.event.Event(pygame_gui.UI_BUTTON_PRESSED, **fields)]

    def skipped_now(self, action: list) -> bool:
        """True for Esc outside the saves list: it quits (Q does that, rarely)."""
        from game.views.saves_view import SavesView

        return action[1] == "key" and action[2] == pygame.K_ESCAPE and not isinstance(self.window.view, SavesView)


def run_storm(storm: Storm, folder: Path) -> Outcome:
    """Run the storm in folder (made empty first), then its resumed part if it has one, and check the
    invariants; its Outcome."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    outcome = Outcome(storm.seed, storm.frames)
    started = time.perf_counter()
    checkpoint = "compare.npz" if storm.compare else "run.npz"
    outputs = ["--log", "run.csv", "--save", "best.json", "--frames", str(storm.frames), "--checkpoint", checkpoint]
    parts = [([*storm.argv, *outputs], storm.actions)]
    if storm.resume:
        frames = str(storm.frames // 2)
        again = ["--resume", checkpoint, "--log", "run.csv", "--save", "best-resumed.json", "--frames", frames]
        parts.append(([*again, *storm.resume], storm.resume_actions))
    if storm.replay:
        parts.append(([], storm.replay_actions))  # the log's name is known once it is written
    for part, (argv, actions) in enumerate(parts):
        if part and not (folder / checkpoint).exists():
            break
        if not argv:
            logs = sorted(folder.glob("run*.csv"))
            if not logs or not log_rows(logs[0]):
                break
            argv = ["--replay", logs[0].name, "--frames", str(storm.frames // 2), *storm.replay]
        driver = Driver(actions)
        status, report, stderr = run_main(argv, driver, folder)
        if status in (130, 143):  # Ctrl+C or SIGTERM reached the program: the storms stop (the program saved)
            raise KeyboardInterrupt
        outcome.frames_run += driver.frame
        outcome.actions_done += driver.done
        outcome.seen.update(driver.seen)
        outcome.said.update(driver.said)
        outcome.said.update(normalised(line) for line in stderr.splitlines() if "warning" in line)
        where = f" ({argv[0][2:]})" if part else ""
        if not report and "Traceback" in stderr:  # printed (a thread's, say) though the program went on
            report = stderr[stderr.index("Traceback") :]
        if report or status != 0:
            outcome.report = report or f"exit status {status}{where}; stderr:\n{stderr}"
            outcome.verdict, outcome.signature = "failed", signature(outcome.report, stderr, status) + where
            break
    else:
        try:
            check_outputs(storm, folder, outcome)
        except AssertionError as exc:
            outcome.verdict, outcome.signature, outcome.report = "failed", f"invariant: {exc}", traceback.format_exc()
        except Exception as exc:
            outcome.verdict = "failed"
            outcome.signature = f"while checking: {type(exc).__name__}: {normalised(str(exc))}"
            outcome.report = traceback.format_exc()
    outcome.seconds = time.perf_counter() - started
    return outcome


def run_main(argv: list[str], driver: Driver, folder: Path) -> tuple[object, str, str]:
    """main.main(argv) in folder, its frame loop reading the driver's events and its clock not sleeping:
    (the exit status, the traceback of an exception that came out of it or '', what it said on stderr)."""
    import game.window as window_module
    import main

    class StormWindow(window_module.Window):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            driver.window = self

        def say(self, text: str, error: bool = False) -> None:
            if error:  # the errors said on screen, for the report: a refusal, or something that went wrong
                driver.said[normalised(text)] += 1
            super().say(text, error)

    status, report = None, ""
    out, err = io.StringIO(), io.StringIO()
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    saved = (window_module.Window, pygame.event.get, pygame.time.Clock)
    try:
        window_module.Window, pygame.event.get, pygame.time.Clock = StormWindow, driver.events, _Clock
        with in_folder(folder), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main.main(argv)
            except SystemExit as exit_:
                status = exit_.code
            except Exception:  # what the storm is looking for
                report = traceback.format_exc()
    finally:
        window_module.Window, pygame.event.get, pygame.time.Clock = saved
        for number, handler in handlers.items():
            signal.signal(number, handler)
        pygame.quit()
    return status, report, err.getvalue()


@contextlib.contextmanager
def in_folder(folder: Path):
    """Work in folder, the run folders made under its runs/ (whatever $NEURORACER_RUNS says): a storm and its
    checks write nothing outside the storm's temporary folder."""
    here, runs = Path.cwd(), os.environ.get(RUNS)
    try:
        os.environ[RUNS] = str(folder.resolve() / "runs")
        os.chdir(folder)
        yield
    finally:
        os.chdir(here)
        if runs is None:
            os.environ.pop(RUNS, None)
        else:
            os.environ[RUNS] = runs


def normalised(text: str) -> str:
    """A message with its numbers and paths made alike, so that one failure has one signature."""
    text = re.sub(r"/\S+/", "…/", text)
    return re.sub(r"\d+(\.\d+)?", "N", text).strip()


def signature(report: str, stderr: str, status) -> str:
    """One line naming a failure: the exception and the project's innermost line, or the exit and its message."""
    if report.startswith("Traceback"):
        lines = report.strip().splitlines()
        places = re.findall(r'File "([^"]+)", line (\d+)', report)
        ours = [(Path(f).name, n) for f, n in places if "site-packages" not in f and "/bench/" not in f]
        where = f" at {ours[-1][0]}:{ours[-1][1]}" if ours else ""
        return f"{normalised(lines[-1])}{where}"
    message = [line for line in stderr.splitlines() if line.strip()]
    return f"exit {status}: {normalised(message[-1]) if message else '(nothing said)'}"


# ---- the invariants ------------------------------------------------------------------------------------------
def log_rows(path: Path) -> list[tuple[str, ...]]:
    """A log's rows, without the wall-clock seconds."""
    with open(path, newline="") as stream:
        lines = [line for line in stream if not line.startswith("#")]
    return [tuple(v for k, v in row.items() if k != "seconds") for row in csv.DictReader(lines)]


def replay(source: Path, folder: Path) -> list[tuple[str, ...]]:
    """--replay source headless, in process: the rows it logs (AssertionError if it does not end with 0)."""
    import main

    target = folder.resolve() / f"replayed-{source.stem}-{source.suffix[1:]}.csv"
    out, err = io.StringIO(), io.StringIO()
    status = None
    # in the folder the run ran in: a track drawn in the editor is read from tracks/ there, as it was then
    with in_folder(source.resolve().parent), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main.main(["--headless", "--replay", str(source.resolve()), "--log", str(target)])
        except SystemExit as exit_:
            status = exit_.code
    said = (err.getvalue().strip().splitlines() or [""])[-1]
    if status in (130, 143):  # Ctrl+C during the checks stops the storms: it is not the storm's failure
        raise KeyboardInterrupt
    assert status == 0, f"--replay {source.name} exit {status}: {normalised(said)}"
    return log_rows(target)


def check_outputs(storm: Storm, folder: Path, outcome: Outcome) -> None:
    """(b) and (c): what the run wrote replays to its rows, and every claimed file is whole and loads."""
    from evolution.files.checkpoint import Comparison, read_checkpoint
    from evolution.run.genome_file import load_genomes

    checks = folder / "checks"
    checks.mkdir()
    logs = sorted(folder.glob("run*.csv"))
    assert logs, "no log written"
    rows_of: dict[str, list] = {}
    for log in logs:
        assert log.stat().st_size > 0, f"{log.name} left empty"
        rows = log_rows(log)
        rows_of[log.stem] = rows
        numbers = [int(row[0]) for row in rows]
        assert numbers == list(range(len(rows))), f"{log.name}: generations {numbers[:3]}… are not 0, 1, 2, …"
        outcome.seen["changes logged"] += sum(line.startswith("# set") for line in log.read_text().splitlines())
        outcome.generations = max(outcome.generations, len(rows))
        if rows:
            replayed = replay(log, checks)
            assert replayed == rows, f"--replay {log.name} gives other rows"
            outcome.replayed_rows += len(rows)
    for checkpoint in sorted(folder.glob("*.npz")):
        assert checkpoint.stat().st_size > 0, f"{checkpoint.name} left empty"
        found = read_checkpoint(checkpoint)
        if isinstance(found, Comparison):
            continue
        if not found.state.reported:  # no row told yet (their champions' test drives wait): --replay says so
            continue
        rows = replay(checkpoint, checks)
        outcome.replayed_rows += len(rows)
        if checkpoint.stem == "run":  # the log's run (a restart's checkpoints are run-2.npz, ...)
            logged = rows_of.get("run", [])
            assert len(logged) >= len(rows), f"the log has {len(logged)} rows, its checkpoint {len(rows)}"
            assert rows == logged[: len(rows)], "the checkpoint's replay and the log disagree"
    saves = sorted(folder.glob("best*.json"))
    for save in saves:
        assert save.stat().st_size > 0, f"the claimed {save.name} is left empty"
        assert len(load_genomes(save).genomes) > 0
        replay(save, checks)  # its run again gives its genomes
    for save in sorted((folder / "saves").rglob("*.json")) if (folder / "saves").exists() else ():
        assert save.stat().st_size > 0, f"the S save {save.name} is empty"
        load_genomes(save)
    check_taken_away(folder / "runs", outcome)


def check_taken_away(runs: Path, outcome: Outcome) -> None:
    """(c) for the run folders: every file in them is whole (S saves load, M/I recordings end as finished files
    do, D figures and E charts are pictures, E logs are numbered rows), and no hidden half-written file is left."""
    from evolution.run.genome_file import load_genomes
    from game.takeaway.recorder import whole

    for path in sorted(runs.rglob("*")) if runs.exists() else ():
        if not path.is_file():
            continue
        name = f"{path.parent.name}/{path.name}"
        assert path.stat().st_size > 0, f"{name} left empty"
        assert not path.name.startswith("."), f"{name}: a half-written file is left"
        kind = path.suffix.lower()
        if kind in (".mp4", ".gif"):
            assert whole(path, kind == ".gif"), f"the recording {name} is not whole"
            outcome.seen["movies" if kind == ".mp4" else "GIFs"] += 1
        elif kind == ".png":
            pygame.image.load(str(path))
            outcome.seen["pictures"] += 1
        elif kind == ".svg":
            assert path.read_text().rstrip().endswith("</svg>"), f"{name} is not whole"
            outcome.seen["pictures"] += 1
        elif kind == ".csv":
            rows = log_rows(path)
            numbers = [int(row[0]) for row in rows]
            assert numbers == list(range(len(rows))), f"{name}: generations {numbers[:3]}… are not 0, 1, 2, …"
            outcome.seen["logs exported"] += path.stem.startswith("log")
        elif kind == ".json" and path.name != "command.json":
            load_genomes(path)


# ---- the command ---------------------------------------------------------------------------------------------
def write_failure(storm: Storm, outcome: Outcome, out: Path) -> Path:
    """The storm and what it found as JSON, for --repro."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"storm-{storm.seed}.json"
    document = {"storm": asdict(storm), "verdict": outcome.verdict, "signature": outcome.signature}
    document["report"] = outcome.report
    path.write_text(json.dumps(document, indent=1))
    return path


def read_storm(path: Path) -> Storm:
    document = json.loads(path.read_text())
    return Storm(**document["storm"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.storm", description=__doc__.split("\n\n")[0])
    parser.add_argument("--storms", type=int, default=10)
    parser.add_argument("--frames", type=int, default=2000)
    parser.add_argument("--first-seed", type=int, default=0, help="storms use seeds first-seed, first-seed+1, ...")
    parser.add_argument("--out", type=Path, default=Path("storms"), help="where failing storms are written")
    parser.add_argument("--said", action="store_true", help="list the errors said on screen and warnings")
    parser.add_argument("--repro", type=Path, help="run the storm of this JSON file again")
    args = parser.parse_args(argv)
    storms = (
        [read_storm(args.repro)]
        if args.repro
        else [make_storm(seed, args.frames) for seed in range(args.first_seed, args.first_seed + args.storms)]
    )
    frames = storms[0].frames
    counts: Counter = Counter()
    signatures: Counter = Counter()
    seen: Counter = Counter()
    said: Counter = Counter()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="storm-") as temp:
        for storm in storms:
            try:
                outcome = run_storm(storm, Path(temp) / "run")
            except KeyboardInterrupt:
                print(f"stopped during storm {storm.seed}", flush=True)
                storms = storms[: storms.index(storm)]
                break
            counts[outcome.verdict] += 1
            seen.update(outcome.seen)
            said.update(outcome.said)
            asked = storm.frames + storm.frames // 2 * (bool(storm.resume) + bool(storm.replay))
            line = (
                f"seed {storm.seed}  frames {outcome.frames_run}/{asked}  {outcome.verdict}"
                f"  generations {outcome.generations}  replayed rows {outcome.replayed_rows}"
                f"  actions {outcome.actions_done}  {outcome.seconds:.1f} s"
            )
            if outcome.verdict != "ok":
                signatures[outcome.signature] += 1
                line += f"\n    {outcome.signature}  ->  {write_failure(storm, outcome, args.out)}"
            print(line, flush=True)
    resumed, replayed = sum(bool(storm.resume) for storm in storms), sum(bool(storm.replay) for storm in storms)
    print(
        f"{len(storms)} storms of {frames} frames ({resumed} then resumed, {replayed} replayed in the"
        f" window, for {frames // 2} frames more each)"
        f" in {time.perf_counter() - started:.0f} s: " + ", ".join(f"{counts[v]} {v}" for v in ("ok", "failed"))
    )
    for text, count in signatures.most_common():
        print(f"  {count} × {text}")
    if args.said:
        print("errors said on screen and warnings, by how often:")
        for text, count in said.most_common():
            print(f"  {count} × {text}")
    keys = {name: count for name, count in seen.items() if name.startswith("key ")}
    print("keys pressed, by command: " + ", ".join(f"{k[4:]} {v}" for k, v in sorted(keys.items())))
    covered = sorted((name, count) for name, count in seen.items() if name not in keys)
    print("coverage (frames, or files and changes counted): " + ", ".join(f"{k} {v}" for k, v in covered))
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
