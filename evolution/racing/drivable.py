"""Can any dot drive a track? An exact check over the race's physics, and the driving that proves it.

A dot's state after column i is its height p and speed v. One step with force f (the network's output
minus 0.5, so f lies in [-0.5, 0.5]) gives p + v + f/2 and v + f (evolution/racing/race.py: half the speed,
the force, the other half). So the states a dot can be in after column i form a convex polygon in the
(height, speed) plane: the previous one sheared by (p, v) -> (p + v, v), widened along the segment of
forces {(f/2, f)}, and cut to the corridor bottom[i] <= p <= top[i]. The check builds that polygon column
by column from the start (0, 0); the track is drivable exactly when none is empty up to the finish. Then
it walks back from the last polygon, choosing at each column a force that leads from a state of the
previous polygon, and replays those forces with the race's own arithmetic to prove the driving.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evolution.errors import InputError
from evolution.racing.track import MIN_COLUMNS, SENSORS, Track

FORCE = 0.5  # the largest force: the network's output (0 to 1) minus 0.5
MIN_WIDTH = 0.25  # the editor refuses a corridor narrower than this (a quarter of the blog's width)
_EPS = 1e-12


@dataclass(frozen=True)
class Drivability:
    """The check's verdict. drivable; reason: one plain line (empty when drivable); column: where it fails
    (-1 when drivable); forces: (finish,) a driving that reaches the finish (None when not drivable);
    heights: (finish,) where that driving is after each column."""

    drivable: bool
    reason: str = ""
    column: int = -1
    forces: np.ndarray | None = None
    heights: np.ndarray | None = None


def _cross(o: tuple, a: tuple, b: tuple) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The convex hull of points, counter-clockwise, collinear and repeated points dropped (plain floats:
    a polygon has a handful of corners, and numpy's calls would cost more than the arithmetic)."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts
    lower: list = []
    for p in pts:
        while len(lower) >= 2 and _cross(lower[-2], lower[-1], p) <= _EPS:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and _cross(upper[-2], upper[-1], p) <= _EPS:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _clip(poly: list[tuple[float, float]], low: float, high: float) -> list[tuple[float, float]]:
    """The part of a convex polygon (or segment, or point) with low <= p <= high."""
    for sign, bound in ((1.0, high), (-1.0, -low)):  # sign * p <= bound
        if not poly:
            return poly
        if all(sign * p <= bound for p, _ in poly):
            continue
        out = []
        count = len(poly)
        for k in range(count):
            a, b = poly[k], poly[(k + 1) % count]
            a_in, b_in = sign * a[0] <= bound, sign * b[0] <= bound
            if a_in:
                out.append(a)
            if a_in != b_in and count > 1:
                t = (bound - sign * a[0]) / (sign * (b[0] - a[0]))
                out.append((a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])))
        poly = _hull(out) if out else []
    return poly


def _step(poly: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Every state one column later, before the corridor cuts it."""
    dp, dv = FORCE / 2, FORCE
    points = []
    for p, v in poly:
        points.append((p + v - dp, v - dv))
        points.append((p + v + dp, v + dv))
    return _hull(points)


def check_drivable(track: Track) -> Drivability:
    """Whether some sequence of forces drives a dot from height 0, speed 0 to the track's finish without
    leaving the corridor (a dot is out above top[i] or below bottom[i] after column i), and one such driving."""
    return check_barriers_drivable(track.top, track.bottom)


def check_barriers_drivable(top: np.ndarray, bottom: np.ndarray) -> Drivability:
    """check_drivable() of barriers not yet made a Track (their start may lie outside the corridor)."""
    top, bottom = np.asarray(top, dtype=np.float64), np.asarray(bottom, dtype=np.float64)
    finish = top.size - SENSORS[-1]
    if not bottom[0] < 0 < top[0]:
        return Drivability(False, f"the start (height 0) lies outside the corridor ({bottom[0]:g} to {top[0]:g})", 0)
    polys: list[np.ndarray] = []
    poly = [(0.0, 0.0)]
    for column, (low, high) in enumerate(zip(bottom[:finish].tolist(), top[:finish].tolist())):
        poly = _clip(_step(poly), low, high)
        if not poly:
            return Drivability(
                False, f"no dot can drive it: at column {column} every reachable height is outside the corridor", column
            )
        polys.append(poly)
    forces = _walk_back([np.array(poly, dtype=np.float64).reshape(-1, 2) for poly in polys])
    heights, crash = drive(top, bottom, forces)
    if crash >= 0:
        return Drivability(False, f"no dot can drive it safely: only a path grazing a barrier at column {crash}", crash)
    return Drivability(True, forces=forces, heights=heights)


