"""The compiled race against the numpy race, its reference: every number the same, bit for bit."""

import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from bench.common import population
from evolution.racing import race_kernel
from evolution.racing.network import Network
from evolution.racing.race import Race, StackedRace, in_slices
from evolution.racing.track import Track, blog_test_track, random_track, training_track

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not race_kernel.ready(wait=True), reason="numba cannot load: races run with numpy")


def corridor(seed: int, columns: int, height: float) -> Track:
    """A wavy corridor about 2 × height wide, so that slowly drifting dots crash all along it."""
    rng = np.random.default_rng(seed)
    wave = np.cumsum(rng.normal(0.0, height / 50, columns))
    wave -= wave[0]
    width = height * rng.uniform(0.6, 1.0, columns)
    return Track(f"corridor:{seed}", wave + width, wave - width)


def drivers(seed: int, count: int, network: Network) -> np.ndarray:
    """Genomes of every scale: tiny weights drift for thousands of columns, big ones crash at once."""
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.uniform(-4.0, 0.7, (count, 1))
    return rng.normal(0.0, 1.0, (count, network.genome_size)) * scale


def assert_same_race(compiled: Race, reference: Race) -> None:
    """Every number a race gives: scores, final positions and speeds, safety, paths, trail, column."""
    assert compiled._compiled and not reference._compiled
    assert compiled.column == reference.column
    assert compiled.alive_count == reference.alive_count
    assert np.array_equal(compiled.scores, reference.scores)
    assert np.array_equal(compiled.alive, reference.alive)
    for ours, theirs in [
        (compiled.positions, reference.positions),
        (compiled.speeds, reference.speeds),
        (compiled.standings(), reference.standings()),
    ]:
        assert np.array_equal(ours.view(np.int64), theirs.view(np.int64))
    if reference._margin_sum is not None:
        assert np.array_equal(compiled.safety().view(np.int64), reference.safety().view(np.int64))
    if reference.paths is not None:
        assert np.array_equal(compiled.paths, reference.paths, equal_nan=True)
    if reference.trail is not None:
        assert np.array_equal(compiled.trail, reference.trail, equal_nan=True)


def random_case(seed: int) -> tuple[Network, np.ndarray, Track, dict]:
    """A network of 1 to 4 hidden layers, 1 to 2,000 dots and a track of 10 to 4,000 columns."""
    rng = np.random.default_rng(seed)
    hidden = [int(rng.choice([1, 2, 3, 4, 7, 8, 9, 16, 17])) for _ in range(rng.integers(1, 5))]
    network = Network((7, *hidden, 1))
    count = int(rng.choice([1, 2, 3, 50, 257, int(rng.integers(1, 2001))]))
    columns = int(rng.choice([10, 11, 400, int(rng.integers(10, 4001))]))
    track = corridor(seed, columns, float(rng.choice([1.0, 20.0, 500.0])))
    options = {
        "measure_safety": bool(rng.integers(2)),
        "keep_paths": bool(rng.integers(2)),
        "trail_length": int(rng.choice([0, 1, 16])),
    }
    return network, drivers(seed, count, network), track, options


@pytest.mark.parametrize("seed", range(24))
def test_random_shapes_race_alike(seed):
    network, genomes, track, options = random_case(seed)
    compiled = Race(genomes, track, network, **options)
    reference = Race(genomes, track, network, compiled=False, **options)
    compiled.run()
    reference.run()
    assert_same_race(compiled, reference)


@pytest.mark.parametrize("seed", range(4))
def test_stepping_and_slices_race_alike(seed):
    # the window steps a column at a time or in slices; each call must take up where the last left off
    network, genomes, track, options = random_case(100 + seed)
    compiled = Race(genomes, track, network, **options)
    reference = Race(genomes, track, network, compiled=False, **options)
    rng = np.random.default_rng(seed)
    while not reference.done:
        steps = int(rng.choice([1, 1, 2, 7, 60]))
        if steps == 1:
            compiled.step()
            reference.step()
        else:
            compiled.run(steps)
            reference.run(steps)
        assert_same_race(compiled, reference)
    assert compiled.done
    for _ in in_slices(compiled):
        pass


