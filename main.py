"""neuroracer: watch a population of tiny neural networks learn to race, by evolution.

python main.py                      open the window and watch evolution live
python main.py --load best.json     test-drive saved champions in the window
python main.py --headless ...       evolve (or, with --load, drive) without a window
"""

from __future__ import annotations

import os
import signal
import sys

if __name__ == "__main__":  # Ctrl+C while the modules below load: nothing is written yet, so end quietly
    signal.signal(signal.SIGINT, lambda signum, frame: os._exit(128 + signum))

import argparse
import secrets
import time
import traceback
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from evolution import compare
from evolution.budget import (
    ENVIRONMENT,
    check_ghosts,
    check_run_size,
    check_sweep_size,
    parse_size,
    set_budget,
)
from evolution.checkpoint import (
    Checkpoint,
    Checkpointer,
    Comparison,
    ComparisonCheckpointer,
    check_checkpoint_fits,
    check_resumed_total,
    read_checkpoint,
)
from evolution.crash import one_line, write_crash_report
from evolution.drivable import refuse_undrivable
from evolution.endless import climb_text, endless_name
from evolution.errors import InputError, Interrupted, RunFailed
from evolution.evolve import Evolution, RunConfig
from evolution.files import write_atomic
from evolution.flag_types import layer_list, rate, seed_list, shown, speed, whole, window_size
from evolution.genome_file import MAX_BYTES, GenomeFile, load_genomes, save_genomes, smallest_saved_bytes
from evolution.ghosts import MAX_GHOSTS, ghosts_from_file
from evolution.interrupts import ignore_signals, stop_on_signals
from evolution.lab import ReplayMismatch, run_line
from evolution.lessons import LESSONS, take_lesson
from evolution.outputs import (
    check_not_another_run,
    check_one_owner,
    check_writable,
    claim_new_file,
    release_claim,
)
from evolution.race import race_scores
from evolution.replay import ReplayCheck, ReplayPlan, check_log_fits, load_replay
from evolution.reporters import (
    LOG_HEADER,
    CsvLog,
    GuardedOutput,
    OutputClosed,
    ProgressLine,
    Reporter,
    starts_as_a_log,
)
from evolution.run_folder import (
    BEST,
    CHECKPOINT,
    LOG,
    SWEEP_LOG,
    command_text,
    folder_name,
    folder_of,
    free_name,
    listing,
    make_folder,
    remove_if_unused,
    resolve,
    runs_root,
    write_command,
    write_seed_logs,
)
from evolution.settings import (
    MAX_EVENTS,
    ScheduleError,
    SettingEvent,
    check_schedule,
    help_text,
    initial_config,
    is_built_track,
    parse_set,
)
from evolution.strategies import STRATEGIES, NotFinite
from evolution.sweep import SweepLog, batch_size, summarise, sweep
from evolution.track import SAVED_TRACK, Track, start_track
from evolution.track_draft import TrackDraft
from evolution.track_names import resolve_track

PROG = "main.py"
DEFAULT_STRATEGY = "elitist"  # the best row of python -m bench.learning (see docs/strategies.md)
HEADLESS_GENERATIONS = 120
LISTED = "?"  # --resume or --replay given alone: list the runs; --plot alone: this run's figures at its end


