"""A command line run from start to end: parsed, its outputs claimed, its mode run, and every way it ends
turned into an exit status (a failure said in one line).
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from evolution.breeding.strategies import NotFinite
from evolution.errors import InputError, Interrupted, RunFailed
from evolution.files.crash import one_line, write_crash_report
from evolution.files.run_folder import (
    remove_if_unused,
)
from evolution.interrupts import signals_restored, stop_on_signals
from evolution.outputs import (
    release_claim,
)
from evolution.run.reporters import (
    GuardedOutput,
)

from .options import PROG, Listed, Options, fail, in_run_folder, parse
from .runs import claim_outputs, compare_headless, drive_headless, run_headless, sweep_headless, warn

WindowStarter = Callable[[Options], int]  # opens the window for options (a run, a drive or a comparison)


def main(argv: list[str] | None = None, window: WindowStarter | None = None) -> int:
    """Run the command line; the exit status: 0 done, 1 an output could not be written, the run's numbers
    overflowed or an internal error (said in one line on stderr, with a crash report for an error), 2 bad input
    (one line), 130 or 143 stopped by SIGINT or SIGTERM after saving, 141 output pipe closed (quietly, after
    saving)."""
    # Called in-process (argv given: tests, a host program), it puts back the signal handlers it found. Run as the
    # program (argv None), they stay as the shutdown left them: a Ctrl+C after the run has saved is ignored on the
    # way out, not main.py's quiet exit for the imports (status 130 for a run that ended well).
    keep = signals_restored() if argv is not None else contextlib.nullcontext()
    with keep:
        stop_on_signals()
        stdout, stderr = sys.stdout, sys.stderr
        # both guarded (`2>&1 | head` closes both); one closed before the start (`>&-`) is None, and prints nothing
        sys.stdout, sys.stderr = (GuardedOutput(s) if s is not None else None for s in (stdout, stderr))
        guarded = sys.stdout
        try:
            status = run_command(sys.argv[1:] if argv is None else argv, window)
        finally:
            sys.stdout, sys.stderr = stdout, stderr
    return status or (141 if guarded is not None and guarded.pipe_closed else 0)


def run_command(argv: list[str], window: WindowStarter | None = None) -> int:
    """Parse the command line, claim its outputs, run it; every way it ends as main's exit status."""
    options = None
    try:
        options = parse(argv)
        if options.plot_target is not None:
            return draw_figures(options.plot_target)
        if options.study_plot is not None:
            from evolution.many.study_plot import plot_command

            return plot_command(options.study_plot)
        options = in_run_folder(options, argv)
        claim_outputs(options)
        status = run_mode(options, window)
        if options.plot and options.folder is not None:
            status = draw_figures(options.folder, after_run=True) or status
        elif options.plot:
            warn("--plot draws an evolving run's figures; a test drive has none (--plot RUN draws a finished run's)")
        return status
    except Listed as listed:
        print(listed)
        return 0
    except RunFailed as failed:  # after the run's way out: what it had is saved
        return said_failure(failed.error, options, argv, failed.kept)
    except (InputError, ValueError) as exc:
        let_go(options)
        fail(str(exc))
    except Interrupted as stop:  # before the run started (a load, say): nothing to save yet
        let_go(options)
        print("interrupted before the run started; nothing was written", file=sys.stderr)
        return stop.status
    except Exception as error:  # an internal error with nothing started to save (a sweep, a drive): the claims go
        let_go(options)
        return said_failure(error, options, argv, "nothing was saved")
    return 0


def run_mode(options: Options, window: WindowStarter | None = None) -> int:
    """Run what the options ask for: a comparison, a study, a sweep or a headless run or drive here, the window
    through `window` (main.py hands in game/'s; the app layer does not import the window)."""
    if options.compare and options.headless:
        return compare_headless(options)
    if options.study is not None:
        from evolution.many.study import study_main

        return study_main(options.study, options.seeds, options.study_folder, options.cluster)
    if options.seeds:
        return sweep_headless(options)
    if options.headless:
        return drive_headless(options) if options.load else run_headless(options)
    if window is None:
        raise InputError("this program has no window to open here: add --headless")
    return window(options)


def let_go(options: Options | None) -> None:
    """Before the run started: the --save files claimed go, and the run's folder if it holds nothing yet."""
    for save in options.saves if options is not None else ():
        release_claim(save)
    if options is not None and options.folder is not None and options.folder_is_new:
        remove_if_unused(options.folder)


def draw_figures(target: Path, after_run: bool = False) -> int:
    """--plot: the figures of the run in target (a run's folder or a log) drawn beside it; 1 if none could be.
    after_run: the run just made (stopped before its first generation, it has nothing to draw: said)."""
    from evolution.files.plots import plot_run

    try:
        written = plot_run(target)
    except InputError as exc:
        if not after_run:
            raise
        warn(f"no figures: {exc}")
        return 0
    except Exception as exc:  # a figure that cannot be drawn or written is said; the run's files stay as they are
        warn(f"{target}: the figures were not drawn ({one_line(exc)})")
        return 1
    for path in written:
        print(f"figure: {path}")
    return 0


def said_failure(error: BaseException, options: Options | None, argv: list[str], kept: str) -> int:
    """An error after the start, its run's way out taken: bad input in one line (status 2), or an internal error
    in one line naming it, what was kept, and the crash report that holds its traceback (status 1)."""
    if sys.stdout is not None:
        sys.stdout.flush()
    if isinstance(error, InputError):
        fail(str(error))
    if isinstance(error, NotFinite):  # not a bug: the run's numbers outgrew a float (the window's run, say)
        print(f"{PROG}: error: {error}; the run stopped at its last finite generation ({kept})", file=sys.stderr)
        return 1
    near = None
    if options is not None:
        near = options.compare_checkpoint or options.run.checkpoint
    report = write_crash_report(error, near, [PROG, *argv])
    where = f"the crash report is {report}" if report else "no crash report could be written (traceback below)"
    print(
        f"{PROG}: error: stopped by an internal error ({one_line(error)}); {kept}; {where}",
        file=sys.stderr,
        flush=True,
    )
    if report is None:
        traceback.print_exception(error, file=sys.stderr)
    return 1
