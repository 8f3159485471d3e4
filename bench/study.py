"""A small study on this machine, with today's process pool and with a local Dask cluster: seconds each.

python -m bench.study [--seeds 0-19] [--population 30] [--generations 30] [--jobs 2]

The study is mutation_rate=0.1,0.5 x strategy=classic,elitist on every seed (2 x 2 x 20 runs by default), made as
main.py --study makes it; both ways must give the same rows (checked). Dask's time is split into the cluster's
start-up and the study itself; the overhead per task is Dask's study time minus the pool's, over the tasks, and
also a round trip of an empty task on the same cluster.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from app.flag_types import seed_list, whole
from app.options import flag_type
from evolution.many.study import RUNS_FILE, run_study, tasks
from evolution.run.settings import RUN_SETTINGS


def _nothing(value: int) -> int:
    return value


def rows_of(folder: Path) -> list[str]:
    """runs.csv's lines without the seconds, sorted (the order of arrival differs)."""
    return sorted(line.rsplit(",", 1)[0] for line in (folder / RUNS_FILE).read_text().splitlines()[1:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.study", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=seed_list, default=seed_list("0-19"))
    parser.add_argument("--population", type=flag_type(RUN_SETTINGS["population"]), default=30)
    parser.add_argument("--generations", type=whole(1, 100_000), default=30)
    parser.add_argument("--jobs", type=whole(1, 256), default=2)
    args = parser.parse_args(argv)
    import os

    from app import options as program

    flags = ["--headless", "--population", str(args.population), "--generations", str(args.generations)]
    spec = ["--study", "mutation_rate=0.1,0.5", "strategy=classic,elitist", "--seeds", "0"]
    study = program.parse([*flags, *spec]).study
    count = len(tasks(study, args.seeds, set(), args.jobs))
    runs = len(study.combinations) * len(args.seeds)
    print(f"{runs} runs ({count} tasks), population {args.population}, {args.generations} generations, "
          f"{args.jobs} processes; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    with tempfile.TemporaryDirectory() as temp:
        started = time.perf_counter()
        run_study(study, args.seeds, Path(temp) / "pool", jobs=args.jobs, backend="pool", progress=False)
        pool = time.perf_counter() - started

        from distributed import Client, LocalCluster

        started = time.perf_counter()
        cluster = LocalCluster(n_workers=args.jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
        start_up = time.perf_counter() - started
        try:
            started = time.perf_counter()
            run_study(study, args.seeds, Path(temp) / "dask", client.scheduler.address, args.jobs, progress=False)
            dask = time.perf_counter() - started
            started = time.perf_counter()
            empty = 200
            client.gather([client.submit(_nothing, index, pure=False) for index in range(empty)])
            round_trip = (time.perf_counter() - started) / empty
        finally:
            client.close()
            cluster.close()
        same = rows_of(Path(temp) / "pool") == rows_of(Path(temp) / "dask")
    print("| way | seconds | per task |")
    print("|---|---:|---:|")
    print(f"| process pool (today's --seeds) | {pool:.1f} | {pool / count * args.jobs:.2f} |")
    print(f"| Dask LocalCluster: start-up | {start_up:.1f} | |")
    print(f"| Dask LocalCluster: the study | {dask:.1f} | {dask / count * args.jobs:.2f} |")
    print(f"| Dask overhead per task (study minus pool) | | {(dask - pool) / count * args.jobs * 1000:.0f} ms |")
    print(f"| Dask round trip of an empty task | | {round_trip * 1000:.1f} ms |")
    print(f"same rows both ways: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
