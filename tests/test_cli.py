"""The headless command line: the blog's numbers through main.py, and one clear line for bad input."""

import csv
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from app import options as app_options
from evolution.run.genome_file import load_genomes
from tests.helpers import ROOT, reference_rows, reference_test_scores, run_cli


def read_log(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as stream:
        return list(csv.DictReader(line for line in stream if not line.startswith("#")))


def test_headless_classic_seed_42_log_equals_the_blogs_rows(tmp_path):
    log = tmp_path / "run.csv"
    result = run_cli("--headless", "--strategy", "classic", "--seed", "42", "--generations", "120", "--log", str(log))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    first, header = log.read_text().splitlines()[:2]
    assert first == "# neuroracer run: --seed 42 --strategy classic --population 50 --layers 7,8,4,1 " + (
        "--mutation-rate 0.1 --tracks 0 --track training"
    )
    assert header == "generation,best,mean,median,finished,seconds,test_best"
    rows = read_log(log)
    reference = reference_rows(42)
    assert len(rows) == len(reference) == 121
    for ours, theirs in zip(rows, reference):
        assert (ours["generation"], ours["best"], ours["mean"], ours["finished"]) == (
            theirs["generation"],
            theirs["best"],
            theirs["mean"],
            theirs["finished"],
        )
    lines = result.stdout.splitlines()
    assert sum(line.startswith("gen ") for line in lines) == 121
    assert "best 391" in lines[-1] and "finished 44 of 50" in lines[-1] and "seed 42" in lines[-1]


def test_saved_top_20_drive_the_test_track_as_in_the_blog(tmp_path):
    saved = tmp_path / "best.json"
    import main

    assert main.main(["--headless", "--strategy", "classic", "--seed", "42", "--save", str(saved)]) == 0
    record = load_genomes(saved)
    assert len(record.genomes) == 20 and record.seed == 42 and record.generation == 120
    log = tmp_path / "drive.csv"
    result = run_cli("--headless", "--load", str(saved), "--track", "test", "--log", str(log))
    assert result.returncode == 0, result.stderr
    expected = reference_test_scores(42)
    assert result.stdout.splitlines()[-1] == f"finished {sum(s == 3991 for s in expected)} of 20" == "finished 19 of 20"
    rows = read_log(log)
    assert [int(r["score"]) for r in rows] == expected
    assert [int(r["finished"]) for r in rows] == [int(s == 3991) for s in expected]


def test_without_a_seed_one_is_drawn_printed_and_repeats_the_run(tmp_path, capsys):
    import main

    assert main.main(["--headless", "--generations", "3", "--log", str(tmp_path / "a.csv")]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    seed = first.split()[1]
    assert first.startswith("seed ") and f"--seed {seed}" in first
    assert main.main(["--headless", "--generations", "3", "--seed", seed, "--log", str(tmp_path / "b.csv")]) == 0
    strip = lambda rows: [{k: v for k, v in r.items() if k != "seconds"} for r in rows]  # noqa: E731
    assert strip(read_log(tmp_path / "a.csv")) == strip(read_log(tmp_path / "b.csv"))


def bad_inputs(tmp_path: Path) -> dict[str, list[str]]:
    (tmp_path / "exists.json").write_text("{}")
    (tmp_path / "garbage.json").write_bytes(b"\x00\xff" * 10)
    (tmp_path / "short.csv").write_text("1\n2\n")
    (tmp_path / "nan.csv").write_text("nan\n" * 20)
    return {
        "unknown flag": ["--headless", "--fly"],
        "negative population": ["--headless", "--population", "-3"],
        "text generations": ["--headless", "--generations", "many"],
        "nan mutation rate": ["--headless", "--mutation-rate", "nan"],
        "bad layers": ["--headless", "--layers", "7,x,1"],
        "layers not a driver": ["--headless", "--layers", "3,4,1"],
        "unknown strategy": ["--headless", "--strategy", "magic"],
        "seed too big": ["--headless", "--seed", str(2**32)],
        "unknown track": ["--headless", "--track", "moon"],
        "short track file": ["--headless", "--track", str(tmp_path / "short.csv")],
        "nan track file": ["--headless", "--track", str(tmp_path / "nan.csv")],
        "save would replace": ["--headless", "--save", str(tmp_path / "exists.json")],
        "foreign genome file": ["--headless", "--load", str(tmp_path / "exists.json")],
        "binary genome file": ["--headless", "--load", str(tmp_path / "garbage.json")],
        "missing genome file": ["--headless", "--load", str(tmp_path / "absent.json")],
        "log into a missing folder": ["--headless", "--generations", "1", "--log", str(tmp_path / "no" / "x.csv")],
    }


@pytest.mark.slow  # a dozen interpreters started; refusals in one line are tested in-process in the quick set
def test_a_dozen_bad_flags_and_files_each_give_one_line_and_exit_2(tmp_path):
    for case, args in bad_inputs(tmp_path).items():
        result = run_cli(*args)
        assert result.returncode == 2, case
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("main.py: error: "), (case, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout, case
    assert (tmp_path / "exists.json").read_text() == "{}"


def test_help_documents_every_flag():
    result = run_cli("--help")
    assert result.returncode == 0
    for flag in (
        "--headless",
        "--generations",
        "--population",
        "--layers",
        "--mutation-rate",
        "--strategy",
        "--seed",
        "--track",
        "--log",
        "--save",
        "--keep",
        "--load",
        "--frames",
        "--screenshot",
        "--speed",
    ):
        assert flag in result.stdout, flag
    assert "classic:" in result.stdout


def test_evolution_never_imports_pygame():
    code = "import sys, pkgutil, importlib, evolution\n"
    code += "[importlib.import_module('evolution.' + m.name) for m in pkgutil.iter_modules(evolution.__path__)]\n"
    code += "print('pygame' in sys.modules)"
    import subprocess

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "False", result.stderr
    for source in (ROOT / "evolution").rglob("*.py"):
        assert not re.search(r"^\s*(import|from)\s+pygame", source.read_text(), re.MULTILINE), source


def test_load_log_drives_and_lists_scores_in_rank_order(tmp_path):
    import main

    saved = tmp_path / "b.json"
    command = ["--headless", "--strategy", "classic", "--seed", "7", "--generations", "10", "--save", str(saved)]
    assert main.main([*command, "--keep", "5"]) == 0
    record = load_genomes(saved)
    assert np.all(np.diff(record.scores) <= 0) and len(record.scores) == 5
    assert main.main(["--headless", "--load", str(saved), "--log", str(tmp_path / "d.csv")]) == 0
    assert [int(r["score"]) for r in read_log(tmp_path / "d.csv")] == record.scores.tolist()


@pytest.mark.parametrize("spec", ["random:3", "test"])
def test_other_tracks_run_headless(tmp_path, spec):
    import main

    assert main.main(["--headless", "--seed", "1", "--generations", "2", "--track", spec]) == 0


def test_the_readme_and_its_docs_pages_document_every_flag():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    readme = "\n".join(page.read_text() for page in pages)

    flags = [option for action in app_options.build_parser()._actions for option in action.option_strings]
    missing = [flag for flag in flags if flag.startswith("--") and f"`{flag}" not in readme]
    assert not missing, missing


def test_the_architecture_pages_layout_names_every_module_and_only_modules_that_exist():
    section = (ROOT / "docs" / "architecture.md").read_text().split("# How it is built", 1)[1]
    layout = section.split("```", 2)[1]  # the tree, before "Where new things go"
    named = set(re.findall(r"(?<![\w/])([a-z_]+\.py)\b", layout))
    modules = {p.name for folder in ("app", "evolution", "game", "bench") for p in (ROOT / folder).rglob("*.py")}
    modules = {name for name in modules if name != "__init__.py"} | {"main.py"}
    packages = {p.parent.name for folder in ("evolution", "game") for p in (ROOT / folder).glob("*/__init__.py")}
    for package in packages:  # each sub-package is a heading of its own, its modules under it
        assert re.search(rf"^  {package}/ ", layout, re.M), f"the layout has no heading for {package}/"
    assert not modules - named, f"modules the layout does not name: {sorted(modules - named)}"
    scripts = {p.name for p in (ROOT / "docs").rglob("*.py")}
    assert not named - modules - scripts, f"named in the layout but not in the tree: {sorted(named - modules)}"


def test_every_relative_link_in_the_readme_and_the_docs_points_at_a_file_that_exists():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
            path = target.split("#", 1)[0]
            if not path or re.match(r"[a-z]+:", path):
                continue  # an anchor on the same page, or a web address
            if not (page.parent / path).exists():
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert not broken, broken


def test_the_readme_links_every_docs_page():
    readme = (ROOT / "README.md").read_text()
    missing = [p.name for p in (ROOT / "docs").glob("*.md") if f"(docs/{p.name})" not in readme]
    assert not missing, missing


def test_the_log_refuses_to_continue_a_file_that_is_not_its_own(tmp_path):
    from evolution.errors import InputError
    from evolution.run.reporters import CsvLog

    other = tmp_path / "notes.csv"
    other.write_text("name,score\nada,3\n")
    with pytest.raises(InputError, match="not a neuroracer log"):
        CsvLog(other, continue_at=3)
    assert other.read_text() == "name,score\nada,3\n"  # left as it was
