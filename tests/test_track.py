"""Tracks: the blog's two, random ones, and files (with every way a file can be wrong)."""

import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import evolution.racing.track as track_module
from evolution import budget
from evolution.errors import InputError
from evolution.racing.track import blog_test_track, load_track_file, random_track, training_track
from evolution.racing.track_names import resolve_track
from tests.helpers import ROOT, refused_with_peak


def blog_tracks() -> dict | None:
    """The tracks of the blog's code run here, or None without ../shared/reference."""
    from bench.common import load_reference

    reference = load_reference()
    if reference is None:
        return None
    training, test = reference.training_track(), reference.test_track()
    return {"training": [np.ravel(a) for a in training[:2]], "test": [np.ravel(a) for a in test[:2]]}


# numpy's sin and exp take SIMD paths that can differ in the last bit from one CPU to another (the golden
# arrays were made on a machine with AVX-512): against them, within 1e-13 (seen: 2e-15); against the
# blog's own code run on this machine, when it is there, bit for bit.
@pytest.mark.parametrize(
    ("name", "make", "finish"), [("training", training_track, 391), ("test", blog_test_track, 3991)]
)
def test_the_blogs_tracks_are_reproduced(golden, name, make, finish):
    track = make()
    np.testing.assert_allclose(track.top, golden[f"{name}_top"], rtol=0, atol=1e-13)
    np.testing.assert_allclose(track.bottom, golden[f"{name}_bottom"], rtol=0, atol=1e-13)
    assert track.finish == finish
    here = blog_tracks()
    if here is not None:
        assert np.array_equal(track.top, here[name][0]) and np.array_equal(track.bottom, here[name][1])


def test_random_track_is_of_the_test_tracks_kind_and_seeded():
    assert np.array_equal(resolve_track("random:0:4000").top, blog_test_track().top)
    a, b, c = resolve_track("random:5"), random_track(5), random_track(6)
    assert a.columns == 1000 and np.array_equal(a.top, b.top)
    assert not np.array_equal(a.top, c.top)
    assert a.top[0] == 0.5 and np.allclose(a.top - a.bottom, 1)


def test_one_column_csv_puts_the_bottom_one_below(tmp_path):
    path = tmp_path / "t.csv"
    top = np.linspace(0.5, 3, 20)
    path.write_text("top\n" + "\n".join(repr(float(v)) for v in top) + "\n")
    track = load_track_file(path)
    assert np.array_equal(track.top, top) and np.array_equal(track.bottom, top - 1)


def test_two_column_csv_and_npy_read_exactly(tmp_path):
    top = np.random.default_rng(0).normal(size=30) + 5
    top += 0.25 - top[0]  # the dots start at height 0, inside the corridor
    bottom = top - np.linspace(0.5, 2, 30)
    (tmp_path / "t.csv").write_text("\n".join(f"{float(t)!r},{float(b)!r}" for t, b in zip(top, bottom)))
    np.save(tmp_path / "t.npy", np.stack([top, bottom], axis=1))
    for name in ("t.csv", "t.npy"):
        track = load_track_file(tmp_path / name)
        assert np.array_equal(track.top, top) and np.array_equal(track.bottom, bottom)


BAD_CSV = {
    "empty.csv": "",
    "blank.csv": "\n\n",
    "short.csv": "\n".join(["1"] * 9),
    "words.csv": "1\n2\nthree\n" + "4\n" * 20,
    "nan.csv": "nan\n" + "1\n" * 20,
    "inf.csv": "1\n" * 20 + "inf\n",
    "crossed.csv": "1,0\n" * 15 + "0,1\n",
    "equal.csv": "1,1\n" * 15,
    "ragged.csv": "1,0\n" * 15 + "1\n",
    "three.csv": "3,2,1\n" * 15,
}


@pytest.mark.parametrize("name", sorted(BAD_CSV))
def test_bad_csv_track_is_refused_with_the_file_named(tmp_path, name):
    path = tmp_path / name
    path.write_text(BAD_CSV[name])
    with pytest.raises(InputError, match=re.escape(name)):
        load_track_file(path)


def test_bad_npy_tracks_are_refused(tmp_path):
    cases = {
        "objects.npy": np.array([{"a": 1}] * 20, dtype=object),
        "text.npy": np.array(["1"] * 20),
        "cube.npy": np.zeros((20, 2, 2)),
        "short.npy": np.zeros(5),
    }
    for name, array in cases.items():
        np.save(tmp_path / name, array, allow_pickle=True)
        with pytest.raises(InputError, match=re.escape(name)):
            load_track_file(tmp_path / name)
    (tmp_path / "torn.npy").write_bytes((tmp_path / "short.npy").read_bytes()[:70])
    with pytest.raises(InputError, match=r"torn\.npy"):
        load_track_file(tmp_path / "torn.npy")


