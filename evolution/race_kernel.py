"""The race compiled with numba: one call drives every dot over many columns, with the numpy race's numbers.

`evolution.race.Race` hands its dots here when numba loads; its own numpy code stays as the reference the
tests compare against and as the fallback. Every number equals the numpy race's bit for bit, because the
arithmetic is the same operations in the same order, one IEEE operation at a time:

- no fast-math and no fused multiply-add (numba leaves LLVM's contraction off unless fastmath is asked for);
- a layer of several outputs sums its products in input order from zero, its bias last (numpy's einsum);
  a one-output layer fed by another layer sums in numpy's two lanes (`_two_lane_sum`, as network.py says),
  and so does a first layer of one output while a single dot races;
- exp is numpy's own: its float64 loop (SIMD on this machine, and different in the last bit from the C
  library's exp in about 1 value of 20) is called through its address, read from np.exp, and checked
  against np.exp on a large sample when this module loads. If anything fails, the numpy race runs.

Dots are raced in blocks of a few hundred, column by column inside a block, so each layer's exponentials
go to numpy's loop as one vector; crashed dots are packed away at once. Compiled functions are cached on
disk (numba's cache: the package's __pycache__, or the user's cache folder when that is not writable).
"""

from __future__ import annotations

import ctypes
import os
import sys

import numpy as np

BLOCK = 256  # dots raced together: big enough that a layer's exponentials make one long call
_BOUND = 1e300  # magnitudes below which no product or sum can overflow (so no NaN can arise; see usable)

AVAILABLE = False
REASON = ""


def _exp_loop() -> tuple[int, int]:
    """(address, data) of np.exp's float64 inner loop, read from the ufunc object and checked."""
    ufunc = np.exp
    base = id(ufunc)

    def read(offset: int, kind: type) -> int:
        return kind.from_address(base + offset).value

    # PyUFuncObject: PyObject_HEAD (16), nin, nout, nargs, identity (4 ints), functions, data, ntypes, ...
    if (read(16, ctypes.c_int), read(20, ctypes.c_int), read(48, ctypes.c_int)) != (1, 1, ufunc.ntypes):
        raise RuntimeError("np.exp is not laid out as expected")
    if ctypes.c_char_p(read(56, ctypes.c_void_p)).value != b"exp":
        raise RuntimeError("np.exp's name is not where expected")
    codes = (ctypes.c_char * (2 * ufunc.ntypes)).from_address(read(64, ctypes.c_void_p)).raw
    double = np.dtype(np.float64).num
    index = next(i for i in range(ufunc.ntypes) if codes[2 * i] == double and codes[2 * i + 1] == double)
    if ufunc.types[index] != "d->d":
        raise RuntimeError("np.exp's loop table is not as expected")
    address = ctypes.c_void_p.from_address(read(32, ctypes.c_void_p) + 8 * index).value
    data_table = read(40, ctypes.c_void_p)
    data = (ctypes.c_void_p.from_address(data_table + 8 * index).value or 0) if data_table else 0
    return int(address), int(data)