@pytest.mark.parametrize("layers", [(7, 8, 4, 1), (7, 1), (7, 1, 1), (7, 3, 1), (7, 9, 12, 5, 17, 1)])
@pytest.mark.parametrize("count", [1, 2, 300])
def test_every_layer_kind_and_a_lone_dot_race_alike(layers, count):
    # a one-output layer sums in two lanes, and a first layer of one output does so only for a lone dot
    network = Network(layers)
    genomes = np.random.default_rng(count).normal(0.0, 1e-5, (count, network.genome_size))
    track = Track("wide", np.full(900, 5e3), np.full(900, -5e3))
    compiled = Race(genomes, track, network, measure_safety=True, keep_paths=True)
    reference = Race(genomes, track, network, measure_safety=True, keep_paths=True, compiled=False)
    compiled.run()
    reference.run()
    assert reference.scores.max() > 300  # long enough for the sums' last bits to show in the positions
    assert_same_race(compiled, reference)


def test_evolved_drivers_race_alike_on_the_blogs_tracks():
    network = Network()
    genomes = population("evolved", 600, network.genome_size)
    for track in (training_track(), blog_test_track()):
        compiled = Race(genomes, track, network, trail_length=40, measure_safety=True)
        reference = Race(genomes, track, network, trail_length=40, measure_safety=True, compiled=False)
        compiled.run()
        reference.run()
        assert (reference.scores == track.finish).any()  # some drivers finish: the last column is raced
        assert_same_race(compiled, reference)


def test_dots_out_at_the_first_and_at_the_last_column():
    network = Network()
    finish = 50
    k = np.arange(finish + 9)
    top = np.full(k.size, 1e5)
    top[0] = 0.2  # a dot at full force is at 0.25 after the first column
    top[finish - 1] = 0.25 * finish**2 - 1.0  # and at 0.25 finish² after the last
    wide = Track("edges", top.copy(), -top)
    genome = np.zeros(network.genome_size)
    genome[-1] = 40.0  # sigmoid(40) - 0.5 = 0.5: full force up
    first = Race(genome[None], wide, network, keep_paths=True, measure_safety=True)
    first.run()
    assert first.scores[0] == 0 and first.column == 1 and first.positions[0] == 0.25
    top[0] = 1.0
    last_track = Track("edges", top, -top)
    genomes = np.stack([genome, genome * 0.0])  # the second holds still, and finishes
    last = Race(genomes, last_track, network, keep_paths=True, measure_safety=True)
    reference = Race(genomes, last_track, network, keep_paths=True, measure_safety=True, compiled=False)
    last.run()
    reference.run()
    assert last.scores.tolist() == [finish - 1, finish]
    assert_same_race(last, reference)


def test_stacked_races_of_groups_on_their_own_tracks_race_alike():
    network = Network((7, 8, 4, 1))
    tracks = [corridor(seed, 700, 10.0) for seed in range(3)] + [random_track(4, 700)]
    groups = [drivers(seed, size, network) for seed, size in enumerate((1, 40, 300, 7))]
    for genomes in (groups, groups[2]):
        compiled = StackedRace(genomes, tracks, network, measure_safety=True)
        reference = StackedRace(genomes, tracks, network, measure_safety=True, compiled=False)
        compiled.run(333)
        reference.run(333)
        assert_same_race(compiled, reference)
        compiled.run()
        reference.run()
        assert_same_race(compiled, reference)


def test_the_kernels_exp_is_numpys_on_every_exponent():
    values = np.concatenate([np.linspace(-746.0, 710.0, 400_001), np.random.default_rng(1).normal(0, 8, 100_000)])
    ours = values.copy()
    race_kernel._LOADER.jit.exp_vector(ours, *race_kernel._LOADER.exp)
    with np.errstate(over="ignore"):
        assert np.array_equal(ours.view(np.int64), np.exp(values).view(np.int64))


def test_weights_too_big_to_sum_safely_race_with_numpy():
    network = Network()
    genomes = np.full((3, network.genome_size), 1e299)
    race = Race(genomes, training_track(), network)
    race.run()
    assert not race._compiled


