"""--study on a local Dask cluster of two worker processes: the same numbers as the runs alone, a worker killed
mid-task, an interrupted study resumed, bad specs refused. Small runs (population 20, 10 generations, a short
random track on which they do learn), so the file runs in well under a minute."""

from __future__ import annotations

import csv
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from app import command as app_command
from app import options as app_options
from evolution.errors import Interrupted
from evolution.many.study import RUNS_FILE, SUMMARY_FILE, run_study
from tests.helpers import ROOT, run_cli

pytest.importorskip("distributed")
# under pytest-xdist (--dist loadgroup, pyproject.toml) the module stays on one worker: one LocalCluster and one
# clean study (module fixtures) serve all its tests, rather than one on each worker
pytestmark = pytest.mark.xdist_group("study")

BASE = ["--headless", "--population", "20", "--generations", "10", "--tracks", "0", "--track", "random:7:100"]
SPEC = ["mutation_rate=0.1,0.5", "strategy=classic,elitist"]
SEEDS = [0, 1, 2]


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with Client(cluster) as client:
        yield client
    cluster.close()


def study_of(*extra: str):

    return app_options.parse([*BASE, "--study", *SPEC, "--seeds", "0-2", *extra]).study


def results(folder: Path) -> dict[tuple, tuple]:
    """runs.csv by (settings, seed): every column but the wall-clock seconds."""
    with open(folder / RUNS_FILE, newline="") as stream:
        rows = list(csv.DictReader(stream))
    return {(r["mutation_rate"], r["strategy"], r["seed"]): tuple(list(r.values())[3:-1]) for r in rows}


@pytest.fixture(scope="module")
def clean(client, tmp_path_factory) -> Path:
    """The study run once without a fault."""
    folder = tmp_path_factory.mktemp("clean")
    run_study(study_of(), SEEDS, folder, client.scheduler.address, 2, progress=False)
    return folder


def test_a_study_equals_its_runs_alone(clean, tmp_path):
    found = results(clean)
    assert len(found) == 2 * 2 * len(SEEDS)
    assert any(row[0] for row in found.values()), "some runs should learn, or the comparison says little"
    for rate, strategy in {(rate, strategy) for rate, strategy, _ in found}:
        alone = tmp_path / f"{rate}-{strategy}.csv"
        flags = [*BASE, "--mutation-rate", rate, "--strategy", strategy]
        done = run_cli(*flags, "--seeds", "0-2", "--log", str(alone))  # each seed's run as --seeds makes it
        assert done.returncode == 0, done.stderr
        with open(alone, newline="") as stream:
            for each in csv.DictReader(stream):
                row = found[(rate, strategy, each["seed"])]
                assert row == (each["first_finisher"], each["top20_all_finish_test"], each["unseen_share"])
    # and the first finisher is that of the plain run alone, read from its per-generation log
    rate, strategy, seed = next(key for key, row in found.items() if row[0])
    log = tmp_path / "alone.csv"
    done = run_cli(*BASE, "--mutation-rate", rate, "--strategy", strategy, "--seed", seed, "--log", str(log))
    assert done.returncode == 0, done.stderr
    with open(log, newline="") as stream:
        rows = [r for r in csv.DictReader(line for line in stream if not line.startswith("#"))]
    first = next(r["generation"] for r in rows if int(r["finished"]) > 0)
    assert found[(rate, strategy, seed)][0] == first


def test_a_worker_killed_mid_task_changes_nothing(client, clean, tmp_path):
    folder = tmp_path / "killed"
    pids = client.run(os.getpid)
    outcome: dict = {}

    def study() -> None:
        try:
            outcome["result"] = run_study(study_of(), SEEDS, folder, client.scheduler.address, 2, progress=False)
        except BaseException as exc:  # said by the assertion below
            outcome["error"] = exc

    thread = threading.Thread(target=study)
    thread.start()
    killed = None
    deadline = time.monotonic() + 30
    while killed is None and time.monotonic() < deadline and thread.is_alive():
        busy = [address for address, keys in client.processing().items() if keys]
        if busy and "run_task" in str(client.processing()[busy[0]]):
            killed = pids[busy[0]]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.005)
    thread.join(120)
    assert killed is not None, "no task was seen running"
    assert "error" not in outcome, outcome.get("error")
    assert killed not in client.run(os.getpid).values()  # the worker did die (its nanny started a new one)
    assert results(folder) == results(clean)
    assert (folder / SUMMARY_FILE).read_text() == (clean / SUMMARY_FILE).read_text()


