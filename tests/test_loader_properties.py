"""Property-based tests of the genome file and track loaders: valid files round-trip exactly; damaged ones,
field by field and byte by byte, load consistently or are refused in one line naming the file.

NEURORACER_NIGHTLY=1 runs 2,000 examples a property instead of a few hundred in all; -s prints the counts.
"""

from __future__ import annotations

import io
import json
import math
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import evolution.racing.track as track_module
from evolution.errors import InputError
from evolution.racing.network import Network
from evolution.racing.track import MAX_HEIGHT, MIN_COLUMNS, Track, load_track_file
from evolution.run.genome_file import FIELDS, MAX_TEXT, MAX_WEIGHT, GenomeFile, load_genomes, save_genomes
from tests.loader_properties import (
    OUTCOMES,
    byte_edits,
    finite,
    json_junk,
    load_or_refuse,
    plausible,
    printable_text,
    report,
    settings_for_loaders,
    written,
)

# ---------------------------------------------------------------------------------------------------------------
# shared pieces (the others are in loader_properties.py)

SAME_KIND = {
    "weight": finite | st.integers(-(10**6), 10**6),
    "score": st.integers(0, 10**9),
    "seed": st.none() | st.integers(0, 2**32 - 1),
    "generation": st.integers(0, 10**9),
    "strategy": printable_text,
    "track": printable_text,
    "created": printable_text,
    "version": st.just(1),
    "format": st.just("neuroracer-genomes"),
}

# ---------------------------------------------------------------------------------------------------------------
# genome files


def check_genome_file(loaded: GenomeFile) -> None:
    """A loaded genome file agrees with itself: shapes with layers, finite weights, printable texts."""
    layers = loaded.layers
    assert isinstance(layers, tuple) and all(type(size) is int and 1 <= size <= 4096 for size in layers)
    assert layers[0] == 7 and layers[-1] == 1
    count = loaded.genomes.shape[0]
    assert count >= 1 and loaded.genomes.shape == (count, Network(layers).genome_size)
    assert loaded.genomes.dtype == np.float64 and np.isfinite(loaded.genomes).all()
    assert loaded.scores.shape == (count,) and loaded.scores.dtype == np.int64 and (loaded.scores >= 0).all()
    assert loaded.seed is None or (type(loaded.seed) is int and 0 <= loaded.seed < 2**32)
    assert type(loaded.generation) is int and loaded.generation >= 0
    for text in (loaded.strategy, loaded.track, loaded.created):
        assert isinstance(text, str) and len(text) <= MAX_TEXT and text.isprintable()


@st.composite
def genome_records(draw) -> GenomeFile:
    layers = (7, *draw(st.lists(st.integers(1, 6), max_size=2)), 1)
    count = draw(st.integers(1, 4))
    weights = st.floats(-MAX_WEIGHT, MAX_WEIGHT)  # what a genome file may hold (genome_file.MAX_WEIGHT)
    genomes = draw(hnp.arrays(np.float64, (count, Network(layers).genome_size), elements=weights))
    scores = np.array(draw(st.lists(st.integers(0, 10**9), min_size=count, max_size=count)), dtype=np.int64)
    return GenomeFile(
        layers=layers,
        genomes=genomes,
        scores=scores,
        strategy=draw(printable_text),
        seed=draw(st.none() | st.integers(0, 2**32 - 1)),
        generation=draw(st.integers(0, 10**9)),
        track=draw(printable_text),
        created=draw(printable_text.filter(bool)),
    )


def saved(record: GenomeFile) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return save_genomes(Path(folder) / "g.json", record).read_bytes()


