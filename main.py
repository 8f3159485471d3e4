"""neuroracer: watch a population of tiny neural networks learn to race, by evolution.

python main.py                      open the window and watch evolution live
python main.py --load best.json     test-drive saved champions in the window
python main.py --headless ...       evolve (or, with --load, drive) without a window
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from evolution.checkpoint import Checkpointer, load_checkpoint
from evolution.errors import InputError
from evolution.evolve import Evolution, RunConfig
from evolution.files import write_atomic
from evolution.genome_file import load_genomes, save_genomes
from evolution.race import INPUTS, race_scores
from evolution.reporters import CsvLog, ProgressLine
from evolution.strategies import STRATEGIES
from evolution.track import Track, resolve_track

PROG = "main.py"
DEFAULT_STRATEGY = "elitist"  # the best row of python -m bench.learning (see the README)
UNLIMITED = 10**9  # generations of a window run with no --generations


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad flag in one line and exits with 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        fail(f"{message} (see --help)")


def fail(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def whole(low: int, high: int | None = None):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            allowed = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"{value}: must be {allowed}")
        return value

    return parse


def number(low: float, high: float):
    """An argparse type: a number from low to high (NaN refused)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not (value == value and low <= value <= high):
            raise argparse.ArgumentTypeError(f"{text} must be a number from {low:g} to {high:g}")
        return value

    return parse


rate = number(0, 100)


def layer_list(text: str) -> tuple[int, ...]:
    try:
        layers = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of whole numbers") from None
    if len(layers) < 2 or any(not 1 <= size <= 4096 for size in layers):
        raise argparse.ArgumentTypeError(f"{text!r}: give at least two layer sizes, each 1..4096")
    if layers[0] != INPUTS or layers[-1] != 1:
        raise argparse.ArgumentTypeError(f"{text!r}: a driver has {INPUTS} inputs and 1 output, e.g. 7,8,4,1")
    return layers


def build_parser() -> Parser:
    strategies = "; ".join(f"{name}: {cls.description}" for name, cls in STRATEGIES.items()).replace("%", "%%")
    parser = Parser(
        prog=PROG,
        description="Watch a population of 7-8-4-1 neural networks learn to race a track by evolution.",
        epilog="Keys in the window: press H there, or see the README.",
    )
    parser.add_argument("--headless", action="store_true", help="run without a window, printing a line per generation")
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
        help="size of the mutation noise (default 0.1 for classic, 0.3 for elitist; snes adapts its own)",
    )
    parser.add_argument(
        "--strategy",
        choices=sorted(STRATEGIES),
        help=f"how the next generation is bred (default {DEFAULT_STRATEGY}). {strategies}",
    )
    parser.add_argument(
        "--tracks",
        type=whole(0, 100),
        metavar="K",
        help="also score each generation on K fresh random tracks; selection uses the mean share finished, and "
        "for elitist and snes how far from the barriers finishers keep (default 0 for classic, 2 for the others)",
    )
    parser.add_argument(
        "--test-curve",
        action=argparse.BooleanOptionalAction,
        default=True,
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
        "--resume",
        type=Path,
        metavar="FILE.npz",
        help="continue a checkpointed run; --generations is then the run's total from its start",
    )
    window = parser.add_argument_group("window")
    window.add_argument(
        "--speed", default="1", metavar="X", help="starting speed: 1, 2, 4, ... 64, or turbo (default 1)"
    )
    window.add_argument("--frames", type=whole(1), metavar="N", help="quit after N frames (for tests and demos)")
    window.add_argument("--screenshot", type=Path, metavar="FILE.png", help="save the last frame as a PNG")
    window.add_argument("--size", default="1280x720", metavar="WxH", help="window size (default 1280x720)")
    return parser


@dataclass(frozen=True)
class Options:
    """Parsed and checked command line; evolution is set when resuming a checkpoint."""

    args: argparse.Namespace
    config: RunConfig
    track: Track
    seed_was_drawn: bool
    evolution: Evolution | None = None
    changes: tuple[str, ...] = ()


FIXED_ON_RESUME = ("population", "layers", "strategy", "seed", "tracks", "load")


def parse(argv: list[str]) -> Options:
    args = build_parser().parse_args(argv)
    if args.save and args.save.exists():
        raise InputError(f"{args.save}: already exists; --save never replaces a file, choose another name")
    if args.save and args.load:
        raise InputError("--save and --load do not go together: --load drives saved genomes without evolving")
    if args.resume:
        return resumed(args)
    strategy = args.strategy or DEFAULT_STRATEGY
    seed_was_drawn = args.seed is None
    config = RunConfig(
        population=args.population or 50,
        layers=args.layers or (7, 8, 4, 1),
        mutation_rate=args.mutation_rate
        if args.mutation_rate is not None
        else STRATEGIES[strategy].default_mutation_rate,
        strategy=strategy,
        seed=secrets.randbelow(2**32) if seed_was_drawn else args.seed,
        generations=args.generations if args.generations is not None else (120 if args.headless else UNLIMITED),
        extra_tracks=args.tracks if args.tracks is not None else STRATEGIES[strategy].default_tracks,
        test_curve=args.test_curve,
        safety_weight=STRATEGIES[strategy].default_safety_weight,
    )
    return Options(args, config, resolve_track(args.track or "training"), seed_was_drawn)


