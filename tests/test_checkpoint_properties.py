"""Property-based tests of the checkpoint loader: valid checkpoints round-trip; damaged ones, field by field and
byte by byte, load as a consistent run (or comparison of runs) or are refused in one line naming the file."""

from __future__ import annotations

import io
import json

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from evolution.breeding.strategies import STRATEGIES, make_strategy
from evolution.files.checkpoint import (
    Checkpoint,
    Comparison,
    load_checkpoint,
    read_checkpoint,
    save_checkpoint,
    save_comparison,
)
from evolution.racing.track import training_track
from evolution.run.evolve import Evolution, RunConfig
from tests.loader_properties import byte_edits, json_junk, load_or_refuse, plausible, settings_for_loaders, written


@st.composite
def runs(draw) -> Evolution:
    """A small run some generations in, sometimes in the middle of a race."""
    config = RunConfig(
        strategy=draw(st.sampled_from(sorted(STRATEGIES))),
        population=draw(st.integers(2, 12)),
        seed=draw(st.integers(0, 2**32 - 1)),
        generations=draw(st.none() | st.integers(4, 30)),
        extra_tracks=draw(st.integers(0, 1)),
        extra_track_columns=200,
        test_curve=draw(st.booleans()),
    )
    evolution = Evolution(config, training_track())
    for _ in range(draw(st.integers(0, 3))):
        evolution.run_generation()
    if draw(st.booleans()):
        evolution.next_race().run(draw(st.integers(1, 50)))  # a checkpoint taken while a race was under way
    return evolution


def checkpoint_bytes(evolution: Evolution) -> bytes:
    with written("run.npz", b"") as path:
        save_checkpoint(path, evolution.config, evolution.track, evolution.state)
        return path.read_bytes()


def check_consistent(checkpoint: Checkpoint) -> None:
    """A loaded checkpoint is a run that adds up and goes on: its state agrees with itself, and it races."""
    config = checkpoint.config
    strategy = make_strategy(config.strategy, checkpoint.state.best_ever_genomes.shape[1], config.population, 0.1)
    checkpoint.state.check(strategy, config.extra_tracks, config.test_curve, config.generations)
    evolution = checkpoint.evolution()
    if not evolution.raced_all:
        stats = evolution.run_generation()
        assert 0 <= stats.best <= evolution.track.finish and len(evolution.history) == evolution.generation


@given(runs())
@settings_for_loaders(examples=25)
def test_valid_checkpoints_round_trip(evolution):
    with written("run.npz", checkpoint_bytes(evolution)) as path:
        loaded = load_or_refuse(load_checkpoint, path, check_consistent, "checkpoint (valid)")
    assert loaded is not None
    again = load_checkpoint_from(checkpoint_bytes(evolution))
    assert again.state.generation == evolution.generation
    assert np.array_equal(again.state.history.to_arrays(), evolution.state.history.to_arrays())
    straight = evolution.run_generation() if not evolution.raced_all else None
    resumed = again.evolution().run_generation() if not evolution.raced_all else None
    if straight is not None:
        assert (straight.best, straight.mean, straight.finished) == (resumed.best, resumed.mean, resumed.finished)


def load_checkpoint_from(data: bytes) -> Checkpoint:
    with written("run.npz", data) as path:
        return load_checkpoint(path)


