"""Runs assembled from Options and ended: their reporters and checkpoints, the headless modes (a run, a drive,
a comparison, a sweep) and the one shutdown every way out goes through.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from evolution.atomic import write_atomic
from evolution.breeding.strategies import NotFinite
from evolution.errors import InputError, Interrupted, RunFailed
from evolution.files.checkpoint import (
    Checkpointer,
    ComparisonCheckpointer,
    check_checkpoint_fits,
)
from evolution.files.crash import one_line
from evolution.files.replay import ReplayCheck, check_log_fits
from evolution.files.run_folder import (
    write_command,
    write_seed_logs,
)
from evolution.interrupts import atomic, ignore_signals
from evolution.many import compare
from evolution.many.lockstep import Lockstep
from evolution.many.sweep import SweepLog, batch_size, summarise, sweep
from evolution.outputs import (
    check_not_another_run,
    check_one_owner,
    check_writable,
    claim_new_file,
    release_claim,
)
from evolution.racing.race import race_scores
from evolution.racing.track import start_track
from evolution.run.climb import climb_text
from evolution.run.evolve import Evolution
from evolution.run.genome_file import MAX_BYTES, save_genomes, smallest_saved_bytes
from evolution.run.lab import ReplayMismatch, run_line
from evolution.run.reporters import (
    LOG_HEADER,
    CsvLog,
    OutputClosed,
    ProgressLine,
    Reporter,
    starts_as_a_log,
)
from evolution.run.run_size import check_sweep_size
from evolution.run.settings import (
    ScheduleError,
    initial_config,
    is_built_track,
)

from .options import PROG, Options, RunOptions


def build_reporters(run: RunOptions, progress: bool, warn) -> tuple[list[Reporter], Checkpointer | None]:
    """The run's observers, in the order they are told of each generation: the progress line, the
    log, then the checkpointer (also returned on its own, for the writes the window asks for)."""
    reporters: list[Reporter] = [ProgressLine()] if progress else []
    if run.replay:
        reporters.insert(0, ReplayCheck(run.replay))
    if run.log:
        start = run.config
        if run.resumed:
            start = initial_config(run.resumed.config, run.resumed.state.events)
        log = CsvLog(
            run.log,
            continue_at=run.resumed.state.reported if run.resumed else None,
            run_line=run_line(
                start,
                start_track(run.resumed.track.name, run.resumed.state.events) if run.resumed else run.track.name,
            ),
            events=run.resumed.state.events if run.resumed else (),
            warn=warn,
        )
        if run.changes:
            log.note(f"resumed at generation {run.resumed.state.generation}: " + ", ".join(run.changes))
        reporters.append(log)
    checkpointer = Checkpointer(run.checkpoint, run.checkpoint_every, warn) if run.checkpoint else None
    if checkpointer:
        reporters.append(checkpointer)
    return reporters, checkpointer


def start_evolution(run: RunOptions, reporters: list[Reporter]) -> Evolution:
    """The run the options describe: a fresh one, or the checkpoint's, going on."""
    if run.resumed is None:
        evolution = Evolution(run.config, run.track, reporters)
    else:
        evolution = run.resumed.evolution(reporters, run.config)
        if run.track.name != run.resumed.track.name:  # --track on resume: from the generation under way on
            if is_built_track(run.track.name):
                evolution.change_track(run.track)  # recorded as a track change, so the run replays
            else:
                evolution.use_track(run.track)  # a track file is not a setting: the run replays up to here only
    if run.replay:
        run.replay.schedule(evolution)
    try:
        evolution.schedule_all(list(run.scheduled))
    except ScheduleError as exc:
        text = str(exc)  # check_schedule's names the change; a value's check does not
        raise InputError(text if text.startswith("--set ") else f"--set {exc.change.flag()}: {text}") from None
    except ValueError as exc:
        raise InputError(f"--set: {exc}") from None
    return evolution


def nothing_to_do(run: RunOptions, quiet: bool = False) -> bool:
    """True (after saying so, unless quiet) when a resumed run has already reached its last generation."""
    checkpoint = run.resumed
    if checkpoint is None or run.config.generations is None:
        return False
    state = checkpoint.state
    if state.generation > run.config.generations and state.reported == state.generation:
        if quiet:
            return True
        print(f"{run.resumed_from}: the run has already reached generation {state.generation - 1}; nothing to do")
        return True
    return False


def warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr, flush=True)


def claim_outputs(options: Options) -> None:
    """Check every file the run will write, and claim the --save file, before any work (InputError if not)."""
    run = options.run
    check_one_owner(*outputs_and_inputs(options))
    for other in options.compare[1:]:
        check_writable(other.log, "--log") if other.log else None
    if run.log:
        check_writable(run.log, "--log")
        written_at_the_end = options.seeds or (options.load and options.headless)  # not a CsvLog: checked here
        headers = (LOG_HEADER, DRIVE_LOG_HEADER, SWEEP_LOG_HEADER)
        nonempty = written_at_the_end and run.log.is_file() and run.log.stat().st_size
        if nonempty and not starts_as_a_log(run.log, headers):
            raise InputError(f"{run.log}: exists and is not a neuroracer log; --log never replaces other files")
    for each in options.compare or (run,):
        if each.log and not options.seeds and not options.load:  # a run's log, which --replay reads back
            events = len(each.scheduled) + (len(each.resumed.state.events) if each.resumed else 0)
            check_log_fits(each.log, each.config.generations, events)
        count = min(each.keep, each.config.population)
        least = smallest_saved_bytes(count, each.config.layers)
        if each.save and least > MAX_BYTES:
            raise InputError(
                f"--save {each.save}: {count} genomes of layers {','.join(map(str, each.config.layers))} take at "
                f"least {least} bytes, more than a genome file may hold "
                f"({MAX_BYTES} bytes); keep fewer (--keep) or a smaller network"
            )
    checkpoint = options.compare_checkpoint if options.compare else run.checkpoint
    if checkpoint is not None:
        check_not_another_run(checkpoint, run.resumed_from)
        check_checkpoint_fits(
            checkpoint, [(r.config, len(r.track.top), r.scheduled) for r in options.compare or (run,)]
        )
    for save in options.saves:
        claim_new_file(save, "--save")
    if options.window.screenshot and not options.headless:
        check_writable(options.window.screenshot, "--screenshot")
    if options.window.record and not options.headless:
        check_writable(options.window.record, "--record")


def outputs_and_inputs(options: Options) -> tuple[list[tuple[str, Path]], list[tuple[str, Path]]]:
    """Every file the command writes (flag, path) and every file it reads, for check_one_owner."""
    run = options.run
    outputs = []
    for each in options.compare or (run,):
        outputs += [(flag, path) for flag, path in (("--log", each.log), ("--save", each.save)) if path]
    checkpoint = options.compare_checkpoint if options.compare else run.checkpoint
    outputs += [("--checkpoint", checkpoint)] if checkpoint else []
    outputs += [("--screenshot", options.window.screenshot)] if options.window.screenshot else []
    inputs = [("--resume", run.resumed_from)] if run.resumed_from else []
    inputs += [("--replay", run.replay.source)] if run.replay else []
    inputs += [("--load", options.load)] if options.load else []
    return outputs, inputs


def shutdown(evolution: Evolution | None, run: RunOptions, reporters: list[Reporter], checkpointer) -> int:
    """The one way out of a run, however it ends: the checkpoint, the --save file, the log closed; each of
    them tried whatever happened to the others. Returns 0, or 1 if something could not be written (said)."""
    ignore_signals()
    failed = False
    if evolution is not None and checkpointer is not None:
        if checkpointer.saved_generation != evolution.generation:
            try:
                saved = checkpointer.save(evolution)
            except Exception as exc:  # an internal error: said, and the rest still done
                warn(f"checkpoint not saved: {one_line(exc)}")
                saved = False
            if not saved:
                failed = True
            elif not in_own_folder(checkpointer.path, run):  # the folder's own is said once, as the folder
                print(f"checkpoint: {checkpointer.path} ({evolution.generation} generations done)")
        checkpointer.release()
    failed = not close_reporters(reporters) or failed
    failed = not save_best_file(evolution, run) or failed
    if run.folder is not None and evolution is not None:
        try:  # the line that repeats the run as it went, its window changes (--set) and length included
            write_command(run.folder, evolution.command_line())
        except Exception as exc:
            warn(f"{run.folder}: the run's command line was not written ({one_line(exc)})")
    return 1 if failed else 0