def test_unknown_track_names_are_refused(tmp_path):
    for spec in ("random:x", "random:-1", "random:1:5", "random:", "nothere.csv", "track.txt", str(tmp_path)):
        with pytest.raises(InputError):
            resolve_track(spec)


def one_line_naming(error: pytest.ExceptionInfo, path) -> str:
    message = str(error.value)
    assert message.startswith(f"{path}: ") and "\n" not in message, message
    return message


def test_a_csv_may_start_with_a_byte_order_mark(tmp_path):
    top = np.linspace(0.5, 3, 20)
    text = "top,bottom\n" + "\n".join(f"{t!r},{t - 1!r}" for t in top.tolist())
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    (tmp_path / "bom-no-header.csv").write_bytes(b"\xef\xbb\xbf" + text.split("\n", 1)[1].encode())
    for name in ("bom.csv", "bom-no-header.csv"):
        track = load_track_file(tmp_path / name)
        assert np.array_equal(track.top, top) and np.array_equal(track.bottom, top - 1)


def test_barriers_too_far_to_draw_are_refused_naming_the_column(tmp_path):
    path = tmp_path / "far.csv"
    path.write_text("9e307,-9e307\n" * 50)
    with pytest.raises(InputError) as error:
        load_track_file(path)
    assert "at column 0 a barrier lies farther than 1e+06" in one_line_naming(error, path)
    path.write_text("0.5,-0.5\n" * 20 + "0.5,-2e6\n" + "0.5,-0.5\n" * 5)
    with pytest.raises(InputError) as error:
        load_track_file(path)
    assert "at column 20 " in one_line_naming(error, path)
    np.save(tmp_path / "far.npy", np.array([[0.5, -0.5]] * 20 + [[1e300, 0]]))
    with pytest.raises(InputError, match="at column 20 a barrier lies farther"):
        load_track_file(tmp_path / "far.npy")
    path.write_text("1e6,-1e6\n" * 20)
    assert load_track_file(path).columns == 20


@pytest.mark.parametrize("rows", ["5,4", "0,-1", "1,0", "-0.5,-1.5", "2,0.1"])
def test_a_corridor_that_misses_the_start_is_refused(tmp_path, rows):
    path = tmp_path / "high.csv"
    path.write_text((rows + "\n") + "0.5,-0.5\n" * 20)
    with pytest.raises(InputError) as error:
        load_track_file(path)
    assert "the dots start at height 0, outside the corridor at column 0" in one_line_naming(error, path)


def test_the_built_in_tracks_hold_the_start():
    for spec in ("training", "test", "random:1", "random:4294967295:10", "random:7:100000"):
        track = resolve_track(spec)
        assert track.bottom[0] < 0 < track.top[0]
        assert np.abs(track.top).max() < track_module.MAX_HEIGHT


def test_a_random_track_beyond_the_memory_budget_is_refused():
    budget.set_budget(10 * 2**20)
    try:
        with pytest.raises(InputError) as error:
            resolve_track("random:3:1000000")
        assert str(error.value).startswith("track random:3:1000000: needs about 167.8 MiB, more than the memory budget")
        assert resolve_track("random:3:2000").columns == 2000
    finally:
        budget.set_budget(None)


def test_a_csv_beyond_the_memory_budget_is_refused_while_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "long.csv"
    path.write_text("0.5\n" * 200_000)
    monkeypatch.setattr(track_module, "CSV_CHUNK_CHARS", 4096)
    budget.set_budget(1_000_000)  # about 5,700 columns
    try:
        with pytest.raises(InputError) as error:
            load_track_file(path)
    finally:
        budget.set_budget(None)
    message = one_line_naming(error, path)
    rows = int(re.match(r".*?: (\d+) rows: needs about", message).group(1))
    assert 5_000 < rows < 7_000, message


def test_too_many_rows_are_refused_having_read_few(tmp_path, monkeypatch):
    path = tmp_path / "tall.csv"
    path.write_text("0.5\n" * 2_000_001)  # 8 MB of text; reading it all would take well over 100 MB
    monkeypatch.setattr(track_module, "MAX_COLUMNS", 1000)
    error, peak = refused_with_peak(load_track_file, path)
    assert "more than 1000 rows" in one_line_naming(error, path)
    assert peak < 16 * 2**20, peak  # a chunk of text and its rows; the whole file's would be over 200 MB


