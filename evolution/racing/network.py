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
MAX_LAYERS = 16  # layers of a network, inputs and outputs counted (--layers, a file's, a change's)
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
    order the blog's einsum forms them: a layer of several outputs adds the products in input order,
    and its bias last, so the bias rides in the same einsum as one more input row of ones times a
    weight row of biases; a one-output layer fed by another layer goes through numpy's two-lane dot
    kernel, emulated by `_two_lane_plan`, and adds its bias after. Weights and biases are stored negated
    so that exp(-(x·W + b)) needs no separate negation; negation is exact, so the results equal the
    blog's. tests/test_network.py checks this against np.einsum for many shapes.
    """

    def __init__(self, network: Network, genomes: np.ndarray) -> None:
        self.network = network
        self._params = []
        for index, (w, b) in enumerate(network.unpack(genomes)):
            if _two_lane(w.shape[2], index):
                stored = -w.transpose(1, 2, 0)  # (a, 1, n); the bias is added on its own
            else:
                stored = -np.concatenate([w, b[:, None, :]], axis=1).transpose(1, 2, 0)  # (a+1, b, n)
            self._params.append((np.ascontiguousarray(stored), np.ascontiguousarray(-b.T)))
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
        """Buffers for the population now kept, and each layer's plan: (two_lane, weights, biases, values,
        rows, additions), where values (b, n) are the layer's outputs, rows (b+1, n) the same with a row of
        ones below (the next layer's input), and additions the two-lane sum's (see _two_lane_plan); None
        for a layer whose bias is added on its own."""
        count = self._params[0][1].shape[1]
        self._products = np.empty((max(self.network.layers[:-1]), count))
        self._lanes = np.empty((2, count))
        self._stages = []
        for index, (neg_w, neg_b) in enumerate(self._params):
            two_lane = _two_lane(neg_w.shape[1], index)
            rows = np.ones((neg_b.shape[0] + 1, count))
            values = rows[:-1]
            if two_lane:
                plan = _two_lane_plan(neg_w.shape[0], self._products, self._lanes, values[0])
                neg_w = neg_w[:, 0]
            elif count == 1 and neg_b.shape[0] == 1:
                # one dot and one output: einsum's sum becomes a dot product of contiguous rows, summed in two
                # lanes like the blog's own, so the bias may not ride along as one more term
                plan = None
                neg_w = neg_w[:-1]
            else:
                plan = []
            self._stages.append((two_lane, neg_w, neg_b, values, rows, plan))

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        """Outputs (out, n) for inputs given as rows (in, n) of the dots kept."""
        return self.forward_rows(np.concatenate([inputs, np.ones((1, inputs.shape[1]))]))

    def forward_rows(self, rows: np.ndarray) -> np.ndarray:
        """Outputs (out, n) for inputs given as rows (in + 1, n) whose last row is all ones (a race keeps
        its inputs so, saving a copy each step). The output is a buffer reused by the next call."""
        layer = rows
        for two_lane, neg_w, neg_b, z, below, plan in self._stages:
            if two_lane:
                _multiply(layer[:-1], neg_w, out=self._products[: neg_w.shape[0]])
                for a, b, result in plan:
                    _add(a, b, out=result)
                _add(z, neg_b, out=z)
            elif plan is None:
                _EINSUM("ij,ikj->kj", layer[:-1], neg_w, out=z)
                _add(z, neg_b, out=z)
            else:
                _EINSUM("ij,ikj->kj", layer, neg_w, out=z)  # the bias included: its input row is ones
            _exp(z, out=z)  # the caller holds np.errstate(over="ignore"): 1 / (1 + inf) is the right 0
            _add(z, 1.0, out=z)
            _reciprocal(z, out=z)  # exactly 1.0 / z, without converting a scalar each call
            layer = below
        return layer[:-1]


def _two_lane(outputs: int, index: int) -> bool:
    """Whether the blog's einsum sums this layer with numpy's two-lane dot kernel: a one-output layer fed
    by another layer (the first layer reads a strided view of the inputs, summed in input order)."""
    return outputs == 1 and index > 0


def _two_lane_plan(count: int, products: np.ndarray, lanes: np.ndarray, out: np.ndarray) -> list[tuple]:
    """The additions (a, b, result) that sum `count` products (rows of `products`) into `out` as numpy's einsum
    adds a dot product of contiguous rows; views made once per population kept, so a step only adds.

    That kernel keeps two running sums starting from zero: lane 0 takes the terms 0, 2, 4, ..., lane 1
    the terms 1, 3, 5, ...; within each full block of eight terms the last pair is added first; the two
    lanes are added at the end. The blog's output layer is summed this way (numpy 2.4, as pinned; the
    tests compare with np.einsum). Starting from the first pair instead of from zero gives the same
    values: 0 + t is t, except that -0.0 becomes +0.0, and exp after the bias maps either zero to 1.
    """
    terms = products[:count]
    if count == 1:
        return [(terms[0], 0.0, out)]  # + 0.0: a copy (a -0.0 becomes +0.0, which exp maps to 1 alike)
    pairs = _lane_pairs(count)
    plan: list[tuple] = []
    acc = terms[pairs[0] : pairs[0] + 2]
    for first in pairs[1:]:
        pair = terms[first : first + 2]
        if pair.shape[0] == 2:
            plan.append((pair, acc, lanes))
        else:  # an odd last term goes to lane 0 only; lane 1 keeps its sum
            plan.append((pair[0], acc[0], lanes[0]))
            if acc is not lanes:
                plan.append((acc[1], 0.0, lanes[1]))
        acc = lanes
    plan.append((acc[0], acc[1], out))
    return plan


@functools.cache
def _lane_pairs(count: int) -> tuple[int, ...]:
    """The first index of each pair of terms, in the order numpy's two-lane kernel adds them."""
    blocks = count // 8 * 8
    in_blocks = tuple(block + pair for block in range(0, blocks, 8) for pair in (6, 4, 2, 0))
    return in_blocks + tuple(range(blocks, count, 2))
