"""Every loader under attack: thousands of generated bad inputs, each loaded as valid or refused in one line."""

import io
import json
import os
import time
import tracemalloc
import zipfile
from collections import Counter

import numpy as np
import pytest

from evolution.errors import InputError
from evolution.files.checkpoint import load_checkpoint, save_checkpoint
from evolution.racing.track import load_track_file, training_track
from evolution.run.evolve import Evolution, RunConfig
from evolution.run.genome_file import GenomeFile, load_genomes, save_genomes

SECONDS_PER_INPUT = 5.0
MEMORY_BOUND = 300 * 2**20


def byte_variants(good: bytes, rng: np.random.Generator, count: int) -> list[bytes]:
    """Truncations at every length class, flipped bytes, spliced garbage."""
    cuts = sorted({0, 1, 2, 7, 8, 16, 31, 64, 100, 512} | set(rng.integers(0, len(good), 30).tolist()))
    variants = [good[:n] for n in cuts if n < len(good)]
    for _ in range(count):
        data = bytearray(good)
        for _ in range(int(rng.integers(1, 6))):
            data[int(rng.integers(0, len(data)))] = int(rng.integers(0, 256))
        variants.append(bytes(data))
    for _ in range(count // 4):
        at = int(rng.integers(0, len(good)))
        variants.append(good[:at] + rng.bytes(int(rng.integers(1, 64))) + good[at:])
    return variants


def try_load(loader, path, outcomes: Counter) -> None:
    started = time.perf_counter()
    try:
        loader(path)
        outcomes["accepted"] += 1
    except InputError as exc:
        message = str(exc)
        assert message and "\n" not in message and str(path) in message, message
        outcomes["refused"] += 1
    assert time.perf_counter() - started < SECONDS_PER_INPUT, path


def genome_file_inputs(tmp_path, rng) -> list[bytes]:
    record = GenomeFile((7, 8, 4, 1), rng.normal(size=(3, 105)), np.array([9, 5, 1]), "classic", 1, 2, "training")
    save_genomes(tmp_path / "good.json", record)
    good = (tmp_path / "good.json").read_bytes()
    document = json.loads(good)
    inputs = byte_variants(good, rng, 300)
    for field in list(document):
        for value in (None, -1, 1e308, "x", [], {}, [[1]], True, 2**70, "NaN"):
            broken = dict(document, **{field: value})
            inputs.append(json.dumps(broken).encode())
    for shape in ((0,), (104,), (106,), (105, 1)):
        broken = json.loads(good)
        broken["genomes"][0]["weights"] = np.zeros(shape).tolist()
        inputs.append(json.dumps(broken).encode())
    inputs += [b"[" * 50_000, b'{"a":' * 50_000, b"\xff\xfe" + "{}".encode("utf-16-le"), b"\x00" * 100]
    huge = json.loads(good)
    huge["genomes"] = huge["genomes"] * 6_000  # about 20 MB of genomes, under the file limit
    inputs.append(json.dumps(huge).encode())
    return inputs


def checkpoint_inputs(tmp_path, rng) -> list[bytes]:
    evolution = Evolution(RunConfig(strategy="classic", seed=3, population=10, generations=5), training_track())
    for _ in range(2):
        evolution.run_generation()
    save_checkpoint(tmp_path / "good.npz", evolution.config, evolution.track, evolution.state)
    good = (tmp_path / "good.npz").read_bytes()
    inputs = byte_variants(good, rng, 300)
    with np.load(tmp_path / "good.npz", allow_pickle=False) as data:
        members = {name: data[name] for name in data.files}

    def repack(**changes) -> bytes:
        buffer = io.BytesIO()
        arrays = {k: v for k, v in {**members, **changes}.items() if v is not None}
        np.savez(buffer, **arrays)
        return buffer.getvalue()

    header = json.loads(members["header"].tobytes())
    for name in members:
        inputs.append(repack(**{name: None}))  # a member missing
        inputs.append(repack(**{name: np.array([np.nan])}))
        inputs.append(repack(**{name: np.zeros((2, 3, 4))}))
        inputs.append(repack(**{name: np.array(["text"])}))
    inputs.append(repack(**{"state.history": np.full_like(members["state.history"], np.inf)}))
    for key in header:
        for value in (None, 7, "x", [1, 2], {"array": "nothere"}):
            broken = dict(header, **{key: value})
            inputs.append(repack(header=np.frombuffer(json.dumps(broken).encode(), dtype=np.uint8)))
    nested = "[" * 100_000 + "]" * 100_000
    inputs.append(repack(header=np.frombuffer(nested.encode(), dtype=np.uint8)))
    pickled = io.BytesIO()
    np.save(pickled, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, array in members.items():
            member = io.BytesIO()
            np.save(member, array)
            archive.writestr(f"{name}.npy", member.getvalue())
        archive.writestr("extra.npy", pickled.getvalue())
    inputs.append(buffer.getvalue())
    bomb = io.BytesIO()
    zeros = bytes(2**20)
    with (
        zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("header.npy", "w", force_zip64=True) as member,
    ):
        for _ in range(1100):  # 1.1 GB of zeros packed into about 1 MB
            member.write(zeros)
    inputs.append(bomb.getvalue())
    declared = io.BytesIO()
    np.save(declared, np.zeros(4))
    big_header = declared.getvalue().replace(b"(4,)", b"(999999999999,)".ljust(4))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, array in members.items():
            member = io.BytesIO()
            np.save(member, array)
            archive.writestr(f"{name}.npy", big_header if name == "state.history" else member.getvalue())
    inputs.append(buffer.getvalue())
    return inputs


def track_inputs(rng) -> list[tuple[str, bytes]]:
    top = np.cumsum(rng.normal(size=60)) * 0.1
    good_csv = "\n".join(f"{t!r},{t - 1!r}" for t in top.tolist()).encode()
    npy = io.BytesIO()
    np.save(npy, np.column_stack([top, top - 1]))
    inputs = [("csv", data) for data in byte_variants(good_csv, rng, 150)]
    inputs += [("npy", data) for data in byte_variants(npy.getvalue(), rng, 150)]
    for bad in (np.array([np.nan] * 20), np.zeros((20, 3)), np.zeros(3), np.array([1 + 1j] * 20), np.zeros((0, 2))):
        buffer = io.BytesIO()
        np.save(buffer, bad)
        inputs.append(("npy", buffer.getvalue()))
    pickled = io.BytesIO()
    np.save(pickled, np.array([object()] * 20, dtype=object), allow_pickle=True)
    inputs.append(("npy", pickled.getvalue()))
    return inputs


@pytest.mark.slow  # 1,500 inputs; the loader properties (test_loader_properties.py) stay in the quick set
def test_every_loader_survives_a_thousand_bad_inputs(tmp_path, capsys):
    rng = np.random.default_rng(2026)
    counts: dict[str, Counter] = {"genome file": Counter(), "checkpoint": Counter(), "track file": Counter()}
    tracemalloc.start()
    try:
        for i, data in enumerate(genome_file_inputs(tmp_path, rng)):
            path = tmp_path / f"g{i}.json"
            path.write_bytes(data)
            try_load(load_genomes, path, counts["genome file"])
            path.unlink()
        for i, data in enumerate(checkpoint_inputs(tmp_path, rng)):
            path = tmp_path / f"c{i}.npz"
            path.write_bytes(data)
            try_load(lambda p: load_checkpoint(p), path, counts["checkpoint"])
            path.unlink()
        for i, (kind, data) in enumerate(track_inputs(rng)):
            path = tmp_path / f"t{i}.{kind}"
            path.write_bytes(data)
            try_load(load_track_file, path, counts["track file"])
            path.unlink()
        for loader, counter in ((load_genomes, "genome file"), (load_checkpoint, "checkpoint")):
            folder = tmp_path / f"folder-{counter.replace(' ', '-')}.json"
            folder.mkdir()
            try_load(loader, folder, counts[counter])
            fifo = tmp_path / f"fifo-{counter.replace(' ', '-')}.npz"
            os.mkfifo(fifo)
            try_load(loader, fifo, counts[counter])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    total = sum(sum(c.values()) for c in counts.values())
    with capsys.disabled():
        for name, counter in counts.items():
            print(
                f"\nfuzz {name}: {sum(counter.values())} inputs, {counter['accepted']} accepted, "
                f"{counter['refused']} refused"
            )
        print(f"fuzz total: {total} inputs, peak traced memory {peak / 2**20:.0f} MiB")
    assert total >= 1000
    assert all(counter["refused"] > 100 for counter in counts.values())
    assert peak < MEMORY_BOUND
