"""A race: every dot of a population driven along one track at once, one column per step.

The blog's rules exactly: each dot starts at height 0 with speed 0; at column i it reads its
speed and its signed distances to both barriers at the sensors i+0, i+5 and i+9; its network's
output minus 0.5 is the force; the position moves half a step, the speed takes the force, the
position moves the other half; a dot above the top or below the bottom barrier of column i after
that step is out with score i; a dot that reaches the last sensor column scores track.finish.
Crashed dots are dropped from the arrays, so they cost nothing further.

Once evolution/racing/race_kernel.py has loaded (in the background, from the first race on), races run compiled,
many columns per call, with the same numbers bit for bit; the numpy code here is their reference (the tests
compare the two) and the fallback where numba cannot load. compiled=False keeps a race on numpy.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np

from evolution.racing import race_kernel
from evolution.racing.network import Brains, Network
from evolution.racing.track import SENSORS, Track

INPUTS = 1 + 2 * len(SENSORS)
_add, _subtract, _multiply = np.add, np.subtract, np.multiply  # one lookup per call in the step
_max, _min = np.maximum.reduce, np.minimum.reduce
_maximum, _minimum, _greater, _less, _take = np.maximum, np.minimum, np.greater, np.less, np.take
SLICE_SECONDS = 0.0005  # work per slice when a race is run in slices (see in_slices)
DISTANCES = 2 * len(SENSORS)  # the inputs after the speed: top and bottom barrier at each sensor
race_kernel.start()  # the kernel loads in the background from now on, while the program starts


def sensor_table(track: Track) -> np.ndarray:
    """(finish, 6) barrier heights each step reads: top and bottom at each sensor, in input order."""
    steps = track.finish
    columns = [barrier[offset : offset + steps] for offset in SENSORS for barrier in (track.top, track.bottom)]
    return np.ascontiguousarray(np.stack(columns, axis=1))


class Race:
    """One generation racing on one track.

    Read-only state for drawing: column (steps taken), alive (P,) bool, positions and speeds (P,)
    float64 (a crashed dot keeps the values it crashed with), scores (P,) int64 (final once done),
    trail (trail_length, P) float32 of recent heights, and paths (finish+1, P) if keep_paths.
    """

    def __init__(
        self,
        genomes: np.ndarray,
        track: Track,
        network: Network,
        trail_length: int = 0,
        keep_paths: bool = False,
        measure_safety: bool = False,
        compiled: bool = True,
    ) -> None:
        genomes = np.asarray(genomes, dtype=np.float64)
        if genomes.ndim != 2 or genomes.shape[1] != network.genome_size:
            raise ValueError(f"genomes must be (P, {network.genome_size}), not {genomes.shape}")
        if network.layers[0] != INPUTS or network.layers[-1] != 1:
            raise ValueError(f"a driving network has {INPUTS} inputs and 1 output, not {network.layers}")
        count = genomes.shape[0]
        self.track = track
        self.network = network
        self.genomes = genomes
        self.count = count
        self.column = 0
        self._finish = track.finish
        self.alive = np.ones(count, dtype=bool)
        self.scores = np.full(count, track.finish, dtype=np.int64)
        self._final_positions = np.zeros(count)
        self._final_speeds = np.zeros(count)
        self._sensors = sensor_table(track)
        self._active = np.arange(count)
        self._p = np.zeros(count)
        # The inputs are kept as rows, (7 + 1, P), the layout the network reads: the speed is row 0 (never
        # copied in), each step writes the six distances as contiguous rows, and a last row of ones carries
        # the first layer's biases (Brains.forward_rows).
        self._inputs_t = np.ones((INPUTS + 1, count))
        self._inputs_t[:INPUTS] = 0.0
        self._v = self._inputs_t[0]
        self._inputs_rows = self._inputs_t[1:INPUTS]
        self._p_row = self._p[None, :]
        self._sensor_columns = self._sensors[:, :, None]  # (finish, 6, 1): step i's distances, as a column
        self._half = np.empty(count)
        self._tops = track.top.tolist()  # Python floats compare with arrays faster than numpy scalars
        self._bottoms = track.bottom.tolist()
        # compiled: raced by race_kernel when it loads (the same numbers); else, or with compiled=False, by
        # the numpy code below, the reference. Decided at the first step (see _compiled_race).
        self._compiled = compiled
        if compiled:
            race_kernel.start()
        self._kernel: race_kernel.KernelState | None = None
        self._brains: Brains | None = None
        # safety's sums of margins: the crashed dots' in _margin_sum (P,), the living dots' in _margin_live
        # (one per dot still racing, in the order of _active), so a step adds without scattering
        self._margin_sum = np.zeros(count) if measure_safety else None
        self._margin_live = np.zeros(count) if measure_safety else None
        self._margins = np.empty(count)
        self.trail = np.full((trail_length, count), np.nan, dtype=np.float32) if trail_length else None
        self.paths = np.full((track.finish + 1, count), np.nan) if keep_paths else None
        if self.paths is not None:
            self.paths[0] = 0.0
        if self.trail is not None:
            self.trail[0] = 0.0
        self._recording = measure_safety or keep_paths or bool(trail_length)
        if type(self) is Race:
            self._lay_out_early()

    @property
    def done(self) -> bool:
        return self.column >= self._finish or not self._active.size

    @property
    def alive_count(self) -> int:
        return int(self._active.size)

    @property
    def positions(self) -> np.ndarray:
        positions = self._final_positions.copy()
        positions[self._active] = self._p
        return positions

    @property
    def speeds(self) -> np.ndarray:
        speeds = self._final_speeds.copy()
        speeds[self._active] = self._v
        return speeds

    @property
    def current_scores(self) -> np.ndarray:
        """(P,) how far each dot has got: its score if out, else the steps it has survived."""
        scores = self.scores.copy()
        scores[self._active] = self.column
        return scores

    def safety(self) -> np.ndarray:
        """(P,) mean distance to the nearer barrier over the columns each dot survived, over half the corridor.

        1 for a dot that keeps to the middle of a unit-wide corridor, near 0 for one that grazes a barrier.
        Needs measure_safety=True.
        """
        if self._margin_sum is None:
            raise ValueError("this race does not measure safety")
        survived = np.maximum(np.minimum(self.current_scores + 1, self.track.finish), 1)
        sums = self._margin_sum.copy()
        sums[self._active] = self._margin_live
        return np.clip(sums / survived / self._half_widths(), 0.0, 1.0)

    def _half_widths(self) -> float | np.ndarray:
        """Half the corridor's usual width, for safety()."""
        return half_width(self.track)

    def standings(self) -> np.ndarray:
        """(P,) float64: how well each dot is doing now; higher is better, and ties are rare.

        How far it got, plus, for a dot still racing, its margin to the nearer barrier (under 1).
        """
        standing = self.current_scores.astype(np.float64)
        if self._active.size:
            column = min(self.column, self.track.columns - 1)
            margin = np.minimum(self.track.top[column] - self._p, self._p - self.track.bottom[column])
            standing[self._active] += np.clip(margin, 0.0, 0.999)
        return standing

    def ranking(self) -> tuple[np.ndarray, int]:
        """(ranks, leader) from one look at the standings: each dot's place now (P,) int, 0 for the best,
        and the index of the dot doing best (the living dot farthest from the barriers, if any lives)."""
        order = np.argsort(-self.standings(), kind="stable")
        ranks = np.empty(self.count, dtype=np.int64)
        ranks[order] = np.arange(self.count)
        return ranks, int(order[0])

    def inputs_of(self, index: int) -> np.ndarray:
        """(7,) what dot `index` reads at the current column (its last reading if out or done)."""
        column = min(self.column, self.track.finish - 1)
        if not self.alive[index]:
            column = min(int(self.scores[index]), self.track.finish - 1)
        position = self.positions[index]
        return np.concatenate(([self.speeds[index]], position - self._sensors[column]))

    def step(self) -> None:
        """Advance every living dot by one column."""
        if not self.done:
            if self._compiled_race():
                self._run_compiled(self.column + 1)
                return
            with np.errstate(over="ignore"):
                self._advance()

    def run(self, max_steps: int | None = None) -> np.ndarray:
        """Race to the end (or at most max_steps further); returns the scores (P,) int64, final once done."""
        stop = self._finish if max_steps is None else min(self._finish, self.column + max_steps)
        if self.column < stop and self._active.size and self._compiled_race():
            self._run_compiled(stop)
            return self.scores
        with np.errstate(over="ignore"):
            while self.column < stop and self._active.size:
                self._advance()
        return self.scores

    def _compiled_race(self) -> bool:
        """Whether this race runs compiled; at the first call, lays its dots out for the kernel or the numpy code."""
        if self._kernel is None and self._compiled:
            tracks = self._kernel_tracks()
            if race_kernel.usable(self.network.layers, self.genomes, tracks):
                finish = self._finish
                tables = np.stack(
                    [np.column_stack([sensor_table(t), t.top[:finish], t.bottom[:finish]]) for t in tracks]
                )
                self._kernel = race_kernel.KernelState(
                    self.genomes, self.network.layers, self._active, self._p, self._v, self._margin_live,
                    self._kernel_lanes(), tables,
                )  # fmt: skip
            else:
                self._compiled = False
        if not self._compiled and self._brains is None:
            self._brains = Brains(self.network, self.genomes[self._active])
        return self._compiled

    def _lay_out_early(self) -> None:
        """With the kernel loaded, lay the dots out for it now: a race made on a thread (the window's next race
        of a large population) then starts at once, without copying its genomes in a frame."""
        if self._compiled and race_kernel.ready():
            self._compiled_race()

    def _kernel_tracks(self) -> list[Track]:
        """The tracks the dots race on, for the kernel's tables."""
        return [self.track]

    def _kernel_lanes(self) -> np.ndarray:
        """(dots racing,) each living dot's track, an index into _kernel_tracks()."""
        return np.zeros(self._active.size, dtype=np.int64)

    def _run_compiled(self, stop: int) -> None:
        """Race compiled to column `stop` (or until every dot is out): the numpy race's numbers, in one call."""
        kernel = self._kernel
        self.column = kernel.advance(
            self.column, stop, self.scores, self.alive, self._final_positions, self._final_speeds,
            self._margin_sum, self.paths, self.trail,
        )  # fmt: skip
        count = kernel.count
        self._active, self._p, self._v = kernel.ids[:count], kernel.p[:count], kernel.v[:count]
        if self._margin_live is not None:
            self._margin_live = kernel.margins[:count]

    def _advance(self) -> None:
        i = self.column
        p, v, half = self._p, self._v, self._half
        top, bottom = self._sense(i)
        force = self._brains.forward_rows(self._inputs_t)[0]
        _subtract(force, 0.5, out=force)
        _multiply(v, 0.5, out=half)  # v/2 and v*0.5 round identically
        _add(p, half, out=p)
        _add(v, force, out=v)
        _multiply(v, 0.5, out=half)
        _add(p, half, out=p)
        self.column = i + 1
        if self._recording:
            self._record(p, top, bottom)
        out = self._out(p, top, bottom)
        if out is not None:
            self._drop(out, i)

    def _sense(self, i: int) -> tuple[float, float]:
        """Write the six distances of column i into the inputs; returns column i's barriers."""
        _subtract(self._p_row, self._sensor_columns[i], out=self._inputs_rows)
        return self._tops[i], self._bottoms[i]

    def _out(self, p: np.ndarray, top: float, bottom: float) -> np.ndarray | None:
        """The mask of the dots now outside the barriers, or None if there are none."""
        if _max(p) > top or _min(p) < bottom:  # two reductions; the mask only when someone is out
            out = p > top
            out |= p < bottom
            return out
        return None

    def _record(self, p: np.ndarray, top: float | np.ndarray, bottom: float | np.ndarray) -> None:
        """The optional per-step bookkeeping: safety margins, paths, the trail."""
        if self._margin_live is not None:
            margin, below = self._margins, self._half  # _half is free until the next step
            _subtract(top, p, out=margin)
            _subtract(p, bottom, out=below)
            _minimum(margin, below, out=margin)
            _maximum(margin, 0.0, out=margin)
            _add(self._margin_live, margin, out=self._margin_live)
        if self.paths is not None:
            self.paths[self.column, self._active] = p
        if self.trail is not None:
            self.trail[self.column % self.trail.shape[0], self._active] = p

    def _drop(self, out: np.ndarray, column: int) -> None:
        crashed = self._active[out]
        self.scores[crashed] = column
        self.alive[crashed] = False
        self._final_positions[crashed] = self._p[out]
        self._final_speeds[crashed] = self._v[out]
        keep = ~out
        if self._margin_live is not None:
            self._margin_sum[crashed] = self._margin_live[out]
            self._margin_live = self._margin_live[keep]
        self._active = self._active[keep]
        self._p = self._p[keep]
        self._p_row = self._p[None, :]
        self._inputs_t = np.compress(keep, self._inputs_t, axis=1)  # stays C-ordered; [:, keep] would not
        self._v = self._inputs_t[0]
        self._inputs_rows = self._inputs_t[1:INPUTS]
        self._half = self._half[: self._active.size]
        self._margins = self._margins[: self._active.size]
        self._brains.keep(keep)


