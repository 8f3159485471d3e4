"""The benchmark scripts run and print their tables (their figures are read by people, not asserted)."""

import numpy as np
import pytest

from bench import fps, learning, speed, throughput, tune
from bench.common import load_reference


def table_rows(text: str) -> list[list[str]]:
    lines = [line for line in text.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_throughput_prints_a_row_per_case_and_checks_scores_against_the_blog(capsys):
    assert throughput.main(["--repeats", "1", "--sizes", "20", "60"]) == 0
    rows = table_rows(capsys.readouterr().out)[2:]  # after the header and its rule
    cases = [(row[0], row[1]) for row in rows]
    assert cases == [("random", "20"), ("random", "60"), ("evolved", "20"), ("evolved", "60")]
    for row in rows:
        assert float(row[4].replace(",", "")) > 0
        # with the blog's code at hand, both codes must give every genome the same score
        assert row[6] == ("yes" if load_reference() is not None else "—")


def test_fps_prints_frame_times_and_turbo_rates(capsys):
    assert fps.main(["--seconds", "0.2", "--sizes", "30"]) == 0
    rows = table_rows(capsys.readouterr().out)[2:]
    assert [(row[0], row[1]) for row in rows] == [("30", "×1"), ("30", "turbo")]
    median, p99 = float(rows[1][2]), float(rows[1][3])
    assert 0 < median <= p99 and np.isfinite(float(rows[1][5]))


def test_bad_benchmark_flags_get_one_line_and_exit_code_2(capsys):
    for main, argv in (
        (throughput.main, ["--sizes", "0"]),
        (throughput.main, ["--repeats", "x"]),
        (fps.main, ["--seconds", "nan"]),
        (fps.main, ["--sizes", "-3"]),
        (speed.main, ["--population", "0"]),
        (speed.main, ["--generations", "-1"]),
        (speed.main, ["--strategies", "elitist,bogus"]),
        (speed.main, ["--seeds", "5-2"]),
        (learning.main, ["--seeds", "abc"]),
        (tune.main, ["--population", "1"]),
        (tune.main, ["--mutation-rate", "nan"]),
        (tune.main, ["--tracks", "-1"]),
        (tune.main, ["--strategy", "bogus"]),
        (tune.main, ["--seeds", "9-1"]),
        (tune.main, ["--jobs", "0"]),
        (tune.main, ["--set", "NO_SUCH_KNOB=1"]),
        (tune.main, ["--set", "ELITE_SHARE=oops("]),
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        assert capsys.readouterr().err.strip().splitlines()[-1].startswith("python -m bench.")