@given(genome_records())
@settings_for_loaders()
def test_valid_genome_files_round_trip_exactly(record):
    with written("good.json", saved(record)) as path:
        loaded = load_or_refuse(load_genomes, path, check_genome_file, "genome file (valid)")
    assert loaded is not None
    assert loaded.layers == record.layers and np.array_equal(loaded.genomes, record.genomes)
    assert np.array_equal(np.signbit(loaded.genomes), np.signbit(record.genomes))  # -0.0 stays -0.0
    assert loaded.scores.tolist() == record.scores.tolist()
    assert (loaded.strategy, loaded.seed, loaded.generation, loaded.track, loaded.created) == (
        record.strategy,
        record.seed,
        record.generation,
        record.track,
        record.created,
    )


def slots(document: dict) -> list[tuple]:
    """Every place in a genome document a value can be put: weights, scores, genomes, layer sizes, fields.

    Hypothesis draws the first places most often, so the deepest come first: fewer examples die at "format".
    """
    places = []
    for i, entry in enumerate(document["genomes"]):
        places += [("genomes", i, "weights", j) for j in range(min(len(entry["weights"]), 3))]
        places += [("genomes", i, "score"), ("genomes", i, "weights"), ("genomes", i)]
    places += [("layers", i) for i in range(len(document["layers"]))]
    return places + [(field,) for field in reversed(FIELDS)]


@given(genome_records(), st.data())
@settings_for_loaders()
def test_genome_files_damaged_field_by_field_load_or_are_refused_in_one_line(record, data):
    document = json.loads(saved(record))
    for _ in range(data.draw(st.integers(1, 3))):
        kind = data.draw(st.sampled_from(["retype", "set", "delete", "extra"]))
        place = data.draw(st.sampled_from(slots(document)))
        parent = document
        for key in place[:-1]:
            parent = parent[key]
        if kind == "set":  # junk, or a value of a plausible kind
            parent[place[-1]] = data.draw(json_junk | plausible)
        elif kind == "retype":  # another value of the slot's own kind, which may well be accepted
            parent[place[-1]] = data.draw(SAME_KIND.get(place[-1] if len(place) < 4 else "weight", plausible))
        elif kind == "delete" and isinstance(parent, dict):
            parent.pop(place[-1], None)
        elif kind == "extra":
            (parent if isinstance(parent, dict) else document)[data.draw(st.text(max_size=8))] = data.draw(json_junk)
        if not isinstance(document.get("genomes"), list) or not isinstance(document.get("layers"), list):
            break  # the slots below them are gone
        if not all(isinstance(e, dict) and isinstance(e.get("weights"), list) for e in document["genomes"]):
            break
    text = json.dumps(document, allow_nan=True)  # NaN and Infinity written as the bare words a loader must refuse
    with written("damaged.json", text.encode("utf-8", "surrogatepass")) as path:
        load_or_refuse(load_genomes, path, check_genome_file, "genome file (fields)")


@given(genome_records().flatmap(lambda record: byte_edits(saved(record))))
@settings_for_loaders()
def test_genome_files_damaged_byte_by_byte_load_or_are_refused_in_one_line(data):
    with written("damaged.json", data) as path:
        load_or_refuse(load_genomes, path, check_genome_file, "genome file (bytes)")


# ---------------------------------------------------------------------------------------------------------------
# track files


def check_track(track: Track) -> None:
    """A loaded track agrees with itself: two equal finite columns, drawable, the start inside the corridor."""
    top, bottom = track.top, track.bottom
    assert top.dtype == bottom.dtype == np.float64 and top.ndim == 1 and top.shape == bottom.shape
    assert MIN_COLUMNS <= track.columns <= track_module.MAX_COLUMNS
    assert np.isfinite(top).all() and np.isfinite(bottom).all()
    assert (np.abs(top) <= MAX_HEIGHT).all() and (np.abs(bottom) <= MAX_HEIGHT).all()
    assert (bottom < top).all() and bottom[0] < 0 < top[0]
    assert not top.flags.writeable and not bottom.flags.writeable


