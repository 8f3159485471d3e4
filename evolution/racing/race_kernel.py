"""The race compiled with numba: one call drives every dot over many columns, with the numpy race's numbers.

`evolution.race.Race` hands its dots here once the kernel (evolution/racing/kernel_jit.py) has loaded; its own numpy
code stays as the reference the tests compare against and as the fallback. Every number equals the numpy
race's bit for bit, because the arithmetic is the same operations in the same order, one IEEE operation at
a time:

- no fast-math and no fused multiply-add (numba leaves LLVM's contraction off unless fastmath is asked for);
- a layer of several outputs sums its products in input order from zero, its bias last (numpy's einsum);
  a one-output layer fed by another layer sums in numpy's two lanes (as network.py says), and so does a
  first layer of one output while a single dot races;
- exp is numpy's own: its float64 loop (SIMD on this machine, and different in the last bit from the C
  library's exp in about 1 value of 20) is called through its address, read from np.exp, and checked
  against np.exp on a large sample when the kernel loads. If anything fails, the numpy race runs, and one
  line on stderr says so.

Dots are raced in blocks of a few hundred, column by column inside a block, so each layer's exponentials
go to numpy's loop as one vector; crashed dots are packed away at once. The kernel loads in a thread of its
own while the first races run with numpy: compiling takes several seconds the first time, then numba's
on-disk cache (the package's __pycache__, or the user's cache folder when that is not writable) serves it
in a fraction of a second.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from types import ModuleType

import numpy as np

BLOCK = 256  # dots raced together: big enough that a layer's exponentials make one long call
BIG_RACE = 100_000  # dot-columns from which a race waits for the kernel still loading (numpy: about 50 ms)
LOAD_WAIT = 0.5  # seconds it waits at most
_BOUND = 1e300  # magnitudes below which no product or sum can overflow (so no NaN can arise; see usable)


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


def _check_exp(jit: ModuleType, address: int, data: int) -> str:
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
    jit.exp_vector(ours, address, data)
    with np.errstate(all="ignore"):
        theirs = np.exp(sample)
    same = (ours.view(np.int64) == theirs.view(np.int64)) | (np.isnan(ours) & np.isnan(theirs))
    if not same.all():
        return f"the compiled exp differs from numpy's on {int((~same).sum())} values"
    for size in range(1, 20):  # short calls (a small block's layer) take the same path
        ours = sample[:size].copy()
        jit.exp_vector(ours, address, data)
        if not np.array_equal(ours.view(np.int64), theirs[:size].view(np.int64)):
            return f"the compiled exp differs from numpy's on {size} values"
    return ""


class _Loader:
    """The kernel, loaded once per process in a thread of its own: numba's import, the compilation (several
    seconds the first time; a fraction of a second from numba's cache) and the check of exp. Races run with
    numpy until it is ready, so nothing waits for it; the numbers are the same either way."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pid = -1  # the process that started the thread (a forked worker starts its own)
        self.done = threading.Event()
        self.jit: ModuleType | None = None
        self.exp: tuple[int, int] = (0, 0)
        self.reason = ""
        self.waited = False  # whether a race has waited for the loading in vain (see ready)

    def start(self) -> threading.Event:
        with self.lock:
            if self.pid != os.getpid():
                loaded = self.done.is_set() and self.jit is not None  # a fork keeps what its parent loaded
                self.pid = os.getpid()
                if not loaded:
                    self.done = threading.Event()
                    self.jit, self.reason, self.waited = None, "", False
                    threading.Thread(target=self._load, args=(self.done,), name="race-kernel", daemon=True).start()
            return self.done

    def _load(self, done: threading.Event) -> None:
        try:
            _numba_cache_folder()
            exp = _exp_loop()
            from evolution.racing import kernel_jit as jit

            reason = _check_exp(jit, *exp)
            if not reason:
                _warm_up(jit, *exp)
        except Exception as error:  # any failure means: race with numpy
            reason = f"{type(error).__name__}: {error}"
        if reason:
            self.reason = reason
            print(f"neuroracer: the compiled race is off ({reason}); races run with numpy, slower", file=sys.stderr)
        else:
            self.jit, self.exp = jit, exp
        done.set()


_LOADER = _Loader()


