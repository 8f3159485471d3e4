"""The memory budget: sizes parsed strictly, generous estimates, huge requests refused in one line."""

import re

import pytest

from evolution import budget
from evolution.errors import InputError
from evolution.racing.network import Network
from evolution.run import run_size


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1", 1),
        ("1000000", 1_000_000),
        ("512M", 512 * 2**20),
        ("512m", 512 * 2**20),
        ("2G", 2 * 2**30),
        ("2 GiB", 2 * 2**30),
        ("1.5G", 3 * 2**29),
        ("64kB", 64 * 2**10),
        ("1T", 2**40),
        (" 3G ", 3 * 2**30),
    ],
)
def test_parse_size_reads_bytes_and_binary_units(text, size):
    assert budget.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "G", "0", "0.2", "-1", "-2G", "nan", "inf", "1e9", "2X", "2GG", "١٢", "9" * 400])
def test_parse_size_refuses_what_is_not_a_positive_size(text):
    with pytest.raises(ValueError, match="size"):
        budget.parse_size(text)


def test_default_budget_is_half_the_physical_memory():
    assert budget.budget_bytes() == int(budget.physical_memory() * budget.SHARE)
    assert budget.physical_memory() > 2**28


def test_environment_and_setter_override_the_default(monkeypatch):
    monkeypatch.setenv(budget.ENVIRONMENT, "512M")
    assert budget.budget_bytes() == 512 * 2**20
    budget.set_budget(1000)
    assert budget.budget_bytes() == 1000
    budget.set_budget(None)
    assert budget.budget_bytes() == 512 * 2**20
    with pytest.raises(ValueError):
        budget.set_budget(0)


def test_a_bad_environment_value_is_one_line_naming_the_variable(monkeypatch):
    monkeypatch.setenv(budget.ENVIRONMENT, "lots")
    with pytest.raises(InputError) as error:
        budget.budget_bytes()
    message = str(error.value)
    assert message.startswith(f"{budget.ENVIRONMENT}: ") and "'lots'" in message and "\n" not in message


def test_a_huge_run_is_refused_with_the_figure_in_the_message():
    budget.set_budget(int(11.7 * 2**30))
    needed = run_size.run_bytes(100_000, (7, 4096, 4096, 1))
    assert needed > 50 * 2**40  # 16.8 million weights a dot, six copies
    what = "--population 100000 with --layers 7,4096,4096,1"
    with pytest.raises(InputError) as error:
        budget.check(what, needed)
    message = str(error.value)
    assert "\n" not in message
    assert re.fullmatch(
        re.escape(what) + r": needs about \d+\.\d TiB, more than the memory budget of 11\.7 GiB "
        r"\(set NEURORACER_MEMORY_BUDGET or --memory-budget to change it\)",
        message,
    ), message
    assert budget.format_size(needed) in message


def test_the_default_run_and_ten_thousand_dots_fit_the_default_budget():
    budget.check("default", run_size.run_bytes(50, (7, 8, 4, 1), 2, 2000))
    budget.check("10,000 dots", run_size.run_bytes(10_000, (7, 8, 4, 1), 2, 2000))
    budget.check("the longest random track", budget.track_bytes(10_000_000))


def test_estimates_cover_what_a_run_allocates():
    network = Network((7, 8, 4, 1))
    population = 10_000
    # at least the population, its ranked copy and the network's copy, and the (7, P) inputs
    assert (
        run_size.run_bytes(population, network.layers) >= 3 * population * network.genome_size * 8 + 7 * population * 8
    )
    assert run_size.run_bytes(population, network.layers, 4) > run_size.run_bytes(population, network.layers)
    assert budget.genome_file_bytes(20, network.layers) >= 20 * network.genome_size * 8
    assert budget.genome_size(network.layers) == network.genome_size
    # top, bottom and the (finish, 6) sensor table at the least
    assert budget.track_bytes(1000) >= 8 * 1000 * 8


def test_format_size_is_for_people():
    assert budget.format_size(800) == "800 bytes"
    assert budget.format_size(3 * 2**20) == "3.0 MiB"
    assert budget.format_size(1.25 * 2**40) == "1.2 TiB"


def test_check_refuses_a_nan_estimate_and_passes_a_fitting_one():
    budget.set_budget(1000)
    budget.check("small", 1000)
    for needed in (1001, float("nan"), float("inf")):
        with pytest.raises(InputError, match=r"^big: needs about"):
            budget.check("big", needed)