def in_own_folder(path: Path, run: RunOptions) -> bool:
    """True for an output the run's folder holds by default (said once, as the folder, not file by file)."""
    return run.folder is not None and path.parent == run.folder


def close_reporters(reporters: list[Reporter]) -> bool:
    """Close every reporter (the log), each whatever happened to the others; False (said) if one failed."""
    closed = True
    for reporter in reporters:
        try:
            reporter.close()
        except Exception as exc:
            warn(f"{getattr(reporter, 'path', 'a reporter')}: not closed ({one_line(exc)})")
            closed = False
        closed = closed and not getattr(reporter, "failed", False)
    return closed


def save_best_file(evolution: Evolution | None, run: RunOptions, name: str = "") -> bool:
    """Write run.save (claimed, empty, at the start) with the run's best genomes, or let it go if there are none;
    False (said) if it could not be written. name: the run's name in a comparison, for the message."""
    if not run.save:
        return True
    best = evolution.best(run.keep) if evolution is not None else None
    if best is None:
        release_claim(run.save)
        return True
    who = f"{name}: " if name else ""
    try:
        path = save_genomes(run.save, best, replace=True)  # over the empty file claimed at the start
    except Exception as exc:  # bad input or an internal error: said, and the claim let go
        warn(f"{who}the best genomes were not saved: {exc if isinstance(exc, InputError) else one_line(exc)}")
        release_claim(run.save)  # the empty file claimed at the start is not left behind
        return False
    print(f"{who}saved the best {len(best.genomes)} genomes to {path}")
    return True


def run_headless(options: Options) -> int:
    run = options.run
    config = run.config
    if run.seed_was_drawn:
        print(f"seed {config.seed} (drawn at random; pass --seed {config.seed} to repeat this run)")
    if nothing_to_do(run):
        release_claim(run.save) if run.save else None
        return 0
    reporters, checkpointer = build_reporters(run, progress=True, warn=warn)
    if checkpointer:
        checkpointer.claim()
    say_folder(options)  # once its files are open: a refused one is said alone
    evolution = start_evolution(run, reporters)
    started = time.perf_counter()
    status = 0
    try:
        while not evolution.raced_all:
            evolution.run_generation()
        evolution.finish_test_drives_now()  # the last champions' test drives, and their rows
    except Interrupted as stop:
        status = stop.status
        print(f"interrupted in generation {evolution.generation}; saving first", file=sys.stderr)
    except OutputClosed:
        status = 141  # as a program killed by SIGPIPE; quietly, as `head` expects (stdout now goes nowhere)
    except NotFinite as exc:  # the state is still the last finite one: saved as any stop saves
        status = 1
        print(f"{PROG}: error: generation {evolution.generation}: {exc}; the run stops here", file=sys.stderr)
    except ReplayMismatch as exc:  # the replay does not give the recorded rows: bad input, after the shutdown
        shutdown(evolution, run, reporters, checkpointer)
        raise run.replay.mismatch(exc) if run.replay else InputError(str(exc)) from None
    except Exception as error:  # an error after the start: the same way out, then main says it in one line
        shutdown(evolution, run, reporters, checkpointer)
        raise RunFailed(error, evolution) from error
    written = shutdown(evolution, run, reporters, checkpointer)
    status = status or written
    last = evolution.history.last()
    if last is not None:
        print(
            f"done: best {last.best} of {evolution.track.finish} · finished {last.finished} of"
            f" {evolution.config.population}"
            f" · {time.perf_counter() - started:.2f} s · seed {config.seed} · track {evolution.track.name}"
        )
        if climb_text(evolution):
            print(f"endless: {climb_text(evolution)}")
    if run.replay and not status:
        print(run.replay.finish(evolution))
    return status


def say_folder(options: Options) -> None:
    """The line that tells where the run's files go."""
    if options.folder is not None:
        print(f"this run's folder: {options.folder} (its command line, log, checkpoint and saves)", flush=True)