def start() -> None:
    """Begin loading the kernel in the background (once per process); races run with numpy meanwhile.

    A process that forks workers lets the loading end first (ready(wait=True)): forked mid-import, a worker
    would inherit locks held by a thread it does not have, and never load the kernel itself."""
    _LOADER.start()


def ready(wait: bool | float = False) -> bool:
    """Whether races run compiled now; starts the loading if not begun. wait: True until the loading ends,
    or at most that many seconds."""
    done = _LOADER.start()
    if wait is True:
        done.wait()
    elif wait and not _LOADER.waited:
        _LOADER.waited = not done.wait(float(wait))  # a kernel still compiling is waited for once only
    return done.is_set() and _LOADER.jit is not None


def reason() -> str:
    """Why the kernel is off ('' while loading or when on)."""
    return _LOADER.reason


def _warm_up(jit: ModuleType, address: int, data: int) -> None:
    """Compile (or load) race_columns for the argument types races pass, on a three-column race of one dot."""
    table = np.zeros((1, 1, 8))
    table[0, 0, 6:] = (1.0, -1.0)
    scores, alive = np.zeros(1, np.int64), np.ones(1, bool)
    for safety, paths, trail in ((False, _NO_PATHS, _NO_TRAIL), (True, np.zeros((2, 1)), np.zeros((1, 1), np.float32))):
        jit.race_columns(
            np.array([7, 2, 1]), np.zeros((19, 1)), 1, np.zeros(1, np.int64), np.zeros(1), np.zeros(1), np.zeros(1),
            np.zeros(1, np.int64), table, 0, 1, scores, alive, np.zeros(1), np.zeros(1), np.zeros(1), paths, trail,
            safety, BLOCK, address, data,
        )  # fmt: skip


def usable(layers: tuple[int, ...], genomes: np.ndarray, tracks: list) -> bool:
    """Whether these dots may race compiled: the kernel is ready and no sum can overflow. A long race (BIG_RACE
    dot-columns or more) waits up to LOAD_WAIT seconds for a kernel still loading: from numba's cache it
    loads in a fraction of a second, less than such a race takes with numpy (when it is compiling, for the
    first time, only the first such race waits).

    With every weight, input and intermediate value finite and far from overflow, the compiled race and the
    numpy race do exactly the same operations on each dot, so they agree; outside that (weights near 1e300,
    which no evolution makes) the numpy race runs, whose crash checks are not per dot once NaN appears."""
    if not ready(LOAD_WAIT if len(genomes) * tracks[0].columns >= BIG_RACE else False):
        return False  # off, or still loading: this race runs with numpy
    if not genomes.size:
        return True
    largest_weight = max(float(genomes.max()), -float(genomes.min()))  # no temporary: a frame may be waiting
    largest_barrier = max(float(np.max(np.abs(np.concatenate([t.top, t.bottom])))) for t in tracks)
    largest_input = 0.5 * tracks[0].columns + 2.0 * largest_barrier + 1.0  # speed or distance, before a crash
    bound = largest_weight * largest_input * (max(layers) + 1)
    return bool(np.isfinite(bound) and bound < _BOUND)


class KernelState:
    """A race's dots laid out for the kernel, slot by slot (slots 0..count-1 hold the dots still racing)."""

    def __init__(self, genomes: np.ndarray, layers: tuple[int, ...], active: np.ndarray, p: np.ndarray,
                 v: np.ndarray, margins: np.ndarray | None, lanes: np.ndarray, tables: np.ndarray) -> None:  # fmt: skip
        self.layers = np.asarray(layers, dtype=np.int64)
        chosen = genomes if active.size == len(genomes) else genomes[active]  # at the start: every dot
        self.weights = np.negative(chosen.T, order="C")  # negation is exact: see network.Brains
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
        count, last_crash = _LOADER.jit.race_columns(
            self.layers, self.weights, self.count, self.ids, self.p, self.v, self.margins, self.lanes,
            self.tables, start, stop, scores, alive, final_p, final_v,
            margin_sum if margin_sum is not None else _NO_SUMS, paths if paths is not None else _NO_PATHS,
            trail if trail is not None else _NO_TRAIL, self.safety, self.block, *_LOADER.exp,
        )  # fmt: skip
        self.count = int(count)
        return stop if self.count else int(last_crash) + 1


_NO_SUMS = np.zeros(0)
_NO_PATHS = np.zeros((0, 0))
_NO_TRAIL = np.zeros((0, 0), dtype=np.float32)
