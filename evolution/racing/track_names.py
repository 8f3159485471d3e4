"""A track from its name: the built-in tracks of evolution/racing/track.py, a level of endless mode
(evolution/racing/endless.py) or a file. Here, above both, so that the tracks do not import the endless mode
that builds on them."""

from __future__ import annotations

from evolution.racing import endless
from evolution.racing.track import (
    SAVED_TRACK,
    Track,
    blog_test_track,
    load_track_file,
    random_track,
    random_track_numbers,
    training_track,
)


def resolve_track(spec: str) -> Track:
    """A track from its name on the command line: training, test, random:SEED[:COLUMNS], endless:SEED:LEVEL (a
    level of endless mode, evolution/racing/endless.py) or a file."""
    if spec == "training":
        return training_track()
    if spec == "test":
        return blog_test_track()
    if spec.startswith("random:"):
        return random_track(*random_track_numbers(spec))
    if SAVED_TRACK.match(spec):  # a track the editor saved: named by its path, so a change can go to it
        track = load_track_file(spec)
        return Track(spec, track.top, track.bottom)
    if spec.startswith("endless:"):
        return endless.resolve(spec)
    return load_track_file(spec)