def compare_headless(options: Options) -> int:
    """--headless --compare: the runs in lockstep, one line per generation with every run's figures, each run's
    own log, the comparison's checkpoint, and a table at the end."""
    names = list(options.compare_names)
    if comparison_done(options):
        return 0
    first = options.run
    if first.seed_was_drawn:
        print(f"seed {first.config.seed} (drawn at random; pass --seed {first.config.seed} to repeat this comparison)")
    lines = compare.Lines(names, start=max(run.resumed.state.reported if run.resumed else 0 for run in options.compare))
    checkpointer = comparison_checkpointer(options, warn)
    evolutions, reporters = [], []
    for index, run in enumerate(options.compare):
        own, _ = build_reporters(run, progress=False, warn=warn)
        reporters += own
        evolutions.append(start_evolution(run, [lines.for_run(index), *own]))
    if checkpointer:
        checkpointer.attach(evolutions)
    say_folder(options)

    def checkpoint_when_due() -> None:
        if checkpointer and checkpointer.due():
            checkpointer.save()

    started, status = time.perf_counter(), 0
    try:
        Lockstep(evolutions, after_round=checkpoint_when_due).run()
    except Interrupted as stop:
        status = stop.status
        print("interrupted; saving first", file=sys.stderr)
    except NotFinite as exc:  # every run's state is still its last finite one: saved as any stop saves
        status = 1
        print(f"{PROG}: error: {exc}; the comparison stops here", file=sys.stderr)
    except OutputClosed:
        status = 141  # quietly (stdout now goes nowhere)
    except Exception as error:  # an error after the start: the same way out, then main says it in one line
        compare_shutdown(options, evolutions, reporters, checkpointer)
        raise RunFailed(error) from error
    written = compare_shutdown(options, evolutions, reporters, checkpointer)
    compare.print_end(names, evolutions, started)
    return status or written


def comparison_done(options: Options) -> bool:
    """True (after saying so, and letting the --save files claimed go) when a resumed comparison's runs have all
    reached their last generation."""
    if not all(nothing_to_do(run, quiet=True) for run in options.compare):
        return False
    for save in options.saves:
        release_claim(save)
    generation = options.run.resumed.state.generation if options.run.resumed else 0
    print(f"{options.run.resumed_from}: the comparison has already reached generation {generation - 1}; nothing to do")
    return True


def comparison_checkpointer(options: Options, warn) -> ComparisonCheckpointer | None:
    """The comparison's checkpointer (--checkpoint, or the file resumed), its path locked; None without one."""
    if options.compare_checkpoint is None:
        return None
    every = options.run.checkpoint_every
    checkpointer = ComparisonCheckpointer(options.compare_checkpoint, every, warn, list(options.compare_specs))
    checkpointer.claim()
    return checkpointer


def compare_shutdown(
    options: Options,
    evolutions: list[Evolution],
    reporters: list[Reporter],
    checkpointer: ComparisonCheckpointer | None,
) -> int:
    """The one way out of a comparison, however it ends: its checkpoint, every run's --save file, the logs
    closed, each tried whatever happened to the others. Returns 0, or 1 if something was not written (said)."""
    ignore_signals()
    failed = False
    attached = checkpointer is not None and len(checkpointer.evolutions) == len(options.compare)
    try:
        if (
            attached
            and not checkpointer.up_to_date
            and checkpointer.save()
            and checkpointer.path.parent != options.folder
        ):
            print(f"checkpoint: {checkpointer.path} ({len(evolutions)} runs, generation {checkpointer.generation})")
        failed = checkpointer is not None and checkpointer.failed
    except Exception as exc:  # an internal error: said, and the rest still done
        warn(f"checkpoint not saved: {one_line(exc)}")
        failed = True
    if checkpointer is not None:
        checkpointer.release()
    failed = not close_reporters(reporters) or failed
    for index, run in enumerate(options.compare):
        evolution = evolutions[index] if index < len(evolutions) else None
        failed = not save_best_file(evolution, run, options.compare_names[index]) or failed
    return 1 if failed else 0


def drive_headless(options: Options) -> int:
    saved = options.window.drive
    track = options.run.track
    try:
        scores = race_scores(saved.genomes, track, saved.network)
    except Exception as error:  # after the start (a ValueError too is no bad input now): said with a crash report
        raise RunFailed(error, kept="nothing was written") from error
    width = len(str(len(scores)))
    for rank, score in enumerate(scores, start=1):
        mark = "finished" if score >= track.finish else ""
        print(f"genome {rank:>{width}}  score {score:>6}  {mark}".rstrip())
    finished = int((scores >= track.finish).sum())
    print(f"finished {finished} of {len(scores)}")
    if options.run.log:
        rows = [DRIVE_LOG_HEADER] + [
            f"{rank},{score},{int(score >= track.finish)}" for rank, score in enumerate(scores, start=1)
        ]
        write_atomic(options.run.log, ("\n".join(rows) + "\n").encode())
    return 0