def header_slots(tree, path=()) -> list[tuple]:
    """Every place in the header's JSON tree where a value can be replaced, as key paths."""
    slots = [path] if path else []
    if isinstance(tree, dict):
        for key, value in tree.items():
            slots += header_slots(value, (*path, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            slots += header_slots(value, (*path, index))
    return slots


def replaced(tree, path: tuple, value):
    if not path:
        return value
    copy = dict(tree) if isinstance(tree, dict) else list(tree)
    copy[path[0]] = replaced(tree[path[0]], path[1:], value)
    return copy


def damaged_fields(raw: bytes, data, other_arrays: bool = False) -> bytes:
    """A checkpoint's bytes with one to three header fields replaced by junk, and sometimes an array swapped
    for one of the wrong kind (or, with other_arrays, for another member of the same file)."""
    with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
        members = {name: archive[name] for name in archive.files}
    header = json.loads(members["header"].tobytes())
    for _ in range(data.draw(st.integers(1, 3))):
        slot = data.draw(st.sampled_from(header_slots(header)))
        header = replaced(header, slot, data.draw(json_junk | plausible))
    if data.draw(st.booleans()):
        name = data.draw(st.sampled_from(sorted(members)))
        swaps = [np.zeros(0), np.zeros((2, 3)), np.array([np.nan]), np.arange(7)]
        members[name] = data.draw(st.sampled_from([*swaps, *members.values()] if other_arrays else swaps))
    members["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **members)
    return buffer.getvalue()


@given(runs(), st.data())
@settings_for_loaders(examples=60)
def test_checkpoints_damaged_field_by_field_load_consistently_or_are_refused_in_one_line(evolution, data):
    with written("run.npz", damaged_fields(checkpoint_bytes(evolution), data)) as path:
        load_or_refuse(load_checkpoint, path, check_consistent, "checkpoint (fields)")


@given(runs().flatmap(lambda evolution: byte_edits(checkpoint_bytes(evolution))))
@settings_for_loaders(examples=40)
def test_checkpoints_damaged_byte_by_byte_load_consistently_or_are_refused_in_one_line(data):
    with written("run.npz", data) as path:
        load_or_refuse(load_checkpoint, path, check_consistent, "checkpoint (bytes)")


@st.composite
def comparisons(draw) -> tuple[list[str], list[Evolution]]:
    """Two or three small runs of a comparison, with the SPECs that name their strategies."""
    evolutions = draw(st.lists(runs(), min_size=2, max_size=3))
    return [evolution.config.strategy for evolution in evolutions], evolutions


def comparison_bytes(comparison: tuple[list[str], list[Evolution]]) -> bytes:
    specs, evolutions = comparison
    with written("cmp.npz", b"") as path:
        save_comparison(path, specs, [(e.config, e.track, e.state) for e in evolutions])
        return path.read_bytes()


def check_comparison(found) -> None:
    """A loaded comparison: a SPEC per run, each run consistent and going on."""
    assert isinstance(found, Comparison) and 2 <= len(found.runs) == len(found.specs) <= 4
    for spec, run in zip(found.specs, found.runs):
        assert spec.partition(":")[0] == run.config.strategy
        check_consistent(run)


@given(comparisons())
@settings_for_loaders(examples=10)
def test_valid_comparison_checkpoints_round_trip(comparison):
    with written("cmp.npz", comparison_bytes(comparison)) as path:
        found = load_or_refuse(read_checkpoint, path, check_comparison, "comparison checkpoint (valid)")
        assert found is not None
        for run, evolution in zip(read_checkpoint(path).runs, comparison[1]):  # (check_comparison raced found's)
            assert np.array_equal(run.state.history.to_arrays(), evolution.state.history.to_arrays())
        assert load_or_refuse(load_checkpoint, path, check_consistent, "comparison read as one run") is None


@given(comparisons(), st.data())
@settings_for_loaders(examples=40)
def test_comparison_checkpoints_damaged_field_by_field_load_consistently_or_are_refused_in_one_line(comparison, data):
    # (an array may be swapped for another run's too)
    with written("cmp.npz", damaged_fields(comparison_bytes(comparison), data, other_arrays=True)) as path:
        load_or_refuse(read_checkpoint, path, check_any, "comparison checkpoint (fields)")


def check_any(found) -> None:
    """What read_checkpoint returns: a consistent comparison, or (a damaged kind read as one run) a run."""
    check_comparison(found) if isinstance(found, Comparison) else check_consistent(found)


@given(comparisons().flatmap(lambda comparison: byte_edits(comparison_bytes(comparison))))
@settings_for_loaders(examples=25)
def test_comparison_checkpoints_damaged_byte_by_byte_load_consistently_or_are_refused_in_one_line(data):
    with written("cmp.npz", data) as path:
        load_or_refuse(read_checkpoint, path, check_any, "comparison checkpoint (bytes)")