def _numba_cache_folder() -> None:
    """Send numba's cache to the user's cache folder when the package's own folder is not writable."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    here = os.path.dirname(os.path.abspath(__file__))
    if os.access(here, os.W_OK):
        return  # numba writes beside the source, in __pycache__
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    os.environ["NUMBA_CACHE_DIR"] = os.path.join(base, "neuroracer", "numba")


try:
    _numba_cache_folder()
    import numba
    from llvmlite import ir
    from numba.core import types as nbtypes
    from numba.extending import intrinsic

    _EXP_ADDRESS, _EXP_DATA = _exp_loop()
except Exception as error:  # any failure means: race with numpy
    REASON = f"{type(error).__name__}: {error}"
else:
    AVAILABLE = True

if AVAILABLE:

    @intrinsic
    def _call_unary_loop(typingctx, address, args, dims, steps, data):
        """Call numpy's inner loop at `address` (a ufunc loop: char **args, npy_intp *dims, *steps, void *)."""
        signature = nbtypes.void(nbtypes.int64, nbtypes.int64, nbtypes.int64, nbtypes.int64, nbtypes.int64)

        def codegen(context, builder, sig, values):
            bytes_pointer = ir.IntType(8).as_pointer()
            sizes_pointer = ir.IntType(64).as_pointer()
            loop_type = ir.FunctionType(
                ir.VoidType(), [bytes_pointer.as_pointer(), sizes_pointer, sizes_pointer, bytes_pointer]
            )
            loop = builder.inttoptr(values[0], loop_type.as_pointer())
            arguments = [
                builder.inttoptr(values[1], bytes_pointer.as_pointer()),
                builder.inttoptr(values[2], sizes_pointer),
                builder.inttoptr(values[3], sizes_pointer),
                builder.inttoptr(values[4], bytes_pointer),
            ]
            builder.call(loop, arguments)
            return context.get_dummy_value()

        return signature, codegen

    _jit = numba.njit(cache=True, fastmath=False, error_model="numpy", nogil=True, boundscheck=False)

    @_jit
    def _exp_in_place(values, count, call, address, data):
        """values[:count] = np.exp(values[:count]) through numpy's own loop; call is an int64 scratch (5,)."""
        if count == 0:
            return
        pointer = values.ctypes.data
        call[0] = pointer  # args: input and output, the same buffer (numpy's in-place exp)
        call[1] = pointer
        call[2] = count  # dimensions
        call[3] = 8  # steps: float64, contiguous
        call[4] = 8
        base = call.ctypes.data
        _call_unary_loop(address, base, base + 16, base + 24, data)

    @_jit
    def _exp_vector(values, address, data):
        """np.exp of a whole vector, in place, through the loop the kernel uses (for the check at load)."""
        call = np.empty(5, np.int64)
        _exp_in_place(values, values.size, call, address, data)

    @_jit
    def _lane_step(lane0, lane1, products, first, count, last, added):
        """One step of numpy's two-lane sum: the terms first (and first + 1) added into the lanes."""
        term0 = products[first * count : first * count + count]
        if first + 1 < last:
            term1 = products[(first + 1) * count : (first + 1) * count + count]
            for slot in range(count):
                lane0[slot] = term0[slot] + lane0[slot]
                lane1[slot] = term1[slot] + lane1[slot]
        else:  # an odd last term joins lane 0; lane 1 is copied when it was still a term (+ 0.0)
            for slot in range(count):
                lane0[slot] = term0[slot] + lane0[slot]
            if added == 0:
                for slot in range(count):
                    lane1[slot] = lane1[slot] + 0.0

    @_jit
    def _two_lane_rows(products, terms, count, lane0, lane1, out):
        """out[:count] = each slot's sum of its `terms` products (rows of products, `count` apart), added
        as numpy's two-lane dot kernel adds them (network._two_lane_plan)."""
        if terms == 1:
            for slot in range(count):
                out[slot] = products[slot] + 0.0
            return
        blocks = terms // 8 * 8
        first = 6 if blocks else 0
        lane0[:count] = products[first * count : first * count + count]
        lane1[:count] = products[(first + 1) * count : (first + 1) * count + count]
        added = 0
        for block in range(0, blocks, 8):
            for pair in (6, 4, 2, 0):
                if block or pair != 6:
                    _lane_step(lane0, lane1, products, block + pair, count, terms, added)
                    added += 1
        for index in range(blocks if blocks else 2, terms, 2):
            _lane_step(lane0, lane1, products, index, count, terms, added)
            added += 1
        for slot in range(count):
            out[slot] = lane0[slot] + lane1[slot]

    @_jit
    def _race_block(
        layers, weights, first, size, ids, p, v, margins, lanes, tables, start, stop, scores, alive,
        final_p, final_v, margin_sum, paths, trail, safety, values, products, call, address, data,
    ):  # fmt: skip
        """Race the dots in slots first .. first+size-1 from column start to stop (or until all are out).

        Survivors are packed to the block's front in their order; returns (survivors, last crash column).
        A layer's values are rows `count` apart in `values`; products holds a two-lane layer's terms, then
        its two lanes."""
        inputs = layers[0]
        depth = layers.size - 1
        last_crash = -1
        count = size
        out = np.zeros(size, np.bool_)
        for column in range(start, stop):
            if count == 0:
                break
            end = first + count
            # sensing: row 0 the speed, then the distances to both barriers at each sensor
            values[:count] = v[first:end]
            here_p = p[first:end]
            here_lanes = lanes[first:end]
            for sensor in range(inputs - 1):
                row = values[(sensor + 1) * count : (sensor + 2) * count]
                for slot in range(count):
                    row[slot] = here_p[slot] - tables[here_lanes[slot], column, sensor]
            offset = 0  # of the layer's weights in a genome
            here = 0  # of the layer's values in `values`
            for layer in range(depth):
                a = layers[layer]
                b = layers[layer + 1]
                there = here + a * count
                if b == 1 and (layer > 0 or count == 1):
                    # numpy's two lanes (network._two_lane_plan); the bias is added after
                    for i in range(a):
                        source = values[here + i * count : here + (i + 1) * count]
                        weight = weights[offset + i, first:end]
                        target = products[i * count : (i + 1) * count]
                        for slot in range(count):
                            target[slot] = source[slot] * weight[slot]
                    lanes_at = a * count
                    result = values[there : there + count]
                    _two_lane_rows(
                        products, a, count, products[lanes_at : lanes_at + count],
                        products[lanes_at + count : lanes_at + 2 * count], result,
                    )  # fmt: skip
                    bias = weights[offset + a, first:end]
                    for slot in range(count):
                        result[slot] = result[slot] + bias[slot]
                else:
                    for k in range(b):
                        target = values[there + k * count : there + (k + 1) * count]
                        for slot in range(count):
                            target[slot] = 0.0
                        for i in range(a):
                            source = values[here + i * count : here + (i + 1) * count]
                            weight = weights[offset + i * b + k, first:end]
                            for slot in range(count):
                                target[slot] = target[slot] + source[slot] * weight[slot]
                        bias = weights[offset + a * b + k, first:end]
                        for slot in range(count):
                            target[slot] = target[slot] + 1.0 * bias[slot]
                total = b * count
                layer_values = values[there : there + total]
                _exp_in_place(layer_values, total, call, address, data)
                for j in range(total):
                    layer_values[j] = 1.0 / (1.0 + layer_values[j])
                offset += a * b + b
                here = there
            # the physics, the bookkeeping and the crash check, as Race._advance
            crashed = 0
            for slot in range(count):
                dot = first + slot
                force = values[here + slot] - 0.5
                position = p[dot] + v[dot] * 0.5
                speed = v[dot] + force
                position = position + speed * 0.5
                p[dot] = position
                v[dot] = speed
                top = tables[lanes[dot], column, inputs - 1]
                bottom = tables[lanes[dot], column, inputs]
                if safety:
                    above = top - position
                    below = position - bottom
                    margin = above if (above <= below or above != above) else below  # np.minimum
                    margin = margin if (margin >= 0.0 or margin != margin) else 0.0  # np.maximum
                    margins[dot] = margins[dot] + margin
                if paths.shape[0]:
                    paths[column + 1, ids[dot]] = position
                if trail.shape[0]:
                    trail[(column + 1) % trail.shape[0], ids[dot]] = np.float32(position)
                out[slot] = position > top or position < bottom
                crashed += out[slot]
            if crashed:
                last_crash = column
                kept = 0
                for slot in range(count):
                    dot = first + slot
                    if out[slot]:
                        index = ids[dot]
                        scores[index] = column
                        alive[index] = False
                        final_p[index] = p[dot]
                        final_v[index] = v[dot]
                        if safety:
                            margin_sum[index] = margins[dot]
                        continue
                    if kept != slot:
                        _move(weights, ids, p, v, margins, lanes, dot, first + kept)
                    kept += 1
                count = kept
        return count, last_crash

    @_jit
    def _move(weights, ids, p, v, margins, lanes, source, target):
        """Move one dot's state from slot source to slot target."""
        for j in range(weights.shape[0]):
            weights[j, target] = weights[j, source]
        ids[target] = ids[source]
        p[target] = p[source]
        v[target] = v[source]
        margins[target] = margins[source]
        lanes[target] = lanes[source]

    @_jit
    def race_columns(
        layers, weights, count, ids, p, v, margins, lanes, tables, start, stop, scores, alive,
        final_p, final_v, margin_sum, paths, trail, safety, block, address, data,
    ):  # fmt: skip
        """Race the `count` dots in slots 0..count-1 from column start to stop, block by block.

        weights (D, capacity) are the genomes negated and transposed, slot by slot; ids, p, v, margins and
        lanes (capacity,) each slot's dot, position, speed, sum of margins and track; tables (tracks, finish,
        inputs + 1): what a dot reads at each column, the sensors then the column's top and bottom barrier.
        A dot out at column i gets scores[dot] = i, alive[dot] = False and its final position, speed and
        (with safety) margin_sum; paths (finish + 1, P) and trail (L, P) are written where not empty.
        Survivors are packed into the first slots, in order. Returns (survivors, last crash column or -1)."""
        width = 0
        for layer in range(layers.size):
            width = max(width, layers[layer])
        values = np.empty(block * layers.sum())
        products = np.empty(block * (width + 2))
        call = np.empty(5, np.int64)
        survivors = 0
        last_crash = -1
        for first in range(0, count, block):
            size = min(block, count - first)
            kept, crash = _race_block(
                layers, weights, first, size, ids, p, v, margins, lanes, tables, start, stop, scores, alive,
                final_p, final_v, margin_sum, paths, trail, safety, values, products, call, address, data,
            )  # fmt: skip
            last_crash = max(last_crash, crash)
            for slot in range(kept):
                if survivors + slot != first + slot:
                    _move(weights, ids, p, v, margins, lanes, first + slot, survivors + slot)
            survivors += kept
        return survivors, last_crash


