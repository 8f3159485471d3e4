"""The command line: its flags (argparse), their checks, and the typed Options a run is assembled from.

The flags of a run's settings are made from the settings table (evolution/run/settings.py RUN_SETTINGS): their
spellings, types, ranges, defaults and help words. Bad input ends here in one line and exit status 2 (fail);
nothing below this layer sees argparse: a run's settings go down as the table's names and typed values.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from app.flag_types import seed_list, speed, whole, window_size
from evolution.breeding.strategies import STRATEGIES, speakers
from evolution.budget import ENVIRONMENT, parse_size, set_budget
from evolution.errors import InputError, shown
from evolution.files.checkpoint import (
    Checkpoint,
    Comparison,
    check_checkpoint_fits,
    check_resumed_total,
    read_checkpoint,
)
from evolution.files.replay import ReplayPlan, check_log_fits, load_replay
from evolution.files.run_folder import (
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
    resolve,
    runs_root,
    write_command,
)
from evolution.many import compare
from evolution.many.ghosts import MAX_GHOSTS, ghosts_from_file
from evolution.racing.drivable import refuse_undrivable
from evolution.racing.endless import endless_name
from evolution.racing.track import SAVED_TRACK, Track
from evolution.racing.track_draft import TrackDraft
from evolution.racing.track_names import resolve_track
from evolution.run.evolve import RunConfig
from evolution.run.genome_file import MAX_BYTES, GenomeFile, load_genomes, smallest_saved_bytes
from evolution.run.lessons import LESSONS, take_lesson
from evolution.run.run_size import check_ghosts, check_run_size
from evolution.run.settings import (
    MAX_EVENTS,
    RUN_SETTINGS,
    Setting,
    SettingEvent,
    check_schedule,
    help_text,
    is_built_track,
    parse_set,
    spellings,
)
from evolution.run.specs import SPEC_SETTINGS, RunSpec, check_sizes, parse_spec, parse_specs

SWEEP_REFUSES = ("resume", "load", "replay", "checkpoint", "save", "ghost")  # flags a sweep (--seeds) refuses
PROG = "main.py"
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


def flag_type(spec: Setting) -> Callable[[str], Any]:
    """The argparse type of a setting's flag: its value read and checked by the settings table (Setting.parse)."""

    def parse(text: str) -> Any:
        try:
            return spec.parse(text, named=False)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = spec.name  # argparse names it in "invalid ... value"
    return parse


def setting_help(spec: Setting) -> str:
    """What --help says of a setting's flag: its words, range and default, all from the settings table."""
    shown_range = spec.range_text() if spec.kind not in (bool, "strategy") else ""
    text = f"{spec.flag_help()} ({shown_range + '; ' if shown_range else ''}default {spec.default_text()})"
    if spec.kind == "strategy":
        text += ". " + "; ".join(f"{name}: {cls.summary()}" for name, cls in STRATEGIES.items())
    return text.replace("%", "%%")


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """A flag for every setting of the table that has one (its value in args under the setting's name; None when
    not given: the run then takes the table's default)."""
    for spec in RUN_SETTINGS.values():
        if not spec.flags:
            continue
        if spec.kind is bool:
            parser.add_argument(*spec.flags, dest=spec.name, action=argparse.BooleanOptionalAction,
                                help=setting_help(spec))  # fmt: skip
        elif spec.kind == "strategy":
            parser.add_argument(*spec.flags, dest=spec.name, choices=sorted(STRATEGIES), help=setting_help(spec))
        elif spec.kind == "track":  # a name or a file, read with the other flags (track_flag)
            parser.add_argument(*spec.flags, dest=spec.name, metavar=spec.metavar, help=setting_help(spec))
        else:
            parser.add_argument(*spec.flags, dest=spec.name, type=flag_type(spec), metavar=spec.metavar,
                                help=setting_help(spec))  # fmt: skip


def spec_shorthands() -> list[str]:
    """The short spellings of a SPEC's settings (mutation, tracks, ...), for --help."""
    return [short for name in SPEC_SETTINGS for short in spellings(name)[1:] if "-" not in short]


def build_parser() -> Parser:
    first, second = [cls.name for cls in speakers()][:2]  # the examples' strategies: the first two registered
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
    add_setting_flags(parser)
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
        type=whole(1, RUN_SETTINGS["population"].high),  # at most a population
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
        f"{first} {second}:mutation_rate=0.1,extra_tracks=0 (settings: {', '.join(SPEC_SETTINGS)}, also "
        f"spelled {', '.join(spec_shorthands())}; the rest come from the other flags); --log PREFIX writes "
        f"PREFIX-1-{first}.csv, ..., --save PREFIX PREFIX-1-{first}.json, ...; --checkpoint FILE.npz holds every "
        "run, and --resume FILE.npz alone continues them",
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
        f"mutation_rate=0.1,0.3 population=20,50 strategy={first},{second} (layers: lists split by /); one row "
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


