"""Tracks: the blog's two, random ones, and files (with every way a file can be wrong)."""

import re

import numpy as np
import pytest

from evolution.errors import InputError
from evolution.track import blog_test_track, load_track_file, random_track, resolve_track, training_track


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