def _check_exp() -> str:
    """'' when the kernel's exp equals np.exp bit for bit on a large sample, else what differs."""
    rng = np.random.default_rng(20261206)
    sample = np.concatenate(
        [
            rng.normal(0.0, 4.0, 200_000),  # what a network's sums mostly are
            rng.uniform(-750.0, 750.0, 100_000),  # every exponent, overflow and underflow included
            [0.0, -0.0, 709.78, 709.79, -745.1, -745.2, np.inf, -np.inf, np.nan],
        ]
    )
    ours = sample.copy()
    _exp_vector(ours, _EXP_ADDRESS, _EXP_DATA)
    with np.errstate(all="ignore"):
        theirs = np.exp(sample)
    same = (ours.view(np.int64) == theirs.view(np.int64)) | (np.isnan(ours) & np.isnan(theirs))
    if not same.all():
        return f"the compiled exp differs from numpy's on {int((~same).sum())} values"
    for size in range(1, 20):  # short calls (a small block's layer) take the same path
        ours = sample[:size].copy()
        _exp_vector(ours, _EXP_ADDRESS, _EXP_DATA)
        if not np.array_equal(ours.view(np.int64), theirs[:size].view(np.int64)):
            return f"the compiled exp differs from numpy's on {size} values"
    return ""


