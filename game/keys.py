"""The one table of keys: the app dispatches from it; the help, the footer and docs/window.md are made from it."""

from __future__ import annotations

from dataclasses import dataclass

import pygame


@dataclass(frozen=True)
class Binding:
    """Keys that give one command; label is how people write the keys, short what the footer says."""

    command: str
    keys: tuple[int, ...]
    label: str
    description: str
    short: str


BINDINGS: tuple[Binding, ...] = (
    Binding("pause", (pygame.K_SPACE,), "Space", "pause / resume", "pause"),
    Binding("step", (pygame.K_RIGHT, pygame.K_n), "→ or N", "one step while paused", "step"),
    Binding(
        "faster",
        (pygame.K_f, pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS),
        "F or +",
        "faster: ×1, ×2, ×4, … ×64, then turbo",
        "faster",
    ),
    Binding("slower", (pygame.K_MINUS, pygame.K_KP_MINUS), "−", "slower", "slower"),
    Binding(
        "track",
        (pygame.K_t,),
        "T",
        "test drive: the current best genomes (those S saves; every run's in a comparison) drive the test track; "
        "T again returns to evolving",
        "test track",
    ),
    Binding(
        "new_track",
        (pygame.K_g,),
        "G",
        "train on a new random track, from this generation on (marked on the chart)",
        "new track",
    ),
    Binding(
        "training_track",
        (pygame.K_b,),
        "B",
        "train on the blog's training track again (marked on the chart)",
        "training track",
    ),
    Binding(
        "endless",
        (pygame.K_j,),
        "J",
        "endless road: each time half the dots finish, a new track one level harder (J again: the training track)",
        "endless",
    ),
    Binding(
        "editor",
        (pygame.K_k,),
        "K",
        "track editor: draw a track of your own (starting from this one), check that a dot can drive it, save it "
        "into tracks/ and race it",
        "editor",
    ),
    Binding("save", (pygame.K_s,), "S", "save the best genomes into this run's folder under runs/", "save"),
    Binding(
        "load",
        (pygame.K_l,),
        "L",
        "test-drive a save (the --load file, or one picked from a list, this run's first, or every run's in a "
        "comparison); L again returns",
        "load",
    ),
    Binding("restart", (pygame.K_r,), "R", "restart evolution with a new seed (press R twice to confirm)", "restart"),
    Binding(
        "settings",
        (pygame.K_p,),
        "P",
        "settings panel: change the mutation rate, strategy, network, track, … from the next generation",
        "settings",
    ),
    Binding(
        "copy_command",
        (pygame.K_c,),
        "C",
        "copy the run as one command line to the clipboard (and print it)",
        "copy line",
    ),
    Binding("axis", (pygame.K_a,), "A", "chart's y axis: share of the track, log scale, or zoomed to the data", "axis"),
    Binding(
        "lanes",
        (pygame.K_v,),
        "V",
        "runs side by side (--compare): all in one track view, or stacked lanes, one per run",
        "lanes",
    ),
    Binding("captions", (pygame.K_w,), "W", "captions on or off: a line saying what is happening and why", "captions"),
    Binding(
        "larger",
        (pygame.K_z,),
        "Z",
        "everything larger (×1, ×1.25, ×1.5, ×2), for a projector: from ×1.5 only the track and the chart, shown big",
        "larger",
    ),
    Binding(
        "panels",
        (pygame.K_TAB,),
        "Tab",
        "with Z at ×1.5 or ×2: the numbers and the network in place of the chart, and back",
        "panels",
    ),
    Binding(
        "earlier",
        (pygame.K_LEFTBRACKET, pygame.K_COMMA),
        "[ or ,",
        "timeline: select the generation before (the latest first); a click on the chart selects one too",
        "earlier",
    ),
    Binding(
        "later", (pygame.K_RIGHTBRACKET, pygame.K_PERIOD), "] or .", "timeline: select the next generation", "later"
    ),
    Binding(
        "replay",
        (pygame.K_RETURN, pygame.K_KP_ENTER),
        "Enter",
        "replay the selected generation on the track it raced, its scores checked against the history",
        "replay",
    ),
    Binding("present", (pygame.K_HOME, pygame.K_BACKSPACE), "Home", "back to the present (Backspace too)", "present"),
    Binding(
        "ghost",
        (pygame.K_o,),
        "O",
        "the selected generation's champion races as a ghost beside the population, from the next race on",
        "ghost",
    ),
    Binding(
        "then_and_now",
        (pygame.K_y,),
        "Y",
        "then and now: the selected generation (else generation 5) races beside the latest, in two lanes",
        "then and now",
    ),
    Binding("clear_ghosts", (pygame.K_x,), "X", "clear the ghosts", "no ghosts"),
    Binding(
        "lineage",
        (pygame.K_u,),
        "U",
        "lineage: replay the followed dot's parent's generation, following the parent",
        "lineage",
    ),
    Binding(
        "record_movie",
        (pygame.K_m,),
        "M",
        "record the window as a movie (MP4) into this run's folder; M again stops",
        "movie",
    ),
    Binding(
        "record_gif",
        (pygame.K_i,),
        "I",
        "record the window as an animated picture (GIF, half size, at most 30 s) into this run's folder; I again stops",
        "GIF",
    ),
    Binding(
        "figures",
        (pygame.K_d,),
        "D",
        "draw the figures into this run's folder: the best 20's paths on the track and the learning curves",
        "figures",
    ),
    Binding(
        "export",
        (pygame.K_e,),
        "E",
        "export the chart as it stands (PNG) and the log so far (CSV) into this run's folder",
        "export",
    ),
    Binding(
        "lessons",
        (pygame.K_F2,),
        "F2",
        "ready-made lessons: the blog's experiment, overfitting, generalising, two strategies, bigger brains",
        "lessons",
    ),
    Binding("help", (pygame.K_h, pygame.K_F1), "H or F1", "show or hide this help", "help"),
    Binding(
        "quit",
        (pygame.K_ESCAPE, pygame.K_q),
        "Esc or Q",
        "quit (saving the best genomes first if new and better)",
        "quit",
    ),
)