def test_refusing_a_tall_csv_costs_little_memory(tmp_path):
    # in a fresh process, to read its peak resident memory; MAX_COLUMNS lowered so the test runs in a second
    path = tmp_path / "tall.csv"
    path.write_text("1\n" * 2_000_001)
    script = (
        "import resource, sys\n"
        "import evolution.racing.track as t\n"
        "from evolution.errors import InputError\n"
        "t.MAX_COLUMNS = 1_000_000\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    t.load_track_file(sys.argv[1])\n"
        "except InputError as exc:\n"
        "    print(exc)\n"
        "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, cwd=ROOT)
    message, grown = done.stdout.splitlines()
    assert "more than 1000000 rows" in message, done.stderr
    # a million rows held as float64 take 8 MB; the old reader's lists of lines and rows took over 300 MB
    assert int(grown) < 64 * 2**20, int(grown) / 2**20


def test_ctrl_c_interrupts_a_long_load(tmp_path):
    path = tmp_path / "tall.csv"
    path.write_text("0.5\n" * 3_000_000)  # several seconds of parsing
    fired = []

    def interrupt(signum, frame):
        fired.append(time.perf_counter())
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(KeyboardInterrupt):
            load_track_file(path)
        answered = time.perf_counter() - fired[0]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert answered < 0.5, answered


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 13, 4096])
def test_chunks_of_any_size_read_the_same(tmp_path, monkeypatch, chunk):
    rng = np.random.default_rng(chunk)
    top = rng.normal(size=40) * 1e3
    top[0] = 0.75
    ends = ["\n", "\r\n", "\r", "\n\n", "\u2028", "\x85", " \n"]
    text = " top , bottom \r\n" + "".join(f"{t!r},{t - 1.5!r}{ends[i % len(ends)]}" for i, t in enumerate(top.tolist()))
    path = tmp_path / "odd.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    monkeypatch.setattr(track_module, "CSV_CHUNK_CHARS", chunk)
    track = load_track_file(path)
    assert np.array_equal(track.top, top) and np.array_equal(track.bottom, top - 1.5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.5\n" * 12 + "x\n" + "0.5,1\n", "row 13 is not numeric: 'x'"),
        ("0.5\n" * 12 + "0.5,1\n" + "x\n", "row 13 has 2 values, the first row has 1"),
        ("0.5,-0.5\n1\n", "row 2 has 1 values, the first row has 2"),
        ("top\n\n" + "0.5\n" * 3 + "1" * 1001 + "\n", "row 4 is longer than 1000 characters"),
        ("1,2,3\n" * 20, "expected one column (top) or two (top, bottom), got 3 values in row 1"),
        ("top\n\n\n", "the track file holds no rows"),
    ],
    ids=["words", "ragged", "ragged first in a chunk", "long row", "three values", "header only"],
)
def test_csv_problems_are_reported_at_their_row(tmp_path, monkeypatch, text, expected):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    for chunk in (7, 9, 1 << 20):
        monkeypatch.setattr(track_module, "CSV_CHUNK_CHARS", chunk)
        with pytest.raises(InputError) as error:
            load_track_file(path)
        assert one_line_naming(error, path) == f"{path}: {expected}"


def test_a_line_with_no_end_is_refused_without_reading_it_all(tmp_path, monkeypatch):
    path = tmp_path / "line.csv"
    path.write_text("0.5\n" + "1" * 5_000_000)
    monkeypatch.setattr(track_module, "CSV_CHUNK_CHARS", 4096)
    _, peak = refused_with_peak(load_track_file, path, "row 2 is longer than 1000 characters")
    assert peak < 2**20


def test_an_npy_of_too_many_values_is_refused_before_its_data_is_read(tmp_path, monkeypatch):
    np.save(tmp_path / "long.npy", np.tile([0.5, -0.5], (5000, 1)))
    monkeypatch.setattr(track_module, "MAX_COLUMNS", 1000)
    with pytest.raises(InputError) as error:
        load_track_file(tmp_path / "long.npy")
    assert "5000 rows; a track has at most 1000 columns" in one_line_naming(error, tmp_path / "long.npy")
    monkeypatch.setattr(track_module, "MAX_COLUMNS", 10_000)
    budget.set_budget(100_000)
    try:
        with pytest.raises(InputError) as error:
            load_track_file(tmp_path / "long.npy")
    finally:
        budget.set_budget(None)
    assert ": 5000 rows: needs about" in one_line_naming(error, tmp_path / "long.npy")