_READY: bool | None = None


def ready() -> bool:
    """Whether races run compiled: numba loaded, the kernel compiled (or read from the cache), exp checked.

    The first call does the work; if it fails, one line on stderr says that the races run with numpy."""
    global _READY, REASON
    if _READY is None:
        if AVAILABLE:
            try:
                REASON = _check_exp()
            except Exception as error:  # a kernel that cannot compile means numpy races
                REASON = f"{type(error).__name__}: {error}"
        _READY = not REASON
        if REASON:
            print(f"neuroracer: the compiled race is off ({REASON}); races run with numpy, slower", file=sys.stderr)
    return _READY


def usable(layers: tuple[int, ...], genomes: np.ndarray, tracks: list) -> bool:
    """Whether these dots may race compiled: the kernel is ready and no sum can overflow.

    With every weight, input and intermediate value finite and far from overflow, the compiled race and the
    numpy race do exactly the same operations on each dot, so they agree; outside that (weights near 1e300,
    which no evolution makes) the numpy race runs, whose crash checks are not per dot once NaN appears."""
    if not ready():
        return False
    if not genomes.size:
        return True
    largest_weight = float(np.max(np.abs(genomes)))
    largest_barrier = max(float(np.max(np.abs(np.concatenate([t.top, t.bottom])))) for t in tracks)
    largest_input = 0.5 * tracks[0].columns + 2.0 * largest_barrier + 1.0  # speed or distance, before a crash
    bound = largest_weight * largest_input * (max(layers) + 1)
    return bool(np.isfinite(bound) and bound < _BOUND)


class KernelState:
    """A race's dots laid out for the kernel, slot by slot (slots 0..count-1 hold the dots still racing)."""

    def __init__(self, genomes: np.ndarray, layers: tuple[int, ...], active: np.ndarray, p: np.ndarray,
                 v: np.ndarray, margins: np.ndarray | None, lanes: np.ndarray, tables: np.ndarray) -> None:  # fmt: skip
        self.layers = np.asarray(layers, dtype=np.int64)
        self.weights = np.ascontiguousarray(-genomes[active].T)  # negation is exact: see network.Brains
        self.count = int(active.size)
        self.ids = np.array(active, dtype=np.int64)
        self.p = np.array(p, dtype=np.float64)
        self.v = np.array(v, dtype=np.float64)
        self.safety = margins is not None
        self.margins = np.array(margins, dtype=np.float64) if self.safety else np.zeros(self.count)
        self.lanes = np.array(lanes, dtype=np.int64)
        self.tables = np.ascontiguousarray(tables, dtype=np.float64)
        # a first layer of one output sums differently for a lone dot (network.Brains): then one block
        # holds every dot, so that the block's count is the race's
        self.block = BLOCK if layers[1] > 1 else max(1, self.count)

    def advance(self, start: int, stop: int, scores: np.ndarray, alive: np.ndarray, final_p: np.ndarray,
                final_v: np.ndarray, margin_sum: np.ndarray | None, paths: np.ndarray | None,
                trail: np.ndarray | None) -> int:  # fmt: skip
        """Race from column start to stop; returns the column reached (as Race.run leaves it)."""
        count, last_crash = race_columns(
            self.layers, self.weights, self.count, self.ids, self.p, self.v, self.margins, self.lanes,
            self.tables, start, stop, scores, alive, final_p, final_v,
            margin_sum if margin_sum is not None else _NO_SUMS, paths if paths is not None else _NO_PATHS,
            trail if trail is not None else _NO_TRAIL, self.safety, self.block, _EXP_ADDRESS, _EXP_DATA,
        )  # fmt: skip
        self.count = int(count)
        return stop if self.count else int(last_crash) + 1


_NO_SUMS = np.zeros(0)
_NO_PATHS = np.zeros((0, 0))
_NO_TRAIL = np.zeros((0, 0), dtype=np.float32)