class Listed(Exception):
    """--resume or --replay given without a file: the runs are listed (the message) and nothing is run."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad flag in one line and exits with 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        fail(f"{message} (see --help)")


def fail(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def memory_size(text: str) -> int:
    """A --memory-budget size: bytes, or with a unit (512M, 4G)."""
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def png_path(text: str) -> Path:
    """A --screenshot path: it must end in .png."""
    if not text.lower().endswith(".png"):
        raise argparse.ArgumentTypeError(f"{shown(text)}: the file must end in .png")
    return Path(text)


def recording_path(text: str) -> Path:
    """A --record path: it must end in .mp4 or .gif."""
    if not text.lower().endswith((".mp4", ".gif")):
        raise argparse.ArgumentTypeError(f"{shown(text)}: the file must end in .mp4 or .gif")
    return Path(text)


def set_flag(text: str) -> SettingEvent:
    """A --set value GENERATION:SETTING=VALUE."""
    try:
        return parse_set(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def take_sets(argv: list[str]) -> tuple[list[str], list[SettingEvent]]:
    """argv without its --set flags, and their changes in order, read in one pass: argparse's time grows with the
    square of the flags it reads (10,000 --set took seconds). A --set that is not plainly followed by its value
    is left to argparse, with every other (argv unchanged), so it says what is wrong as it always has."""
    rest: list[str] = []
    changes: list[SettingEvent] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == "--":
            rest += argv[index:]
            break
        if token == "--set" and index + 1 < len(argv) and not argv[index + 1].startswith("-"):
            value, index = argv[index + 1], index + 2
        elif token.startswith("--set="):
            value, index = token[len("--set=") :], index + 1
        elif token == "--set":
            return argv, []
        else:
            rest.append(token)
            index += 1
            continue
        try:
            changes.append(set_flag(value))
        except argparse.ArgumentTypeError as exc:
            fail(f"argument --set: {exc} (see --help)")
    return rest, changes


def build_parser() -> Parser:
    strategies = "; ".join(f"{name}: {cls.summary()}" for name, cls in STRATEGIES.items()).replace("%", "%%")
    parser = Parser(
        prog=PROG,
        description="Watch a population of 7-8-4-1 neural networks learn to race a track by evolution.",
        epilog="Keys in the window: press H there, or see docs/window.md.",
    )
    parser.add_argument("--headless", action="store_true", help="run without a window, printing a line per generation")
    parser.add_argument(
        "--lesson",
        metavar="NAME",
        help="start a ready-made lesson: its settings, and in the window a card saying what to watch for "
        f"({', '.join(LESSONS)}); flags after it change it (F2 in the window lists them)",
    )
    parser.add_argument(
        "--generations",
        type=whole(0, 10**7),
        metavar="N",
        help="generations after the random one (default 120 headless, no limit in the window)",
    )
    parser.add_argument("--population", type=whole(2, 100_000), metavar="N", help="genomes per generation (default 50)")
    parser.add_argument(
        "--layers",
        type=layer_list,
        metavar="7,8,4,1",
        help="network layer sizes, 7 inputs and 1 output (default 7,8,4,1)",
    )
    parser.add_argument(
        "--mutation-rate",
        type=rate,
        metavar="R",
        help=(
            f"size of the mutation noise (default {STRATEGIES['classic'].default_mutation_rate:g} for classic, "
            f"{STRATEGIES['elitist'].default_mutation_rate:g} for elitist, {STRATEGIES['elitist'].LATE_NOISE:g} "
            f"times that from generation {STRATEGIES['elitist'].LATE_GENERATION}; snes adapts its own)"
        ),
    )
    parser.add_argument(
        "--strategy",
        choices=sorted(STRATEGIES),
        help=f"how the next generation is bred (default {DEFAULT_STRATEGY}). {strategies}",
    )
    parser.add_argument(
        "--tracks",
        "--extra-tracks",
        dest="tracks",
        type=whole(0, 100),
        metavar="K",
        help="also score each generation on K fresh random tracks; selection uses the mean share finished, and "
        "for elitist and snes how far from the barriers finishers keep (default 0 for classic, 2 for the others)",
    )
    parser.add_argument(
        "--test-curve",
        action=argparse.BooleanOptionalAction,
        help="drive each generation's champion on the test track and log it as test_best (default on)",
    )
    parser.add_argument(
        "--seed",
        type=whole(0, 2**32 - 1),
        metavar="S",
        help="seed of every random draw (default: drawn at random and printed)",
    )
    parser.add_argument(
        "--track",
        metavar="TRACK",
        help="training, test, random:SEED[:COLUMNS] or a .csv/.npy file (default training)",
    )
    parser.add_argument(
        "--endless",
        action="store_true",
        help="endless mode: each time half the population finishes, a new random track one level harder "
        "(narrower, sharper, longer), drawn from the seed; the same as --track endless:SEED:1",
    )
    parser.add_argument("--log", type=Path, metavar="FILE.csv", help="write one CSV row per generation")
    parser.add_argument(
        "--save",
        type=Path,
        metavar="FILE.json",
        help="save the best genomes at the end (never replaces an existing file)",
    )
    parser.add_argument(
        "--keep",
        type=whole(1, 100_000),
        default=20,
        metavar="K",
        help="how many genomes --save and the S key keep (default 20)",
    )
    parser.add_argument("--load", type=Path, metavar="FILE.json", help="drive saved genomes instead of evolving")
    parser.add_argument(
        "--checkpoint",
        type=Path,
        metavar="FILE.npz",
        help="write the whole state of the run to FILE every --checkpoint-every generations and on quit",
    )
    parser.add_argument(
        "--checkpoint-every",
        type=whole(1),
        default=10,
        metavar="N",
        help="generations between checkpoints (default 10)",
    )
    parser.add_argument(
        "--memory-budget",
        type=memory_size,
        metavar="SIZE",
        help="refuse a run, track or file that would need more memory than this, e.g. 4G "
        f"(default half the machine's memory, or ${ENVIRONMENT})",
    )
    parser.add_argument(
        "--resume",
        type=Path,
        nargs="?",
        const=LISTED,
        metavar="FILE.npz",
        help="continue a checkpointed run; --generations is then the run's total from its start. FILE may be a "
        "run's folder or 'last' (the latest run); --resume alone lists the runs",
    )
    parser.add_argument(
        "--set",
        type=set_flag,
        action="append",
        metavar="G:SETTING=VALUE",
        help="change a setting from generation G on (repeatable), e.g. 20:mutation_rate=0.1. Settings: "
        + help_text().replace("%", "%%"),
    )
    parser.add_argument(
        "--replay",
        type=Path,
        metavar="FILE",
        nargs="?",
        const=LISTED,
        help="re-run a run from its log (.csv), checkpoint (.npz) or genome file (.json) with the same seed, "
        "settings and changes, and check that it gives the same rows; FILE may be a run's folder or 'last'; "
        "--replay alone lists the runs",
    )
    parser.add_argument(
        "--runs-dir",
        type=Path,
        metavar="DIR",
        help="where each run's folder goes (default runs/, or $NEURORACER_RUNS)",
    )
    parser.add_argument(
        "--plot",
        nargs="?",
        const=LISTED,
        metavar="RUN",
        help="draw the figures (the saved top 20's paths on the track, the learning curves) as PNG and SVG: "
        "with a run's folder, 'last' or a log (.csv), for that finished run; alone, for this run at its end; "
        "with a study's folder, its summary (study.png)",
    )
    parser.add_argument(
        "--compare",
        nargs="+",
        metavar="SPEC",
        help="race 2 to 4 runs side by side on one track, each a strategy with optional settings, e.g. "
        "classic elitist:mutation_rate=0.1,extra_tracks=0 (settings: mutation_rate, extra_tracks, seed, population, "
        "also spelled mutation, tracks; the rest come "
        "from the other flags); --log PREFIX writes PREFIX-1-classic.csv, ..., --save PREFIX PREFIX-1-classic.json, "
        "...; --checkpoint FILE.npz holds every run, and --resume FILE.npz alone continues them",
    )
    parser.add_argument(
        "--seeds",
        type=seed_list,
        metavar="0-99",
        help="headless: one run per seed (ranges and commas, e.g. 0-99,200), spread over the machine's cores, "
        "then a summary: seeds with a finisher within 40/60/150 generations, the median first finisher, the "
        "saved top 20 on the test track, the champion on 50 unseen tracks; --log writes one row per seed; "
        "every run makes the --set changes",
    )
    parser.add_argument(
        "--study",
        nargs="+",
        metavar="SETTING=V,V",
        help="headless, with --seeds: every combination of these settings' values, each on every seed, e.g. "
        "mutation_rate=0.1,0.3 population=20,50 strategy=classic,elitist (layers: lists split by /); one row "
        "per run and a summary per combination in its folder; run again, it skips the runs done (docs/studies.md)",
    )
    parser.add_argument(
        "--study-folder", type=Path, metavar="FOLDER", help="where a study writes (default studies/<its settings>)"
    )
    parser.add_argument(
        "--cluster", metavar="ADDRESS", help="run a study on this Dask scheduler, e.g. tcp://10.0.0.5:8786"
    )
    window = parser.add_argument_group("window")
    window.add_argument(
        "--speed", type=speed, metavar="X", help="starting speed: 1, 2, 4, ... 64, or turbo (default 1)"
    )
    window.add_argument("--frames", type=whole(1), metavar="N", help="quit after N frames (for tests and demos)")
    window.add_argument("--screenshot", type=png_path, metavar="FILE.png", help="save the last frame as a PNG")
    window.add_argument(
        "--record",
        type=recording_path,
        metavar="FILE.mp4",
        help="record the window to an MP4 or animated GIF (.gif) from the first frame to the last (with --frames "
        "and --speed: a scripted run for slides and lessons)",
    )
    window.add_argument("--size", type=window_size, metavar="WxH", help="window size (default 1280x720)")
    window.add_argument(
        "--edit",
        nargs="?",
        const="",
        metavar="FILE",
        help="open the track editor (on a track file, or a new track); the K key opens it too",
    )
    window.add_argument(
        "--ghost",
        type=Path,
        action="append",
        metavar="FILE.json",
        help="race a saved genome file's genomes as ghosts beside the run (repeatable)",
    )
    return parser


WINDOW_FLAGS = ("speed", "frames", "screenshot", "size", "ghost", "record", "edit")


@dataclass(frozen=True)
class RunOptions:
    """One run: the settings that decide its numbers, its track, and the files it writes.

    resumed is the checkpoint it goes on from (its state is the run's state so far), and changes
    the settings that differ from the checkpoint's, as lines for the log.
    """

    config: RunConfig
    track: Track
    log: Path | None = None
    checkpoint: Path | None = None
    checkpoint_every: int = 10
    save: Path | None = None
    keep: int = 20
    seed_was_drawn: bool = False
    resumed: Checkpoint | None = None
    resumed_from: Path | None = None
    changes: tuple[str, ...] = ()
    scheduled: tuple[SettingEvent, ...] = ()  # --set: settings changes, each from its generation on
    replay: ReplayPlan | None = None  # --replay: the run to re-run and the rows it must give
    folder: Path | None = None  # the run's folder: its command line is rewritten there on the way out


@dataclass(frozen=True)
class WindowOptions:
    """How the window starts: its size, speed (race steps per frame, 0 turbo), frame limit and screenshot."""

    size: tuple[int, int] = (1280, 720)
    speed: int = 1
    frames: int | None = None
    screenshot: Path | None = None
    load: Path | None = None  # saved genomes to test-drive instead of evolving
    drive: GenomeFile | None = None  # what that file holds, read and checked with the other flags
    ghosts: tuple = ()  # --ghost: evolution.ghosts.Ghost genomes racing beside the run
    record: Path | None = None  # --record: the whole window recorded to this MP4 or GIF
    folder: Path | None = None  # the run's folder: S, recordings, figures and exports go there
    plot: bool = False  # --plot alone: the run's figures are drawn at its end
    lesson: str = ""  # --lesson: the lesson whose card the window shows first
    edit: TrackDraft | None = None  # --edit: the track editor opens on this draft


@dataclass(frozen=True)
class Options:
    """The whole command line, parsed and checked."""

    headless: bool
    run: RunOptions
    window: WindowOptions = field(default_factory=WindowOptions)
    load: Path | None = None  # drive these saved genomes instead of evolving
    compare: tuple[RunOptions, ...] = ()  # --compare: every run side by side (run is the first)
    seeds: tuple[int, ...] = ()  # --seeds: one headless run per seed (run's seed is not used)
    compare_names: tuple[str, ...] = ()  # their short names
    compare_specs: tuple[str, ...] = ()  # their SPECs as typed (a comparison's checkpoint keeps them)
    compare_checkpoint: Path | None = None  # --checkpoint of a comparison: every run in one file
    folder: Path | None = None  # the run's folder under runs/ (None until made, and for a test drive)
    folder_is_new: bool = False  # made by this command (not a resumed run's): removed if the run never starts
    runs_dir: Path | None = None  # --runs-dir: where run folders go
    plot: bool = False  # --plot alone: draw the run's figures into its folder at its end
    plot_target: Path | None = None  # --plot RUN: draw that finished run's figures, and run nothing
    study: object = None  # --study: an evolution.study.Study, run on every seed
    study_folder: Path | None = None
    cluster: str | None = None
    study_plot: Path | None = None  # --plot of a study's folder

    @property
    def saves(self) -> list[Path]:
        """Every --save file the command writes (one per run of a comparison)."""
        return [run.save for run in (self.compare or (self.run,)) if run.save]


FIXED_ON_RESUME = ("population", "layers", "strategy", "seed", "tracks", "load", "test_curve")
FIXED_ON_REPLAY = (*FIXED_ON_RESUME, "resume", "mutation_rate", "track", "set", "generations")


def parse(argv: list[str]) -> Options:
    """The command line as typed options, or InputError / SystemExit(2) with one line naming the problem."""
    sets = sum(1 for token in argv if token == "--set" or token.startswith("--set="))
    if sets > MAX_EVENTS:  # refused before anything is read
        raise InputError(f"--set: {sets} changes, more than the {MAX_EVENTS} a run may hold")
    argv, chosen = take_lesson(argv)  # the lesson's flags first: a flag given after --lesson wins
    argv, changes = take_sets(argv)
    args = build_parser().parse_args(argv)
    if changes:
        args.set = changes
    if args.memory_budget is not None:
        set_budget(args.memory_budget)
    if LISTED in (str(args.resume), str(args.replay)):  # (argparse has made the const a Path)
        raise Listed(listing(args.runs_dir))
    from evolution.study import is_study_folder

    if args.plot not in (None, LISTED) and is_study_folder(Path(args.plot)):
        return Options(headless=True, run=RunOptions(RunConfig(), None), study_plot=Path(args.plot))
    if args.plot not in (None, LISTED):
        from evolution.plots import plot_target

        return Options(headless=True, run=fresh(args), plot_target=plot_target(Path(args.plot), args.runs_dir))
    if args.resume is not None:
        args.resume = resolve(args.resume, CHECKPOINT, args.runs_dir)
    if args.replay is not None:
        args.replay = resolve(args.replay, LOG, args.runs_dir)
    plot = args.plot == LISTED
    if args.headless:
        given = [name for name in WINDOW_FLAGS if getattr(args, name) is not None]
        if given:
            raise InputError(f"--{given[0]} is a window flag; it does nothing with --headless")
    if args.endless and (args.resume or args.replay or args.load):
        raise InputError("--endless starts a run; a resumed or replayed run is endless if its track is")
    if args.save and args.load:
        raise InputError("--save and --load do not go together: --load drives saved genomes without evolving")
    if args.ghost and args.load:
        raise InputError("--ghost races beside an evolving run, not beside a --load drive")
    window = WindowOptions(
        size=args.size or WindowOptions.size,
        speed=args.speed if args.speed is not None else WindowOptions.speed,
        frames=args.frames,
        screenshot=args.screenshot,
        load=args.load,
        ghosts=ghost_genomes(args.ghost or []),
        record=args.record,
        plot=plot,
        lesson=chosen.name if chosen is not None else "",
    )
    if args.study is not None or args.cluster is not None or args.study_folder is not None:
        return study_options(args)
    if args.edit is not None:
        if args.load or args.compare is not None:
            raise InputError("--edit opens the editor in front of an evolving run, not with --load or --compare")
        window = replace(window, edit=TrackDraft.from_track(resolve_track(args.edit)) if args.edit else TrackDraft())
    if args.compare is not None:
        return replace(compare_options(args, window), runs_dir=args.runs_dir, plot=plot)
    if args.seeds is not None:
        refused = [name for name in SWEEP_REFUSES if getattr(args, name) not in (None, False, [])]
        if refused:
            flag = "--" + refused[0].replace("_", "-")
            raise InputError(f"--seeds runs many headless runs; it does not go with {flag}")
        if not args.headless:
            raise InputError("--seeds runs many headless runs, not a window: add --headless")
        if args.endless or (args.track or "").startswith("endless:"):
            raise InputError("--seeds does not race endless mode; python -m bench.learning --endless measures it")
        return Options(
            headless=True, run=fresh(args), window=window, seeds=tuple(args.seeds), runs_dir=args.runs_dir, plot=plot
        )
    if args.load:  # read and checked with the other flags: a bad file is refused before any window opens
        window = replace(window, drive=load_genomes(args.load))
    if args.replay:
        run = replayed(args)
    elif args.resume:
        found = read_checkpoint(args.resume)
        if isinstance(found, Comparison):
            return replace(compare_resumed(args, window, found), runs_dir=args.runs_dir, plot=plot)
        run = resumed(args, found)
    else:
        run = fresh(args)
    if window.ghosts:  # they race beside the run: counted with it
        check_ghosts(run.config.population, run.config.layers, run.config.extra_tracks, window.ghosts)
    return Options(headless=args.headless, run=run, window=window, load=args.load, runs_dir=args.runs_dir, plot=plot)


def in_run_folder(options: Options, argv: list[str]) -> Options:
    """Make the run's folder under runs/ (a resumed run's own folder is used again) with its command line, and
    put there every output the command line does not place: the log, the checkpoint and, headless, the best
    genomes at the end (the window's S and Q save there). A test drive (--load) makes no folder."""
    if options.load or options.study is not None:  # a test drive writes nothing; a study has its own folder
        return options
    run, config = options.run, options.run.config
    folder = folder_of(run.resumed_from) if run.resumed_from is not None else None
    if folder is None:
        if options.seeds:
            what, seed = f"sweep-{config.strategy}", f"s{options.seeds[0]}-{options.seeds[-1]}"
        elif options.compare:
            what, seed = "compare-" + "-".join(sorted(set(options.compare_names))), config.seed
        else:
            what, seed = config.strategy, config.seed
        folder = make_folder(runs_root(options.runs_dir), folder_name(what, seed, datetime.now()))
        write_command(folder, command_text(argv, config.seed if run.seed_was_drawn else None))
        options = replace(options, folder_is_new=True)
    window = replace(options.window, folder=folder)
    if options.seeds:
        return replace(options, run=replace(run, log=run.log or folder / SWEEP_LOG), window=window, folder=folder)
    if options.compare:
        runs = []
        for index, (each, text) in enumerate(zip(options.compare, options.compare_specs), start=1):
            spec = compare.parse_spec(text)
            log = each.log or (compare.log_path(folder / "log", index, spec) if log_fits(each) else None)
            save = each.save or (
                free_name(compare.save_path(folder / "best", index, spec)) if options.headless and fits(each) else None
            )
            runs.append(replace(each, log=log, save=save, folder=folder))
        checkpoint = options.compare_checkpoint or (folder / CHECKPOINT if checkpoint_fits(options.compare) else None)
        return replace(options, run=runs[0], compare=tuple(runs), compare_checkpoint=checkpoint, window=window,
                       folder=folder)  # fmt: skip
    save = run.save or (free_name(folder / BEST) if options.headless and fits(run) else None)
    checkpoint = run.checkpoint or (folder / CHECKPOINT if checkpoint_fits((run,)) else None)
    log = run.log or (folder / LOG if log_fits(run) else None)
    run = replace(run, log=log, checkpoint=checkpoint, save=save, folder=folder)
    return replace(options, run=run, window=window, folder=folder)


def log_fits(run: RunOptions) -> bool:
    """True if the run's log stays one --replay reads (a run of millions of generations keeps none by default)."""
    events = len(run.scheduled) + (len(run.resumed.state.events) if run.resumed else 0)
    try:
        check_log_fits(Path(LOG), run.config.generations, events)
    except InputError:
        return False
    return True


def fits(run: RunOptions) -> bool:
    """True if the run's best --keep genomes fit a genome file (a run too large for one keeps no best.json)."""
    return smallest_saved_bytes(min(run.keep, run.config.population), run.config.layers) <= MAX_BYTES


def checkpoint_fits(runs: tuple[RunOptions, ...]) -> bool:
    """True if the runs' checkpoint is one its loader reads back (a run too large for one keeps none by default;
    --checkpoint asks for one, and is refused)."""
    try:
        check_checkpoint_fits(CHECKPOINT, [(r.config, len(r.track.top), r.scheduled) for r in runs])
    except InputError:
        return False
    return True


def study_options(args: argparse.Namespace) -> Options:
    """--study: its combinations, each built as fresh() builds the same run alone with those flags."""
    from evolution.study import build_study, parse_study

    if args.study is None:
        raise InputError("--cluster and --study-folder go with --study")
    if args.seeds is None or not args.headless:
        raise InputError("--study runs many headless runs: add --headless and --seeds, e.g. --seeds 0-99")
    refused = [name for name in (*SWEEP_REFUSES, "log", "compare") if getattr(args, name) not in (None, False, [])]
    if refused:
        raise InputError(f"--study writes into its folder; it does not go with --{refused[0].replace('_', '-')}")

    def make_run(flags: dict) -> tuple:
        run = fresh(argparse.Namespace(**{**vars(args), **flags}))
        return run.config, run.track.name, run.scheduled

    study = build_study(parse_study(args.study, len(args.seeds)), make_run)
    run = RunOptions(study.combinations[0].config, None)
    return Options(True, run, seeds=tuple(args.seeds), study=study, study_folder=args.study_folder,
                   cluster=args.cluster)  # fmt: skip


def ghost_genomes(paths: list[Path]) -> tuple:
    """The genomes of --ghost files, each labelled by its file, rank and generation (InputError if unreadable)."""
    ghosts = []
    for path in paths:
        ghosts += ghosts_from_file(load_genomes(path), path)
    if len(ghosts) > MAX_GHOSTS:
        raise InputError(f"--ghost: {len(ghosts)} genomes; at most {MAX_GHOSTS} ghosts race at once")
    return tuple(ghosts)


def fresh(args: argparse.Namespace) -> RunOptions:
    """A new run's options from the flags and the strategy's defaults."""
    strategy = args.strategy or DEFAULT_STRATEGY
    defaults = STRATEGIES[strategy]
    seed_was_drawn = args.seed is None
    generations = args.generations
    if generations is None and args.headless:
        generations = HEADLESS_GENERATIONS
    population, layers = args.population or 50, args.layers or (7, 8, 4, 1)
    tracks = args.tracks if args.tracks is not None else defaults.default_tracks
    check_run_size(population, layers, tracks, "--population {} with --layers {}")
    config = RunConfig(
        population=population,
        layers=layers,
        mutation_rate=args.mutation_rate if args.mutation_rate is not None else defaults.default_mutation_rate,
        strategy=strategy,
        seed=secrets.randbelow(2**32) if seed_was_drawn else args.seed,
        generations=generations,
        extra_tracks=tracks,
        test_curve=args.test_curve if args.test_curve is not None else True,
        safety_weight=defaults.default_safety_weight,
    )
    scheduled = checked_sets(config, args.set, 0)
    if args.endless and args.track:
        raise InputError("--endless and --track do not go together: endless mode draws its own tracks")
    return RunOptions(
        config=config,
        track=track_flag(endless_name(config.seed, 1) if args.endless else args.track or "training"),
        log=args.log,
        checkpoint=args.checkpoint,
        checkpoint_every=args.checkpoint_every,
        save=args.save,
        keep=args.keep,
        seed_was_drawn=seed_was_drawn,
        scheduled=scheduled,
    )


def track_flag(spec: str) -> Track:
    """The track of --track: a built-in one, or a file that a dot can drive (InputError saying where not)."""
    track = resolve_track(spec)
    if not is_built_track(spec) or SAVED_TRACK.match(spec):
        refuse_undrivable(track, spec)
    return track


def checked_sets(config: RunConfig, sets: list[SettingEvent] | None, first: int) -> tuple[SettingEvent, ...]:
    """The --set changes in generation order, each checked against the strategy of its time."""
    changes = tuple(sorted(sets or (), key=lambda change: change.generation))
    if len(changes) > MAX_EVENTS:  # what a run, its checkpoint and its log may hold
        raise InputError(f"--set: {len(changes)} changes, more than the {MAX_EVENTS} a run may hold")
    try:
        check_schedule(config, changes, first)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return changes


def refuse_fixed(args: argparse.Namespace, names: tuple[str, ...], flag: str, holder: str) -> None:
    """InputError for the first of the flags `names` given with `flag`, whose file (holder) fixes them."""
    fixed = [name for name in names if getattr(args, name) is not None]
    if fixed:
        given = "--" + fixed[0].replace("_", "-")
        raise InputError(f"{given} cannot be given with {flag}: {holder} holds the run's settings")


def replayed(args: argparse.Namespace) -> RunOptions:
    """Options that re-run the run of a log, checkpoint or genome file, checking its rows."""
    refuse_fixed(args, FIXED_ON_REPLAY, "--replay", "the replayed file")
    plan = load_replay(args.replay)
    return RunOptions(
        config=plan.config,
        track=plan.track,
        log=args.log,
        checkpoint=args.checkpoint,
        checkpoint_every=args.checkpoint_every,
        save=args.save,
        keep=args.keep,
        replay=plan,
    )


def compare_options(args: argparse.Namespace, window: WindowOptions) -> Options:
    """--compare: one run per SPEC, each from the other flags with the SPEC's settings (evolution/compare.py)."""
    if args.resume is not None:
        raise InputError("--resume does not go with --compare: give --resume FILE alone, its file holds the SPECs")
    for name in ("load", "replay", "set"):
        if getattr(args, name) is not None:
            raise InputError(f"--{name} does not go with --compare: each run of a comparison runs from its SPEC")
    if args.seeds is not None:
        raise InputError("--seeds does not go with --compare: a comparison's runs take one seed (--seed, or seed= "
                         "in a SPEC)")  # fmt: skip
    if args.ghost:
        raise InputError("--ghost does not go with --compare: ghosts race beside one run")
    specs = compare.parse_specs(args.compare)
    drawn = args.seed is None
    if drawn:
        args.seed = secrets.randbelow(2**32)  # one seed for every run, unless a SPEC gives its own
    flags = [spec.apply(args) for spec in specs]
    compare.check_sizes(specs, [compare.run_size(each) for each in flags])
    runs = []
    for index, (spec, each) in enumerate(zip(specs, flags), start=1):
        each.log = compare.log_path(args.log, index, spec) if args.log else None
        each.save = compare.save_path(args.save, index, spec) if args.save else None
        each.checkpoint = None  # every run goes into the comparison's one checkpoint
        runs.append(replace(fresh(each), seed_was_drawn=drawn and "seed" not in spec.settings))
    return comparison_options(args, window, runs, specs, tuple(args.compare), args.checkpoint)


def comparison_options(
    args: argparse.Namespace,
    window: WindowOptions,
    runs: list[RunOptions],
    specs: list[compare.RunSpec],
    texts: tuple[str, ...],
    checkpoint: Path | None,
) -> Options:
    """The Options of a comparison (new or resumed): its runs, their names, SPECs and one checkpoint."""
    return Options(
        args.headless,
        runs[0],
        window,
        compare=tuple(runs),
        compare_names=tuple(compare.labels(specs)),
        compare_specs=texts,
        compare_checkpoint=checkpoint,
    )


FIXED_ON_COMPARE_RESUME = (*FIXED_ON_RESUME, "mutation_rate", "track", "set", "ghost")


def compare_resumed(args: argparse.Namespace, window: WindowOptions, comparison: Comparison) -> Options:
    """--resume of a comparison's checkpoint: every run goes on with its SPEC's settings, to --generations (the
    total from the start) if given; --log and --save as with --compare; it checkpoints where it came from."""
    refuse_fixed(args, FIXED_ON_COMPARE_RESUME, "--resume of a comparison", "the checkpoint")
    specs = [compare.parse_spec(text) for text in comparison.specs]
    runs = []
    for index, (spec, checkpoint) in enumerate(zip(specs, comparison.runs), start=1):
        check_resumed_total(args.resume, checkpoint.state, args.generations)
        config = checkpoint.config
        if args.generations is not None:
            config = replace(config, generations=args.generations)
        elif not args.headless:
            config = replace(config, generations=None)  # the window goes on until the user stops it
        run = RunOptions(
            config=config,
            track=checkpoint.track,
            log=compare.log_path(args.log, index, spec) if args.log else None,
            checkpoint_every=args.checkpoint_every,
            save=compare.save_path(args.save, index, spec) if args.save else None,
            keep=args.keep,
            resumed=checkpoint,
            resumed_from=args.resume,
        )
        runs.append(run)
    # a resumed comparison checkpoints where it came from
    return comparison_options(args, window, runs, specs, tuple(comparison.specs), args.checkpoint or args.resume)


def resumed(args: argparse.Namespace, checkpoint: Checkpoint) -> RunOptions:
    """Options that continue a checkpoint (read from --resume): its settings, but for the total, mutation
    rate and track."""
    refuse_fixed(args, FIXED_ON_RESUME, "--resume", "the checkpoint")
    check_resumed_total(args.resume, checkpoint.state, args.generations)
    config, track = checkpoint.config, checkpoint.track
    changes = []
    if args.generations is not None:
        config = replace(config, generations=args.generations)
    elif not args.headless:
        config = replace(config, generations=None)  # the window goes on until the user stops it
    state = checkpoint.state
    first = state.generation + (state.pending is not None)
    scheduled = checked_sets(config, args.set, first)
    if args.mutation_rate is not None and args.mutation_rate != config.mutation_rate:
        changes.append(f"mutation rate {config.mutation_rate} -> {args.mutation_rate}")
        if config.strategy == "snes":  # snes has no mutation rate: nothing to record
            config = replace(config, mutation_rate=args.mutation_rate)
        else:  # from the next generation asked for on, recorded as a settings change
            change = SettingEvent(first, "mutation_rate", "", repr(float(args.mutation_rate)))
            scheduled = (change, *scheduled)
    if args.track is not None and args.track != track.name:
        new_track = track_flag(args.track)
        changes.append(f"track {track.name} -> {new_track.name}")
        track = new_track
    return RunOptions(
        config=config,
        track=track,
        log=args.log,
        checkpoint=args.checkpoint or args.resume,  # a resumed run goes on checkpointing where it came from
        checkpoint_every=args.checkpoint_every,
        save=args.save,
        keep=args.keep,
        resumed=checkpoint,
        resumed_from=args.resume,
        changes=tuple(changes),
        scheduled=scheduled,
    )


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
                evolution.track = run.track  # a track file is not a setting: the run replays up to here only
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


def start_window(options: Options) -> int:
    """The window, evolving the run of the options or test-driving --load."""
    from game.window import run_window

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
        compare.run_in_lockstep(evolutions, checkpoint_when_due)
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
SWEEP_REFUSES = ("resume", "load", "replay", "checkpoint", "save", "ghost")
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


def main(argv: list[str] | None = None) -> int:
    """Run the command line; the exit status: 0 done, 1 an output could not be written, the run's numbers
    overflowed or an internal error (said in one line on stderr, with a crash report for an error), 2 bad input
    (one line), 130 or 143 stopped by SIGINT or SIGTERM after saving, 141 output pipe closed (quietly, after
    saving)."""
    stop_on_signals()
    stdout, stderr = sys.stdout, sys.stderr
    # both guarded (`2>&1 | head` closes both); one closed before the start (`>&-`) is None, and prints nothing
    sys.stdout, sys.stderr = (GuardedOutput(stream) if stream is not None else None for stream in (stdout, stderr))
    guarded = sys.stdout
    try:
        status = run_command(sys.argv[1:] if argv is None else argv)
    finally:
        sys.stdout, sys.stderr = stdout, stderr
    return status or (141 if guarded is not None and guarded.pipe_closed else 0)


def run_command(argv: list[str]) -> int:
    """Parse the command line, claim its outputs, run it; every way it ends as main's exit status."""
    options = None
    try:
        options = parse(argv)
        if options.plot_target is not None:
            return draw_figures(options.plot_target)
        if options.study_plot is not None:
            from evolution.study_plot import plot_command

            return plot_command(options.study_plot)
        options = in_run_folder(options, argv)
        claim_outputs(options)
        status = run_mode(options)
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


def run_mode(options: Options) -> int:
    """Run what the options ask for: a comparison, a sweep, a headless run or drive, or the window."""
    if options.compare:
        if options.headless:
            return compare_headless(options)
        from game.compare_view import run_compare_window

        return run_compare_window(options, warn)
    if options.study is not None:
        from evolution.study import study_main

        return study_main(options.study, options.seeds, options.study_folder, options.cluster)
    if options.seeds:
        return sweep_headless(options)
    if options.headless:
        return drive_headless(options) if options.load else run_headless(options)
    return start_window(options)


def let_go(options: Options | None) -> None:
    """Before the run started: the --save files claimed go, and the run's folder if it holds nothing yet."""
    for save in options.saves if options is not None else ():
        release_claim(save)
    if options is not None and options.folder is not None and options.folder_is_new:
        remove_if_unused(options.folder)


def draw_figures(target: Path, after_run: bool = False) -> int:
    """--plot: the figures of the run in target (a run's folder or a log) drawn beside it; 1 if none could be.
    after_run: the run just made (stopped before its first generation, it has nothing to draw: said)."""
    from evolution.plots import plot_run

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


if __name__ == "__main__":
    sys.exit(main())
