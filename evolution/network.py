"""The blog's fully connected sigmoid network, evaluated for a whole population at once.

A genome is one flat float64 vector: for each layer a×b, its weight matrix row by row,
then its b biases (the blog's layout, so genomes move between the two unchanged).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_LAYERS = (7, 8, 4, 1)
# numpy's C einsum without its Python wrapper (about a microsecond a call, most of a small step's cost
# is such overhead); the same arithmetic, so results are unchanged. Falls back to np.einsum.
_EINSUM = getattr(getattr(getattr(np, "_core", None), "multiarray", None), "c_einsum", np.einsum)
MAX_LAYER_WIDTH = 4096


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

    Weights and biases are stored negated so that exp(-(x·W + b)) needs no separate negation;
    negation is exact in floating point, so the results equal the blog's bit for bit.
    """

    def __init__(self, network: Network, genomes: np.ndarray) -> None:
        self.network = network
        self._params = [(-w, -b) for w, b in network.unpack(genomes)]

    def keep(self, rows: np.ndarray) -> None:
        """Keep only the given rows (an index array or boolean mask) from now on."""
        self._params = [(w[rows], b[rows]) for w, b in self._params]

    def forward(self, inputs: np.ndarray) -> np.ndarray:
        """Outputs (n, out) for (n, in) inputs of the rows kept."""
        layer = inputs
        for neg_w, neg_b in self._params:
            z = _EINSUM("ji,jik->jk", layer, neg_w)
            z += neg_b
            np.exp(z, out=z)  # the caller holds np.errstate(over="ignore"): 1 / (1 + inf) is the right 0
            z += 1.0
            np.reciprocal(z, out=z)  # exactly 1.0 / z, without converting a scalar each call
            layer = z
        return layer