FIXED_ON_RESUME = ("population", "layers", "strategy", "seed", "extra_tracks", "load", "test_curve")
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
    from evolution.many.study import is_study_folder

    if args.plot not in (None, LISTED) and is_study_folder(Path(args.plot)):
        return Options(headless=True, run=RunOptions(RunConfig(), None), study_plot=Path(args.plot))
    if args.plot not in (None, LISTED):
        from evolution.files.plots import plot_target

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
            spec = parse_spec(text)
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
    from evolution.many.study import build_study, parse_study

    if args.study is None:
        raise InputError("--cluster and --study-folder go with --study")
    if args.seeds is None or not args.headless:
        raise InputError("--study runs many headless runs: add --headless and --seeds, e.g. --seeds 0-99")
    refused = [name for name in (*SWEEP_REFUSES, "log", "compare") if getattr(args, name) not in (None, False, [])]
    if refused:
        raise InputError(f"--study writes into its folder; it does not go with --{refused[0].replace('_', '-')}")

    def make_run(settings: dict) -> tuple:
        run = fresh(args, {**given_settings(args), **settings})
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


def given_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The run settings the flags give, by their names in the settings table (typed; those not given left out)."""
    return {
        spec.name: getattr(args, spec.name)
        for spec in RUN_SETTINGS.values()
        if spec.flags and getattr(args, spec.name) is not None
    }


def draw_seed() -> int:
    """A seed drawn at random (a run given none: it is printed, and written in its folder's command line)."""
    return secrets.randbelow(RUN_SETTINGS["seed"].high + 1)


def fresh_config(settings: dict[str, Any], headless: bool) -> RunConfig:
    """A new run's config from the settings given (a seed drawn if none), the rest the table's defaults and the
    strategy's (RunConfig fills them); without --generations, the window goes on until the user stops it."""
    settings = {name: value for name, value in settings.items() if name != "track"}
    settings.setdefault("seed", draw_seed())
    settings.setdefault("generations", RUN_SETTINGS["generations"].default if headless else None)
    return RunConfig(**settings)


def fresh(args: argparse.Namespace, settings: dict[str, Any] | None = None) -> RunOptions:
    """A new run's options from the flags (or these settings instead of theirs) and the defaults."""
    settings = given_settings(args) if settings is None else settings
    config = fresh_config(settings, args.headless)
    check_run_size(config.population, config.layers, config.extra_tracks, "--population {} with --layers {}")
    scheduled = checked_sets(config, args.set, 0)
    track = settings.get("track")
    if args.endless and track:
        raise InputError("--endless and --track do not go together: endless mode draws its own tracks")
    return RunOptions(
        config=config,
        track=track_flag(endless_name(config.seed, 1) if args.endless else track or RUN_SETTINGS["track"].default),
        log=args.log,
        checkpoint=args.checkpoint,
        checkpoint_every=args.checkpoint_every,
        save=args.save,
        keep=args.keep,
        seed_was_drawn="seed" not in settings,
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
        spec = RUN_SETTINGS.get(fixed[0])
        given = spec.flags[0] if spec is not None else "--" + fixed[0].replace("_", "-")
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
    """--compare: one run per SPEC, each from the other flags with the SPEC's settings (evolution/many/compare.py)."""
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
    specs = parse_specs(args.compare)
    given = given_settings(args)
    drawn = "seed" not in given
    if drawn:
        given["seed"] = draw_seed()  # one seed for every run, unless a SPEC gives its own
    settings = [spec.apply(given) for spec in specs]
    configs = [fresh_config(each, args.headless) for each in settings]
    check_sizes(specs, [(c.population, c.layers, c.extra_tracks) for c in configs])
    runs = []
    for index, (spec, each) in enumerate(zip(specs, settings), start=1):
        run = fresh(args, each)
        runs.append(
            replace(
                run,
                log=compare.log_path(args.log, index, spec) if args.log else None,
                save=compare.save_path(args.save, index, spec) if args.save else None,
                checkpoint=None,  # every run goes into the comparison's one checkpoint
                seed_was_drawn=drawn and "seed" not in spec.settings,
            )
        )
    return comparison_options(args, window, runs, specs, tuple(args.compare), args.checkpoint)


def comparison_options(
    args: argparse.Namespace,
    window: WindowOptions,
    runs: list[RunOptions],
    specs: list[RunSpec],
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
    specs = [parse_spec(text) for text in comparison.specs]
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
        if not STRATEGIES[config.strategy].uses_mutation_rate:  # it has no mutation rate: nothing to record
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
