"""The window's modes, started from the app layer's Options: a run evolving or saved genomes test-driving, or
runs side by side. main.py hands open_window to app.command.main; pygame is imported only from here on.
"""

from __future__ import annotations

import sys

from app.options import Options
from app.runs import build_reporters, nothing_to_do, shutdown, start_evolution, warn
from evolution.errors import RunFailed
from game.window import Window, run_window


def open_window(options: Options) -> int:
    """The window the options ask for: runs side by side (--compare), or one run or drive."""
    if options.compare:
        return run_compare_window(options, warn)
    return start_window(options)


def start_window(options: Options) -> int:
    """The window, evolving the run of the options or test-driving --load."""
    run = options.run
    if nothing_to_do(run):
        return 0
    if run.seed_was_drawn and not options.load:
        print(f"seed {run.config.seed} (pass --seed {run.config.seed} to repeat this run)")
    reporters, checkpointer = build_reporters(run, progress=False, warn=warn)
    if checkpointer:
        checkpointer.claim()
    evolution = None if options.load else start_evolution(run, reporters)
    try:
        status, final = run_window(options.window, evolution, run.keep, checkpointer, run.track, run.config.seed)
    except RunFailed as failed:  # the window has done what Q does; then the same way out, and main says it
        shutdown(failed.evolution or evolution, run, reporters, checkpointer)
        raise
    written = shutdown(final, run, reporters, checkpointer)
    return status or written


def run_compare_window(options: Options, warn) -> int:
    """The window racing options.compare side by side until quit (its checkpoint written however it ends);
    then every run's --save file, every log closed; the exit status."""
    from app.runs import compare_shutdown, comparison_checkpointer, comparison_done
    from game.views.compare_view import CompareView, compare_view

    run = options.run
    if comparison_done(options):
        return 0
    if run.seed_was_drawn:
        print(f"seed {run.config.seed} (pass --seed {run.config.seed} to repeat this comparison)")
    checkpointer = comparison_checkpointer(options, warn)  # its path locked before the window opens
    views: list[CompareView] = []

    def make_view(window: Window) -> CompareView:
        views.append(compare_view(window, options, lambda text: window.say(text, error=True), checkpointer))
        return views[-1]

    failed = None
    try:
        status, _ = run_window(options.window, None, run.keep, None, run.track, run.config.seed, make_view)
    except RunFailed as error:  # the window has done what Q does; then the same way out, and main says it
        status, failed = 1, error
    evolutions = [session.evolution for session in views[-1].runs] if views else []
    reporters = [reporter for evolution in evolutions for reporter in evolution.reporters]
    written = compare_shutdown(options, evolutions, reporters, checkpointer)
    if failed is not None:
        raise failed
    sys.stdout.flush()
    return status or written