def resumed(args: argparse.Namespace) -> Options:
    """Options that continue a checkpoint: its settings, but for the total, mutation rate and track."""
    fixed = [name for name in FIXED_ON_RESUME if getattr(args, name) is not None]
    if fixed:
        raise InputError(f"--{fixed[0]} cannot be given with --resume: the checkpoint holds the run's settings")
    evolution, _ = load_checkpoint(args.resume)
    config = evolution.config
    changes = []
    if args.generations is not None and args.generations != config.generations:
        config = replace(config, generations=args.generations)
    elif args.generations is None and not args.headless:
        config = replace(config, generations=max(config.generations, UNLIMITED))
    if args.mutation_rate is not None and args.mutation_rate != config.mutation_rate:
        changes.append(f"mutation rate {config.mutation_rate} -> {args.mutation_rate}")
        config = replace(config, mutation_rate=args.mutation_rate)
        evolution.strategy.mutation_rate = args.mutation_rate
    if args.track is not None and args.track != evolution.track.name:
        track = resolve_track(args.track)
        changes.append(f"track {evolution.track.name} -> {track.name}")
        evolution.track = track
    evolution.config = config
    if args.checkpoint is None:
        args.checkpoint = args.resume  # a resumed run goes on checkpointing where it came from
    return Options(args, config, evolution.track, False, evolution, tuple(changes))


def warn(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr, flush=True)


def run_headless(options: Options) -> int:
    args, config = options.args, options.config
    if options.seed_was_drawn:
        print(f"seed {config.seed} (drawn at random; pass --seed {config.seed} to repeat this run)")
    evolution = options.evolution or Evolution(config, options.track)
    if evolution.finished_all and evolution.settled:
        print(f"{args.resume}: the run has already reached generation {evolution.generation - 1}; nothing to do")
        return 0
    reporters: list = [ProgressLine()]
    if args.log:
        reporters.append(CsvLog(args.log, continue_at=evolution.reported if options.evolution else None))
        if options.changes:
            reporters[-1].note(f"resumed at generation {evolution.generation}: " + ", ".join(options.changes))
    checkpointer = Checkpointer(args.checkpoint, args.checkpoint_every, warn) if args.checkpoint else None
    if checkpointer:
        reporters.append(checkpointer)
    evolution.reporters = reporters
    started = time.perf_counter()
    interrupted = False
    try:
        while not evolution.finished_all:
            evolution.run_generation()
        evolution.settle_now()  # the last champions' test drives, and their rows
    except KeyboardInterrupt:
        interrupted = True
        print(f"interrupted during generation {evolution.generation}; saving first", file=sys.stderr)
    finally:
        for reporter in reporters:
            reporter.close()
    if checkpointer and checkpointer.saved_generation != evolution.generation and checkpointer.save(evolution):
        print(f"checkpoint: {args.checkpoint} (generation {evolution.generation - 1})")
    last = evolution.history.last()
    if last is not None:
        print(
            f"done: best {last.best} of {evolution.track.finish} · finished {last.finished} of {config.population}"
            f" · {time.perf_counter() - started:.2f} s · seed {config.seed} · track {evolution.track.name}"
        )
    if args.save and evolution.best(args.keep) is not None:
        path = save_genomes(args.save, evolution.best(args.keep))
        print(f"saved the best {min(args.keep, config.population)} genomes to {path}")
    return 130 if interrupted else 0


def drive_headless(options: Options) -> int:
    args = options.args
    saved = load_genomes(args.load)
    track = options.track
    scores = race_scores(saved.genomes, track, saved.network)
    width = len(str(len(scores)))
    for rank, score in enumerate(scores, start=1):
        mark = "finished" if score >= track.finish else ""
        print(f"genome {rank:>{width}}  score {score:>6}  {mark}".rstrip())
    finished = int((scores >= track.finish).sum())
    print(f"finished {finished} of {len(scores)}")
    if args.log:
        rows = ["rank,score,finished"] + [
            f"{rank},{score},{int(score >= track.finish)}" for rank, score in enumerate(scores, start=1)
        ]
        write_atomic(args.log, ("\n".join(rows) + "\n").encode())
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        options = parse(sys.argv[1:] if argv is None else argv)
        if options.args.headless:
            return drive_headless(options) if options.args.load else run_headless(options)
        from game.app import run_window

        return run_window(options)
    except InputError as exc:
        fail(str(exc))
    except ValueError as exc:
        fail(str(exc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