DRIVE_LOG_HEADER = "rank,score,finished"
SWEEP_LOG_HEADER = "seed,first_finisher,top20_all_finish_test,unseen_share,seconds"


def sweep_headless(options: Options) -> int:
    """--seeds: the run of the other flags once per seed, over every core; the summary, and --log's rows, each
    written as its seed finishes (a stopped sweep keeps them, and says how many)."""
    run = options.run
    config = run.config
    started = time.perf_counter()
    what = f"{config.strategy}, population {config.population}, {config.generations} generations"
    if run.scheduled:
        what += ", " + " ".join(f"--set {change.flag()}" for change in run.scheduled)
    jobs = min(os.cpu_count() or 1, len(options.seeds))
    batch = batch_size(len(options.seeds), jobs, config.population)
    check_sweep_size(config.population, config.layers, config.extra_tracks, len(options.seeds), jobs, batch)
    print(f"{len(options.seeds)} runs of {what}", flush=True)
    say_folder(options)
    log = SweepLog(run.log, SWEEP_LOG_HEADER, warn) if run.log else None
    outcomes: list = []
    seed_logs = [options.folder] if options.folder is not None else []  # each seed's rows, for its figure

    def finished(outcome) -> None:
        with atomic():  # counted and written together: a signal between them would say a seed done whose row is not
            _finished(outcome)

    def _finished(outcome) -> None:
        if seed_logs:
            try:
                write_seed_logs(seed_logs[0], config, run.track.name, [outcome], exact=not run.scheduled)
            except InputError as exc:  # a full disk: said once, and the sweep goes on without them
                warn(f"the seeds' logs are no longer written ({exc})")
                seed_logs.clear()
        outcome = replace(outcome, rows=())  # written: a long sweep does not keep them
        outcomes.append(outcome)
        if outcome.stopped:  # its numbers overflowed: it ended at its last finite generation, the others go on
            print(f"{PROG}: error: seed {outcome.seed}: {outcome.stopped}; its run stopped there", file=sys.stderr)
        if log is not None:
            log.write(
                f"{outcome.seed},{'' if outcome.first_finisher is None else outcome.first_finisher},"
                f"{'' if outcome.top_all_finish_test is None else int(outcome.top_all_finish_test)},"
                f"{outcome.unseen_share!r},{outcome.seconds:.3f}"
            )

    status = 0
    try:
        sweep(config, options.seeds, run.track, jobs, changes=run.scheduled, on_outcome=finished,
              keep_rows=bool(seed_logs))  # fmt: skip
    except Interrupted as stop:
        ignore_signals()
        status = stop.status
        kept = f"; their rows are in {run.log}" if log is not None and log.rows else ""
        print(f"interrupted after {len(outcomes)} of {len(options.seeds)} seeds{kept}", file=sys.stderr)
    except Exception as error:  # after the start (a ValueError too is no bad input now): said with a crash report
        done = len(outcomes)
        kept = f"the rows of the {done} seeds done are in {run.log}" if log is not None and log.rows else ""
        raise RunFailed(error, kept=kept or "no seed's row was written") from error
    finally:
        if log is not None:
            log.close()
    wall = time.perf_counter() - started
    summary = summarise(outcomes)
    count = summary.seeds
    median = "never" if summary.median_first == float("inf") else f"{summary.median_first:g}"
    print(
        f"finisher within 40 generations: {summary.within_40} of {count} · within 60: {summary.within_60} · "
        f"within 150: {summary.within_150} · at all: {summary.found} · median first finisher: {median}"
    )
    print(
        f"saved top 20 all finish the test track: {summary.top_all_finish_test} of {count} · champion's share of "
        f"50 unseen tracks: {100 * summary.mean_unseen_share:.1f}% · {wall:.0f} s"
    )
    overflowed = any(outcome.stopped for outcome in outcomes)
    return status or (1 if overflowed or (log is not None and log.failed) else 0)