def _force_interval(poly: np.ndarray, p: float, v: float) -> tuple[float, float]:
    """The forces f in [-FORCE, FORCE] with (p - v + f/2, v - f), the state before, inside poly."""
    low, high = -FORCE, FORCE
    base, slope = np.array([p - v, v]), np.array([0.5, -1.0])
    count = poly.shape[0]
    if count == 1:  # a point: f is fixed by the speed
        f = v - poly[0, 1]
        return f, f
    if count == 2:  # a segment: f puts the state before on its line
        a, b = poly
        normal = np.array([b[1] - a[1], a[0] - b[0]])
        c0, c1 = normal @ (base - a), normal @ slope
        f = -c0 / c1 if abs(c1) > _EPS else 0.0
        return f, f
    centre = poly.mean(axis=0)
    for k in range(count):
        a, b = poly[k], poly[(k + 1) % count]
        normal = np.array([b[1] - a[1], a[0] - b[0]])  # outward for a counter-clockwise polygon
        if normal @ (centre - a) > 0:
            normal = -normal
        # normal . (base + f * slope - a) <= 0
        c0, c1 = normal @ (base - a), normal @ slope
        if abs(c1) < _EPS:
            if c0 > 1e-9:
                return 1.0, -1.0
            continue
        bound = -c0 / c1
        if c1 > 0:
            high = min(high, bound)
        else:
            low = max(low, bound)
    return low, high


def _walk_back(polys: list[np.ndarray]) -> np.ndarray:
    """A force per column that reaches a state of the last polygon, chosen walking back from its centre."""
    forces = np.zeros(len(polys))
    p, v = polys[-1].mean(axis=0)
    for column in range(len(polys) - 1, 0, -1):
        low, high = _force_interval(polys[column - 1], p, v)
        f = (low + high) / 2 if low <= high else float(np.clip(v - polys[column - 1].mean(axis=0)[1], -FORCE, FORCE))
        forces[column] = f
        p, v = p - v + f / 2, v - f
    forces[0] = float(np.clip(v, -FORCE, FORCE))  # from (0, 0): the first force is the speed it gives
    return forces


def drive(top: np.ndarray, bottom: np.ndarray, forces: np.ndarray) -> tuple[np.ndarray, int]:
    """Drive one dot with these forces, in the race's own arithmetic; (heights after each column, the column
    where it went out or -1)."""
    top, bottom = np.asarray(top).tolist(), np.asarray(bottom).tolist()
    p = v = 0.0
    heights = np.zeros(len(forces))
    for column, f in enumerate(forces.tolist()):
        p = p + v * 0.5
        v = v + f
        p = p + v * 0.5
        heights[column] = p
        if p > top[column] or p < bottom[column]:
            return heights[: column + 1], column
    return heights, -1


def check_editable(top: np.ndarray, bottom: np.ndarray) -> Drivability:
    """The editor's check of barriers: the start inside the corridor, no column narrower than MIN_WIDTH, then
    drivability."""
    top, bottom = np.asarray(top, dtype=np.float64), np.asarray(bottom, dtype=np.float64)
    if top.size < MIN_COLUMNS:
        return Drivability(False, f"too short: a track needs at least {MIN_COLUMNS} columns", 0)
    if not bottom[0] < 0 < top[0]:
        return check_barriers_drivable(top, bottom)
    narrow = np.flatnonzero(top - bottom < MIN_WIDTH)
    if narrow.size:
        column = int(narrow[0])
        width = float(top[column] - bottom[column])
        return Drivability(
            False, f"too narrow for a dot at column {column} ({width:.2f} wide, at least {MIN_WIDTH:g})", column
        )
    return check_barriers_drivable(top, bottom)


CHECKED_COLUMNS = 20_000  # a track file longer than this is not checked at start (a few seconds' work)


def refuse_undrivable(track: Track, label: str) -> None:
    """InputError naming the column where no dot can go on, for a track file (up to CHECKED_COLUMNS long)."""
    if track.columns > CHECKED_COLUMNS:
        return
    verdict = check_drivable(track)
    if not verdict.drivable:
        raise InputError(f"{label}: {verdict.reason}")
