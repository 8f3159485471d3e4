"""Ready-made lessons: the classic experiments as command lines, each with a card saying what to watch for.

A lesson is only flags (`--lesson NAME` puts them before the others, so a flag given after it wins): its run
is one command line like any other, and the card shows that line. The window's lesson menu lists LESSONS.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from evolution.errors import InputError
from evolution.racing.network import DEFAULT_LAYERS, Network
from evolution.run.settings import strategy_defaults


@dataclass(frozen=True)
class Lesson:
    """One lesson: its name (for --lesson), a title, its flags, what to watch for, and the key to press next."""

    name: str
    title: str
    flags: tuple[str, ...]
    watch: str
    next_step: str

    def command_line(self) -> str:
        """The lesson as the one command line that runs it."""
        return shlex.join(["python", "main.py", *self.flags])

    def card(self) -> list[str]:
        """The card's lines: title, what to watch for, what to do next, and the command line."""
        return [
            self.title,
            f"Watch for: {self.watch}",
            f"Then: {self.next_step}",
            f"As a command: {self.command_line()}",
        ]


def _weights(layers: tuple[int, ...]) -> int:
    return Network(layers).genome_size


def _lessons() -> dict[str, Lesson]:
    bigger = (7, 16, 8, 1)
    elitist_tracks = strategy_defaults("elitist")["extra_tracks"]
    lessons = (
        Lesson(
            "blog",
            "The blog's experiment: evolution learns to drive",
            ("--strategy", "classic", "--tracks", "0", "--track", "training", "--seed", "1"),
            "50 dots with random networks try the training track. Each generation the best become parents. Watch "
            "the dark 'best' curve climb until a dot drives the whole track: a banner says so.",
            "press T to send the best onto the test track, which they never trained on. Do they still drive?",
        ),
        Lesson(
            "overfitting",
            "Overfitting: learning one track by heart",
            ("--strategy", "classic", "--tracks", "0", "--track", "training", "--seed", "4", "--speed", "8"),
            "the dark curve (the training track) reaches the top while the red dashed curve (the champion on the "
            "unseen test track) stays low. The caption says 'Overfitting' when it shows.",
            "press G to train on a new random track, and watch whether the red curve catches up.",
        ),
        Lesson(
            "generalising",
            "Generalising: drivers for any track",
            ("--strategy", "elitist", "--tracks", str(elitist_tracks), "--seed", "1", "--speed", "8"),
            f"each generation also races {elitist_tracks} fresh random tracks, so only dots that really "
            "drive are kept. Watch the red test curve follow the dark one up.",
            "press T: the best drive the test track. Compare with the overfitting lesson.",
        ),
        Lesson(
            "side_by_side",
            "Two strategies side by side",
            ("--compare", "classic", "elitist", "--seed", "1", "--speed", "4"),
            "classic and elitist race the same track in step; the chart shows both. Which one finishes first?",
            "press V to give each run a lane of its own.",
        ),
        Lesson(
            "bigger_brains",
            "Bigger brains: the network's shape",
            ("--layers", ",".join(map(str, bigger)), "--seed", "1", "--speed", "4"),
            f"a network with {bigger[1]} and {bigger[2]} hidden neurons has {_weights(bigger)} weights to tune, "
            f"where the usual one has {_weights(DEFAULT_LAYERS)}. Does it learn faster or slower?",
            "press P and change the network's shape yourself (a fresh start from that generation).",
        ),
    )
    return {lesson.name: lesson for lesson in lessons}


LESSONS: dict[str, Lesson] = _lessons()


def lesson(name: str) -> Lesson:
    """The lesson called name, or InputError listing them."""
    if name not in LESSONS:
        raise InputError(f"--lesson: unknown lesson {name[:40]!r}; choose {', '.join(LESSONS)}")
    return LESSONS[name]


def take_lesson(argv: list[str]) -> tuple[list[str], Lesson | None]:
    """The command line with `--lesson NAME` replaced by the lesson's flags (first, so that flags given after it
    win), and the lesson (None without one). InputError for a second --lesson or an unknown name."""
    rest: list[str] = []
    found: Lesson | None = None
    tokens = iter(argv)
    for token in tokens:
        if token == "--lesson" or token.startswith("--lesson="):
            name = token.partition("=")[2] if "=" in token else next(tokens, "")
            if found is not None:
                raise InputError("--lesson is given twice: a run follows one lesson")
            if not name:
                raise InputError(f"--lesson needs a name: {', '.join(LESSONS)}")
            found = lesson(name)
            continue
        rest.append(token)
    return ([*found.flags, *rest] if found else rest), found