class StackedRace(Race):
    """Genomes on several tracks of one length at once, as one race: a group of dots per track.

    genomes is either one (P, D) array, raced on every track, or a list of (P_k, D) arrays, the k-th raced
    on tracks[k] only (several runs' populations, each on its own tracks). At small populations a step
    costs about the same for K times the dots, so racing K tracks together takes little more than racing
    one. Every dot's arithmetic is that of a race on its own track alone, so scores and safety equal K
    separate races'. Not for drawing: standings() reads the first track.
    """

    def __init__(
        self,
        genomes: np.ndarray | list[np.ndarray],
        tracks: list[Track],
        network: Network,
        measure_safety: bool = False,
        compiled: bool = True,
    ):
        if not tracks or len({track.columns for track in tracks}) != 1:
            raise ValueError("a stacked race needs one or more tracks, all of the same length")
        if isinstance(genomes, list):
            if len(genomes) != len(tracks):
                raise ValueError("a stacked race needs one group of genomes per track")
            groups = [np.asarray(group, dtype=np.float64) for group in genomes]
        else:
            groups = [np.asarray(genomes, dtype=np.float64)] * len(tracks)
        super().__init__(np.concatenate(groups), tracks[0], network, measure_safety=measure_safety, compiled=compiled)
        self.tracks = tracks
        self.group_sizes = [group.shape[0] for group in groups]
        self._lane = np.repeat(np.arange(len(tracks)), self.group_sizes)  # each living dot's track
        if len(tracks) > 1:  # with one track, the plain race's scalar barriers serve
            # (finish, 8, K): what step i reads on each track, the six sensors, then column i's top and bottom
            # barriers, so that one gather per step gives every dot its own
            finish = tracks[0].finish
            sensors = np.stack([sensor_table(track) for track in tracks], axis=2)
            barriers = np.stack([np.stack([t.top[:finish], t.bottom[:finish]], axis=1) for t in tracks], axis=2)
            self._readings = np.concatenate([sensors, barriers], axis=1)
            self._gathered = np.empty((DISTANCES + 2, self.count))
            self._outside = np.empty((2, self.count), dtype=bool)
            self._sense, self._out = self._sense_each, self._out_each
        self._lay_out_early()

    def _kernel_tracks(self) -> list[Track]:
        return self.tracks

    def _kernel_lanes(self) -> np.ndarray:
        return self._lane

    def per_track_values(self, values: np.ndarray) -> list[np.ndarray]:
        """Split values of every dot (scores, safety()) into one array per track, (P_k,) each."""
        return np.split(values, np.cumsum(self.group_sizes)[:-1])

    def _sense_each(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """_sense with each dot reading its own track."""
        gathered = self._gathered
        _take(self._readings[i], self._lane, axis=1, out=gathered)
        _subtract(self._p_row, gathered[:DISTANCES], out=self._inputs_rows)
        return gathered[DISTANCES], gathered[DISTANCES + 1]

    def _out_each(self, p: np.ndarray, top: np.ndarray, bottom: np.ndarray) -> np.ndarray | None:
        """_out against each dot's own barriers."""
        above, below = self._outside
        _greater(p, top, out=above)
        _less(p, bottom, out=below)
        if _max(above) or _max(below):
            return above | below
        return None

    def _drop(self, out: np.ndarray, column: int) -> None:
        super()._drop(out, column)
        self._lane = self._lane[~out]
        if len(self.tracks) > 1:
            self._gathered = np.empty((DISTANCES + 2, self._active.size))
            self._outside = np.empty((2, self._active.size), dtype=bool)

    def _half_widths(self) -> np.ndarray:
        return np.repeat([half_width(track) for track in self.tracks], self.group_sizes)


def finished_race(
    race: Race, scores: np.ndarray, positions: np.ndarray | None = None, speeds: np.ndarray | None = None
) -> Race:
    """`race`, not yet stepped, made done with what its dots did in a race run elsewhere (a joint race of
    several runs' dots): scores (P,) and, for drawing, final positions and speeds (P,). Returns race."""
    if race.column or race.done:
        raise ValueError("finished_race() takes a race not yet stepped")
    race.scores = np.array(scores, dtype=np.int64)
    race.alive = race.scores >= race.track.finish
    race.column = int(race.scores.max(initial=0))
    if positions is not None:
        race._final_positions = np.array(positions, dtype=np.float64)
    if speeds is not None:
        race._final_speeds = np.array(speeds, dtype=np.float64)
    race._active = np.zeros(0, dtype=np.int64)  # done: nothing steps any more
    race._p = np.zeros(0)
    race._inputs_t = np.zeros((INPUTS + 1, 0))
    race._v = race._inputs_t[0]
    return race


def half_width(track: Track) -> float:
    """Half the corridor's usual (median) width."""
    return float(np.median(track.top - track.bottom)) / 2


def race_scores(genomes: np.ndarray, track: Track, network: Network) -> np.ndarray:
    """Scores (P,) int64 of a whole race run at once."""
    return Race(genomes, track, network).run()


def in_slices(race: Race, seconds: float | None = SLICE_SECONDS, steps: int | None = None) -> Iterator[None]:
    """Run a race to its end (or `steps` columns further), yielding after about every `seconds` of work
    (None: in one go, then yield once).

    Columns are stepped in chunks sized by how long the last chunk took, so a slice of many short
    steps costs a few calls, and a slice of long steps (a big population) stays within its time.
    """
    stop = race.track.finish if steps is None else race.column + steps
    if seconds is None:
        if not race.done and race.column < stop:
            race.run(stop - race.column)
            yield
        return
    chunk = 1
    while not race.done and race.column < stop:
        until = time.perf_counter() + seconds
        while True:
            started, before = time.perf_counter(), race.column
            race.run(min(chunk, stop - before))
            now = time.perf_counter()
            if race.done or race.column >= stop or now >= until:
                break
            per_step = (now - started) / (race.column - before)
            chunk = max(1, min(2 * chunk, int((until - now) / per_step)))
        yield