def test_without_numba_races_run_with_numpy_and_one_line_says_so(golden):
    code = (
        "import sys; sys.modules['numba'] = None\n"  # as if numba were not installed
        "import numpy as np\n"
        "from evolution.racing import race_kernel\n"
        "from evolution.racing.network import Network\n"
        "from evolution.racing.race import Race\n"
        "from evolution.racing.track import training_track\n"
        "genomes = np.load('tests/data/reference_arrays.npz')['genomes']\n"
        "assert not race_kernel.ready(wait=True)\n"
        "race = Race(genomes, training_track(), Network())\n"
        "print(race.run().tolist())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(golden["training_scores"].tolist())
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "races run with numpy" in lines[0]


def test_the_window_races_the_columns_asked_in_calls_of_many():
    from evolution.run.evolve import Evolution, RunConfig
    from game.session import EvolveSession

    session = EvolveSession(Evolution(RunConfig(strategy="classic", seed=3, generations=20), training_track()))
    far = time.perf_counter() + 60.0
    assert session.advance(1, far) == 1 and session.race.column == 1
    assert session.advance(5, far) == 5 and session.race.column == 6
    assert session.advance(40, far) == 40  # across the end of generation 0
    calls = []
    run = Race.run

    def counted(race, max_steps=None):
        calls.append(max_steps)
        return run(race, max_steps)

    Race.run = counted
    try:
        taken = session.advance(10**9, far)  # turbo: the rest of the run, as fast as it goes
    finally:
        Race.run = run
    assert session.complete and taken > 100
    assert len([steps for steps in calls if steps and steps > 1]) > 0  # not a call per column
    straight = Evolution(RunConfig(strategy="classic", seed=3, generations=20), training_track())
    for _ in range(21):
        race = straight.next_race()
        race.run()
        for _ in straight.close_generation(race, slice_seconds=None):
            pass
    straight.finish_test_drives_now()
    from evolution.run.history import COLUMNS

    def numbers(evolution: Evolution) -> np.ndarray:
        return np.delete(evolution.state.history.to_arrays(), COLUMNS.index("seconds"), axis=0)

    assert np.array_equal(numbers(session.evolution), numbers(straight))


def test_a_forked_worker_races_compiled_with_the_kernel_its_parent_loaded():
    import multiprocessing

    network, track = Network(), training_track()
    genomes = population("evolved", 20, network.genome_size)
    # loaded before the fork, as a sweep does: a fork while the loading thread holds a lock leaves the child
    # waiting on that lock for ever (a CI run hung here)
    assert race_kernel.ready(wait=True)
    with multiprocessing.get_context("fork").Pool(1) as pool:
        compiled, scores = pool.apply_async(_race_in_worker, (genomes, track, network)).get(timeout=300)
    assert compiled
    assert np.array_equal(scores, Race(genomes, track, network, compiled=False).run())


def _race_in_worker(genomes: np.ndarray, track: Track, network: Network) -> tuple[bool, np.ndarray]:
    race = Race(genomes, track, network)
    race.run()
    return race._compiled, race.scores


def test_a_new_race_in_the_window_starts_with_one_column_a_call():
    # a chunk grown on the cheap end of one race, kept for the next, made a frame of 10,000 dots last 70 ms
    from evolution.run.evolve import Evolution, RunConfig
    from game.session import EvolveSession

    session = EvolveSession(Evolution(RunConfig(strategy="classic", seed=3, generations=5), training_track()))
    session._chunk = 500  # as after the end of a race whose last columns were cheap
    calls = []
    run = Race.run

    def counted(race, max_steps=None):
        calls.append((race, max_steps))
        return run(race, max_steps)

    Race.run = counted
    try:
        session.advance(10**9, time.perf_counter() + 60.0)
    finally:
        Race.run = run
    firsts = {}
    for race, steps in calls:
        firsts.setdefault(id(race), steps)
    assert firsts and set(firsts.values()) == {1}


def test_a_sweeps_workers_race_compiled_though_forked_while_the_kernel_loads(tmp_path):
    # the kernel starts loading when the race module is imported; a fork in the middle of that leaves the
    # workers locks held by a thread they do not have: the sweep lets the loading end before it forks
    code = (
        "import sys, numpy as np\n"
        "from evolution.racing import race_kernel\n"
        "from evolution.many import sweep\n"
        "from evolution.run.evolve import RunConfig\n"
        "run_batch = sweep.run_batch\n"
        "def recording(*args):\n"
        "    done = run_batch(*args)\n"
        f"    open({str(tmp_path / 'workers')!r}, 'a').write(str(race_kernel.ready()) + '\\n')\n"
        "    return done\n"
        "sweep.run_batch = recording\n"
        "sweep.sweep(RunConfig(strategy='classic', generations=2), [1, 2], jobs=2, judge=False, progress=False)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "workers").read_text().split() == ["True", "True"]