def test_an_interrupted_study_goes_on_where_it_stopped(client, clean, tmp_path):
    folder = tmp_path / "interrupted"
    seen = []

    def stop_after_three(row) -> None:
        seen.append(row)
        if len(seen) == 3:
            raise Interrupted(signal.SIGINT)

    with pytest.raises(Interrupted):
        run_study(study_of(), SEEDS, folder, client.scheduler.address, 2, progress=False, on_row=stop_after_three)
    assert len(results(folder)) == 3  # each written as it came; the summary too, of what was done
    assert (folder / SUMMARY_FILE).is_file()
    ran = []
    again = run_study(study_of(), SEEDS, folder, client.scheduler.address, 2, progress=False, on_row=ran.append)
    assert (again.skipped, again.ran) == (3, 9)
    assert {(row["combination"], row["seed"]) for row in seen}.isdisjoint({(r["combination"], r["seed"]) for r in ran})
    assert results(folder) == results(clean)
    assert (folder / SUMMARY_FILE).read_text() == (clean / SUMMARY_FILE).read_text()
    # a third time: nothing left to run, the same table
    done = run_cli(*BASE, "--study", *SPEC, "--seeds", "0-2", "--study-folder", str(folder))
    assert done.returncode == 0, done.stderr
    assert "12 of 12 runs were already done" in done.stdout
    assert (folder / SUMMARY_FILE).read_text() == (clean / SUMMARY_FILE).read_text()


def test_a_killed_study_command_resumes(client, clean, tmp_path):
    """main.py --study --cluster stopped by SIGTERM keeps its rows; the same command finishes the rest."""
    import subprocess
    import sys

    from tests.helpers import ROOT

    folder = tmp_path / "signalled"
    command = [sys.executable, str(ROOT / "main.py"), *BASE, "--study", *SPEC, "--seeds", "0-2",
               "--cluster", client.scheduler.address, "--study-folder", str(folder)]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if (folder / RUNS_FILE).is_file() and len((folder / RUNS_FILE).read_text().splitlines()) >= 2:
            process.send_signal(signal.SIGTERM)
            break
        time.sleep(0.01)
    _, err = process.communicate(timeout=60)
    if process.returncode == 0:  # it finished before the signal came (a fast machine): nothing to resume
        pytest.skip("the study ended before it could be stopped")
    assert process.returncode == 143, err
    assert "the same command goes on from there" in err
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "runs were already done" in done.stdout
    assert results(folder) == results(clean)


def test_ctrl_c_stops_a_local_study_in_one_line(tmp_path):
    """Ctrl+C reaches every process of the terminal's group: the local Dask workers leave it to the study, which
    stops them, keeps its rows and says so in one line (no worker prints a traceback)."""
    import subprocess
    import sys

    from tests.helpers import ROOT

    folder = tmp_path / "ctrl-c"
    command = [sys.executable, str(ROOT / "main.py"), *BASE, "--study", *SPEC, "--seeds", "0-5",
               "--study-folder", str(folder)]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if (folder / RUNS_FILE).is_file() and len((folder / RUNS_FILE).read_text().splitlines()) >= 2:
            os.killpg(process.pid, signal.SIGINT)
            break
        time.sleep(0.01)
    _, err = process.communicate(timeout=60)
    if process.returncode == 0:
        pytest.skip("the study ended before it could be stopped")
    assert process.returncode == 130, err
    said = [line for line in err.splitlines() if " first finisher " not in line]
    assert said == [f"interrupted; the runs done are in {folder / RUNS_FILE}; the same command goes on from there"]
    assert 1 <= len(results(folder)) < 24


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        (["speed=1,2"], "unknown setting 'speed'"),
        (["mutation_rate=0.1,fast"], "mutation_rate: 'fast' is not a number"),
        (["population=1,20"], "population: 1 is out of range"),
        (["population="], "an empty value"),
        (["population=20,,50"], "an empty value"),
        (["population=20,20"], "given twice"),
        (["elite_share=0.1,0.2", "strategy=classic"], "elite_share"),
        (
            ["population=" + ",".join(map(str, range(2, 202))), "extra_tracks=" + ",".join(map(str, range(60)))],
            "combinations, more than",
        ),
    ],
)
def test_bad_study_specs_are_refused_in_one_line(spec, says, tmp_path, capsys):
    status, err = refused(capsys, *BASE, "--study", *spec, "--seeds", "0-2", "--study-folder", str(tmp_path / "s"))
    assert status == 2
    assert says in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "s").exists()