@st.composite
def corridors(draw) -> tuple[np.ndarray, np.ndarray | None]:
    """(top, bottom) of a valid track, or (top, None) for a one-column file whose bottom lies 1 below."""
    columns = draw(st.integers(MIN_COLUMNS, 80))
    heights = st.floats(-MAX_HEIGHT + 1, MAX_HEIGHT)
    top = draw(hnp.arrays(np.float64, columns, elements=heights))
    if draw(st.booleans()):
        top[0] = draw(st.floats(0, 1, exclude_min=True, exclude_max=True))
        return top, None
    gaps = draw(hnp.arrays(np.float64, columns, elements=st.floats(1e-3, 1e3)))
    bottom = np.maximum(top - gaps, -MAX_HEIGHT)  # tops are above -MAX_HEIGHT + 1, so still below them
    top[0], bottom[0] = draw(st.floats(1e-9, 50)), -draw(st.floats(1e-9, 50))
    return top, bottom


def csv_text(draw, top: np.ndarray, bottom: np.ndarray | None) -> str:
    """The corridor as CSV, written in one of the ways a person might: header or not, line ends, spacing, formats."""
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    fmt = draw(st.sampled_from([repr, lambda v: f"{v:.17g}", lambda v: f"{v:.17E}", lambda v: f" {v!r} "]))
    header = draw(
        st.sampled_from(["", "top" if bottom is None else "top,bottom", "TOP" if bottom is None else "Top , Bottom"])
    )
    rows = [
        fmt(float(t)) if bottom is None else f"{fmt(float(t))},{fmt(float(b))}"
        for t, b in zip(top, top if bottom is None else bottom)
    ]
    if draw(st.booleans()):
        rows.insert(draw(st.integers(0, len(rows))), "")  # a blank line anywhere is skipped
    return (header + end if header else "") + end.join(rows) + draw(st.sampled_from(["", end, end + end]))


@st.composite
def csv_files(draw) -> tuple[bytes, np.ndarray, np.ndarray]:
    top, bottom = draw(corridors())
    text = csv_text(draw, top, bottom)
    bom = b"\xef\xbb\xbf" if draw(st.booleans()) else b""
    return bom + text.encode(), top, top - 1 if bottom is None else bottom


@st.composite
def npy_files(draw) -> tuple[bytes, np.ndarray, np.ndarray]:
    top, bottom = draw(corridors())
    dtype = np.float64
    array = top if bottom is None else np.stack([top, bottom], axis=1)
    if draw(st.booleans()) and array.ndim == 2:
        array = np.asfortranarray(array)
    if draw(st.booleans()):  # float32 and whole numbers are tracks too, read as float64
        dtype = np.float32
        with np.errstate(over="ignore"):
            narrow = array.astype(dtype)
        expected = narrow.astype(np.float64)
        columns = (expected, expected - 1) if expected.ndim == 1 else (expected[:, 0], expected[:, 1])
        if not (np.all(columns[1] < columns[0]) and columns[1][0] < 0 < columns[0][0]):
            dtype = np.float64
    buffer = io.BytesIO()
    np.save(buffer, array.astype(dtype))
    read = array.astype(dtype).astype(np.float64)
    top, bottom = (read, read - 1) if read.ndim == 1 else (read[:, 0], read[:, 1])
    return buffer.getvalue(), top, bottom


@contextmanager
def chunks_of(size: int):
    """The CSV reader taking size characters at a time, to try every place a chunk can end."""
    before = track_module.CSV_CHUNK_CHARS
    track_module.CSV_CHUNK_CHARS = size
    try:
        yield
    finally:
        track_module.CSV_CHUNK_CHARS = before


chunk_sizes = st.sampled_from([1, 2, 3, 7, 16, 100, track_module.CSV_CHUNK_CHARS])


@given(csv_files(), chunk_sizes)
@settings_for_loaders()
def test_valid_csv_tracks_read_exactly(file, chunk):
    data, top, bottom = file
    with written("good.csv", data) as path, chunks_of(chunk):
        track = load_or_refuse(load_track_file, path, check_track, "track .csv (valid)")
    assert track is not None and track.name == "good.csv"
    assert np.array_equal(track.top, top) and np.array_equal(track.bottom, bottom)


