"""The blog's fully connected sigmoid network, evaluated for a whole population at once.

A genome is one flat float64 vector: for each layer a×b, its weight matrix row by row,
then its b biases (the blog's layout, so genomes move between the two unchanged).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

DEFAULT_LAYERS = (7, 8, 4, 1)
# numpy's C einsum without its Python wrapper (about a microsecond a call, most of a small step's cost
# is such overhead); the same arithmetic, so results are unchanged. Falls back to np.einsum.
_EINSUM = getattr(getattr(getattr(np, "_core", None), "multiarray", None), "c_einsum", np.einsum)
MAX_LAYER_WIDTH = 4096
_add, _exp, _multiply, _reciprocal = np.add, np.exp, np.multiply, np.reciprocal  # one lookup per call


@dataclass(frozen=True)
class Network:
    """Layer sizes of a feed-forward network; input first, output last."""

    layers: tuple[int, ...] = DEFAULT_LAYERS

    def __post_init__(self) -> None:
        layers = tuple(self.layers)
        if len(layers) < 2:
            raise ValueError("a network needs at least an input and an output layer")
        for size in layers:
            if not isinstance(size, (int, np.integer)) or isinstance(size, bool):
                raise ValueError(f"layer sizes must be whole numbers, not {size!r}")
            if not 1 <= size <= MAX_LAYER_WIDTH:
                raise ValueError(f"layer size {size} is outside 1..{MAX_LAYER_WIDTH}")
        object.__setattr__(self, "layers", tuple(int(s) for s in layers))

    @property
    def genome_size(self) -> int:
        return sum(a * b + b for a, b in zip(self.layers[:-1], self.layers[1:]))

    def unpack(self, genomes: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Split (P, genome_size) genomes into per-layer (P, a, b) weights and (P, b) biases (views)."""
        genomes = np.asarray(genomes, dtype=np.float64)
        count = genomes.shape[0]
        params = []
        start = 0
        for a, b in zip(self.layers[:-1], self.layers[1:]):
            weights = genomes[:, start : start + a * b].reshape(count, a, b)
            biases = genomes[:, start + a * b : start + a * b + b]
            params.append((weights, biases))
            start += a * b + b
        return params

    def activations(self, genomes: np.ndarray, inputs: np.ndarray) -> list[np.ndarray]:
        """Every layer's values for (P, inputs) rows: [inputs, hidden..., output]."""
        layer = np.asarray(inputs, dtype=np.float64)
        values = [layer]
        with np.errstate(over="ignore"):
            for weights, biases in self.unpack(genomes):
                layer = sigmoid(np.einsum("ji,jik->jk", layer, weights) + biases)
                values.append(layer)
        return values

    def forward(self, genomes: np.ndarray, inputs: np.ndarray) -> np.ndarray:
        """Outputs (P, layers[-1]) of each genome for its own row of inputs (P, layers[0])."""
        return self.activations(genomes, inputs)[-1]


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)), the blog's arithmetic exactly; exp's overflow to inf is harmless."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


class Brains:
    """A population's networks prepared for many forward passes, shrinkable to the dots still racing.

    The blog's arithmetic, bit for bit, laid out for speed. Everything is stored population-last:
    inputs arrive as rows (in, n), a layer's weights are (a, b, n) and its values (b, n), so every
    numpy call runs along the whole population instead of once per dot. The sums are formed in the
    order the blog's einsum forms them: a layer of several outputs adds the products in input order;
    a one-output layer fed by another layer goes through numpy's two-lane dot kernel, emulated by
    `_two_lane_dot`. Weights and biases are stored negated so that exp(-(x·W + b)) needs no separate
    negation; negation is exact, so the results equal the blog's. tests/test_network.py checks this
    against np.einsum for many shapes.
    """

    def __init__(self, network: Network, genomes: np.ndarray) -> None:
        self.network = network
        self._params = [
            (np.ascontiguousarray(-w.transpose(1, 2, 0)), np.ascontiguousarray(-b.T))
            for w, b in network.unpack(genomes)
        ]
        self._prepare()

    def keep(self, rows: np.ndarray) -> None:
        """Keep only the given dots (an index array or boolean mask) from now on."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        # take gives C order (w[:, :, rows] would not), which forward relies on for speed
        self._params = [(np.take(w, rows, axis=2), np.take(b, rows, axis=1)) for w, b in self._params]
        self._prepare()

    def _prepare(self) -> None:
        """Buffers for the population now kept, and each layer's plan: (two_lane, weights, biases, values)."""
        count = self._params[0][1].shape[1]
        self._products = np.empty((max(self.network.layers[:-1]), count))
        self._lanes = np.empty((2, count))
        self._stages = []
        for index, (neg_w, neg_b) in enumerate(self._params):
            two_lane = neg_w.shape[1] == 1 and index > 0
            self._stages.append((two_lane, neg_w[:, 0] if two_lane else neg_w, neg_b, np.empty(neg_b.shape)))

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        """Outputs (out, n) for inputs given as rows (in, n) of the dots kept."""
        layer = inputs
        for two_lane, neg_w, neg_b, z in self._stages:
            if two_lane:
                _two_lane_dot(layer, neg_w, z[0], self._products, self._lanes)
            else:
                _EINSUM("ij,ikj->kj", layer, neg_w, out=z)
            _add(z, neg_b, out=z)
            _exp(z, out=z)  # the caller holds np.errstate(over="ignore"): 1 / (1 + inf) is the right 0
            _add(z, 1.0, out=z)
            _reciprocal(z, out=z)  # exactly 1.0 / z, without converting a scalar each call
            layer = z
        return layer


def _two_lane_dot(x: np.ndarray, w: np.ndarray, out: np.ndarray, products: np.ndarray, lanes: np.ndarray) -> None:
    """out[j] = sum_i x[i, j] * w[i, j], added as numpy's einsum adds a dot product of contiguous rows.

    That kernel keeps two running sums starting from zero: lane 0 takes the terms 0, 2, 4, ..., lane 1
    the terms 1, 3, 5, ...; within each full block of eight terms the last pair is added first; the two
    lanes are added at the end. The blog's output layer is summed this way (numpy 2.4, as pinned; the
    tests compare with np.einsum). Starting from the first pair instead of from zero gives the same
    values: 0 + t is t, except that -0.0 becomes +0.0, and exp after the bias maps either zero to 1.
    """
    count = x.shape[0]
    terms = _multiply(x, w, out=products[:count])
    if count == 1:
        np.copyto(out, terms[0])
        return
    pairs = _lane_pairs(count)
    acc = terms[pairs[0] : pairs[0] + 2]
    for first in pairs[1:]:
        pair = terms[first : first + 2]
        if pair.shape[0] == 2:
            acc = _add(pair, acc, out=lanes)
        else:  # an odd last term goes to lane 0 only
            np.add(pair[0], acc[0], out=lanes[0])
            if acc is not lanes:
                lanes[1] = acc[1]
            acc = lanes
    _add(acc[0], acc[1], out=out)


@functools.cache
def _lane_pairs(count: int) -> tuple[int, ...]:
    """The first index of each pair of terms, in the order numpy's two-lane kernel adds them."""
    blocks = count // 8 * 8
    in_blocks = tuple(block + pair for block in range(0, blocks, 8) for pair in (6, 4, 2, 0))
    return in_blocks + tuple(range(blocks, count, 2))