def refused(capsys, *argv: str) -> tuple[int, str]:
    """main.py's command line run in this process (a refusal comes before any work): exit status and stderr."""

    capsys.readouterr()
    with pytest.raises(SystemExit) as stop:
        app_command.run_command(list(argv))
    return stop.value.code, capsys.readouterr().err


def test_a_study_beyond_the_memory_budget_is_refused(tmp_path, capsys):
    from evolution.budget import set_budget

    try:
        status, err = refused(capsys, *BASE, "--study", "population=20,50", "--seeds", "0-99999", "--memory-budget",
                              "150M", "--study-folder", str(tmp_path / "s"))  # fmt: skip
    finally:
        set_budget(None)
    assert status == 2, err
    assert err.startswith("main.py: error: --study: 200000 runs")
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize(
    "address, says",
    [
        ("nonsense", "not a scheduler's address"),
        ("tcp://127.0.0.1:notaport", "not a scheduler's address"),
        pytest.param(  # waits about 10 s for the connection to time out
            "tcp://127.0.0.1:1", "no Dask scheduler answers there", marks=pytest.mark.slow, id="tcp://127.0.0.1:1"
        ),
    ],
)
def test_a_bad_cluster_is_refused_in_one_line_and_leaves_no_folder(address, says, tmp_path):
    folder = tmp_path / "studies" / "s"
    done = run_cli(*BASE, "--study", *SPEC, "--seeds", "0-2", "--cluster", address, "--study-folder", str(folder))
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"main.py: error: --cluster {address}: {says}"), done.stderr
    assert not (tmp_path / "studies").exists()


def test_a_folder_of_another_study_is_refused(clean, capsys):
    status, err = refused(capsys, *BASE, "--study", "mutation_rate=0.1,0.3", "--seeds", "0-2", "--study-folder",
                          str(clean))  # fmt: skip
    assert status == 2
    assert "holds another study" in err


def test_plot_draws_a_heat_map_per_strategy(clean):
    done = run_cli("--plot", str(clean))
    assert done.returncode == 0, done.stderr
    png = clean / "study.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_folder_another_study_is_writing_is_refused(clean):
    from evolution.many.study import RunsFile

    held = RunsFile(clean / RUNS_FILE, "")  # as a study running into this folder holds it
    try:
        done = run_cli(*BASE, "--study", *SPEC, "--seeds", "0-2", "--study-folder", str(clean))
    finally:
        held.close()
    assert done.returncode == 2
    assert "another study is writing this folder" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_dask_and_matplotlib_are_imported_only_by_a_study_or_a_plot():
    import subprocess
    import sys

    from tests.helpers import ROOT

    code = "import sys, main; from app import options; options.parse(['--headless']); "
    code += "print(sorted({'dask', 'distributed', 'matplotlib'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


def test_the_code_sent_to_a_cluster_holds_every_module_of_the_core(tmp_path):
    """A remote worker imports the core from the archive alone: every module of evolution/, in every sub-package."""
    import zipfile

    from evolution.many.study import code_archive

    names = set(zipfile.ZipFile(code_archive(tmp_path)).namelist())
    expected = {p.relative_to(ROOT).as_posix() for p in (ROOT / "evolution").rglob("*.py")}
    assert names == expected and "evolution/run/evolve.py" in names


@pytest.mark.slow
def test_a_cluster_whose_workers_cannot_import_the_core_is_refused_in_one_line(tmp_path):
    # a worker without numpy failed to read its first task, dropped its connection, and the study then waited for
    # workers for ever; now it is asked first, and the study stops in one line, leaving no folder
    import subprocess
    import sys

    from distributed import Client, LocalCluster

    fake = tmp_path / "fake" / "numpy"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('no numpy on this worker')\n")
    env = {**os.environ, "PYTHONPATH": str(fake.parent)}
    with LocalCluster(n_workers=0, processes=True, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        worker = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-dashboard"],
            env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            with Client(address) as client:
                client.wait_for_workers(1, timeout=60)
            folder = tmp_path / "studies" / "s"
            flags = ["--study", *SPEC, "--seeds", "0-2", "--cluster", address, "--study-folder", str(folder)]
            done = run_cli(*BASE, *flags)
        finally:
            worker.kill()
            worker.wait(timeout=30)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "cannot run the study (ImportError: no numpy on this worker)" in done.stderr
    assert not (tmp_path / "studies").exists()