@given(npy_files())
@settings_for_loaders()
def test_valid_npy_tracks_read_exactly(file):
    data, top, bottom = file
    with written("good.npy", data) as path:
        track = load_or_refuse(load_track_file, path, check_track, "track .npy (valid)")
    assert track is not None
    assert np.array_equal(track.top, top) and np.array_equal(track.bottom, bottom)


def reference_csv(data: bytes) -> np.ndarray | None:
    """The CSV reader before chunking, row by row (and a byte-order mark allowed): the values, or None if refused."""
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None
    rows = [line.strip() for line in text.splitlines() if line.strip()]
    if rows and rows[0].replace(" ", "").lower() in ("top", "top,bottom"):
        rows = rows[1:]
    if not rows or len(rows[0].split(",")) > 2:
        return None
    try:
        values = [[float(cell) for cell in row.split(",")] for row in rows if len(row) <= 1000]
    except ValueError:
        return None
    if len(values) != len(rows) or len({len(row) for row in values}) != 1:
        return None
    return np.array(values)


@given(csv_files().flatmap(lambda file: byte_edits(file[0])), chunk_sizes)
@settings_for_loaders()
def test_csv_tracks_damaged_byte_by_byte_load_as_a_row_by_row_reader_would_or_are_refused(data, chunk):
    with written("damaged.csv", data) as path, chunks_of(chunk):
        track = load_or_refuse(load_track_file, path, check_track, "track .csv (bytes)")
    expected = reference_csv(data)
    if track is None:
        if expected is not None:  # then refused for what the barriers hold, not for how they were written:
            top = expected[:, 0]  # a track of the row-by-row reader's values is refused too, in one line
            bottom = expected[:, 1] if expected.shape[1] == 2 else top - 1
            try:
                Track("reference", top, bottom)
            except InputError as refused:
                assert str(refused).startswith("track reference: ") and "\n" not in str(refused), str(refused)
            else:
                raise AssertionError("the chunked reader refused a file the row-by-row reader reads")
    else:
        assert expected is not None
        bottom = expected[:, 1] if expected.shape[1] == 2 else expected[:, 0] - 1
        assert np.array_equal(track.top, expected[:, 0]) and np.array_equal(track.bottom, bottom)


@given(npy_files().flatmap(lambda file: byte_edits(file[0])))
@settings_for_loaders()
def test_npy_tracks_damaged_byte_by_byte_load_or_are_refused_in_one_line(data):
    with written("damaged.npy", data) as path:
        load_or_refuse(load_track_file, path, check_track, "track .npy (bytes)")


@given(
    st.lists(st.floats(-3, 3), min_size=10, max_size=60)
    | st.lists(finite | st.sampled_from([math.nan, math.inf, 9e307, -9e307, 0.0]), max_size=60),
    st.integers(1, 3),
    st.sampled_from([".csv", ".npy"]),
    st.booleans(),
)
@settings_for_loaders()
def test_tracks_of_any_numbers_load_or_are_refused_in_one_line(values, width, suffix, start_inside):
    array = np.array(values[: len(values) // width * width], dtype=np.float64).reshape(-1, width)
    if start_inside and array.size:
        array[0] = [0.5, -0.5, 0.0][:width]
    if suffix == ".npy":
        buffer = io.BytesIO()
        np.save(buffer, array)
        data = buffer.getvalue()
    else:
        data = "\n".join(",".join(repr(float(v)) for v in row) for row in array).encode()
    with written(f"numbers{suffix}", data) as path:
        load_or_refuse(load_track_file, path, check_track, f"track {suffix} (numbers)")


def test_report_the_counts(capsys):
    """Prints how many inputs each property tried, accepted and refused (run with -s to see it)."""
    lines = report()
    with capsys.disabled():
        print("\n" + "\n".join(f"loader properties: {line}" for line in lines))
    for name in {name for name, _ in OUTCOMES}:
        assert OUTCOMES[name, "accepted"] + OUTCOMES[name, "refused"] > 0
