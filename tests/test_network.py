"""The network: the blog's genome layout and arithmetic, for a whole population at once."""

import warnings

import numpy as np
import pytest

from evolution.racing.network import Brains, Network
from tests.helpers import assert_blog_equal


def test_default_genome_size_is_the_blogs_105():
    assert Network().genome_size == 7 * 8 + 8 + 8 * 4 + 4 + 4 * 1 + 1 == 105


def test_forward_equals_blog_network_bit_for_bit(golden, blog_outputs):
    outputs = Network((7, 8, 4, 1)).forward(golden["genomes"], golden["inputs"])
    assert_blog_equal(outputs, blog_outputs)


def test_genome_layout_is_weights_row_by_row_then_biases():
    network = Network((2, 3, 1))
    genome = np.arange(network.genome_size, dtype=float)[None]
    (w1, b1), (w2, b2) = network.unpack(genome)
    assert w1[0].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert b1[0].tolist() == [6, 7, 8]
    assert w2[0].tolist() == [[9], [10], [11]]
    assert b2[0].tolist() == [12]


def test_prepared_brains_equal_plain_forward_also_after_dropping_rows(golden, blog_outputs):
    network = Network()
    brains = Brains(network, golden["genomes"])
    expected, exact = blog_outputs
    with np.errstate(over="ignore"):
        assert_blog_equal(brains.forward(golden["inputs"].T.copy()).T, blog_outputs)
        keep = np.array([True, False, True, True, False, True])
        brains.keep(keep)
        assert_blog_equal(brains.forward(golden["inputs"][keep].T.copy()).T, (expected[keep], exact))
        brains.keep(np.array([2, 0]))
        inputs, outputs = golden["inputs"][keep][[2, 0]], expected[keep][[2, 0]]
        assert_blog_equal(brains.forward(inputs.T.copy()).T, (outputs, exact))


def test_huge_activations_give_no_overflow_warning():
    network = Network()
    genomes = np.full((3, network.genome_size), 50.0)
    inputs = np.full((3, 7), -1e6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = network.forward(genomes, inputs)
    assert np.isfinite(out).all() and ((out >= 0) & (out <= 1)).all()


@pytest.mark.parametrize("layers", [(7,), (7, 0, 1), (7, -2, 1), (7, 8.5, 1), (7, True, 1)])
def test_bad_layer_sizes_are_refused(layers):
    with pytest.raises(ValueError):
        Network(layers)


def blog_forward(network: Network, genomes: np.ndarray, input_rows: np.ndarray) -> np.ndarray:
    """The blog's feedforward as its race calls it: inputs built as rows, then transposed (a strided view)."""
    layer = input_rows.T
    with np.errstate(over="ignore"):
        for weights, biases in network.unpack(genomes):
            layer = 1 / (1 + np.exp(-(np.einsum("ji,jik->jk", layer, weights) + biases)))
    return layer


@pytest.mark.parametrize(
    "layers",
    [(7, 8, 4, 1), (7, 1), (7, 3, 1), (7, 16, 9, 1), (7, 8, 8, 8, 1), (7, 1, 4, 1), (7, 20, 17, 1), (7, 2, 1, 1)],
)
def test_brains_sum_in_the_blogs_order_for_any_shape(layers):
    # The last layer's sums pair terms as numpy's two-lane kernel does (17 inputs: two full blocks of
    # eight and an odd one); for the blog's four-input output layer a plain left-to-right sum differs in the last
    # bit for about a third of dots.
    rng = np.random.default_rng(len(layers) * 100 + sum(layers))
    network = Network(layers)
    for count in (1, 2, 5, 64, 301):
        genomes = rng.uniform(-2, 2, size=(count, network.genome_size))
        rows = rng.normal(size=(7, count)) * rng.choice([1e-3, 1.0, 10.0, 100.0], size=(7, count))
        with np.errstate(over="ignore"):
            ours = Brains(network, genomes).forward(rows)
        assert np.array_equal(ours.T, blog_forward(network, genomes, rows)), count