COMMAND_OF_KEY: dict[int, str] = {key: b.command for b in BINDINGS for key in b.keys}


# the help's headings, in order: what each group of keys is for
GROUPS: dict[str, str] = {
    "watch": "Watch: pace, words and size",
    "experiment": "Experiment: change what they learn",
    "time": "Go back in time: earlier generations",
    "files": "Files: keep and share a run",
    "": "More keys",
}

# the group of each command in the help (GROUPS); a command not here goes under "More keys"
GROUP_OF: dict[str, str] = {
    **dict.fromkeys(("pause", "step", "faster", "slower", "captions", "larger", "panels", "axis", "lanes"), "watch"),
    "help": "watch",
    **dict.fromkeys(
        ("track", "new_track", "training_track", "settings", "restart", "lessons", "endless", "editor"), "experiment"
    ),
    **dict.fromkeys(("earlier", "later", "replay", "present", "ghost", "clear_ghosts", "lineage"), "time"),
    "then_and_now": "time",
    **dict.fromkeys(("save", "load", "copy_command", "quit"), "files"),
    **dict.fromkeys(("record_movie", "record_gif", "figures", "export"), "files"),
}

# the keys the footer reminds of: the few a first lesson needs (every key is in the help, H)
FOOTER = ("pause", "faster", "slower", "track", "captions", "settings", "lessons", "help", "quit")
FOOTER_TIP = "click a dot to follow it"  # the footer's last words, the first it leaves out when short of room


def footer_text(works=None) -> str:
    """The one-line reminder at the bottom of the window: the keys a first lesson needs, those that work in the
    view shown (works(command) says; None: all); H shows them all."""
    shown = [b for b in BINDINGS if b.command in FOOTER and (works is None or works(b.command))]
    return "   ".join(f"{b.label.split(' or ')[0]} {b.short}" for b in shown) + "   " + FOOTER_TIP


def grouped(works=None) -> list[tuple[str, list[Binding]]]:
    """The bindings under their headings (GROUPS' order), those that work in the view shown (works(command));
    the ones that do not are left out, and listed by the help on a line of their own."""
    groups = []
    for group, heading in GROUPS.items():
        members = [b for b in BINDINGS if GROUP_OF.get(b.command, "") == group and (works is None or works(b.command))]
        if members:
            groups.append((heading, members))
    return groups


def markdown_table() -> str:
    """The keys as the Markdown table in docs/window.md."""
    rows = ["| Key | What it does |", "| --- | --- |"]
    rows += [f"| {b.label} | {b.description} |" for b in BINDINGS]
    return "\n".join(rows)
