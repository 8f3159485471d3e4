"""Genome files: exact round trips, atomic writes, and every kind of bad file refused in one line."""

import json

import numpy as np
import pytest

from evolution import budget
from evolution.errors import InputError
from evolution.racing.network import Network
from evolution.run.genome_file import GenomeFile, load_genomes, save_genomes
from tests.helpers import assert_blog_equal, refused_with_peak


def sample(count: int = 4) -> GenomeFile:
    genomes = np.random.default_rng(1).normal(size=(count, Network().genome_size)) * 1e3
    genomes[0, 0] = 0.1 + 0.2  # a float whose shortest repr matters
    return GenomeFile((7, 8, 4, 1), genomes, np.arange(count)[::-1] * 10, "classic", 42, 120, "training")


def test_round_trip_is_exact_to_the_bit(tmp_path):
    record = sample()
    save_genomes(tmp_path / "g.json", record)
    loaded = load_genomes(tmp_path / "g.json")
    assert np.array_equal(loaded.genomes, record.genomes)
    assert loaded.scores.tolist() == record.scores.tolist()
    assert (loaded.layers, loaded.strategy, loaded.seed, loaded.generation, loaded.track) == (
        (7, 8, 4, 1),
        "classic",
        42,
        120,
        "training",
    )
    assert loaded.created


def test_saved_genomes_drive_identically_in_the_blog_network(tmp_path, golden, blog_outputs):
    record = GenomeFile((7, 8, 4, 1), golden["genomes"], np.zeros(6, dtype=int), "classic", None, 0, "t")
    save_genomes(tmp_path / "g.json", record)
    loaded = load_genomes(tmp_path / "g.json")
    assert_blog_equal(loaded.network.forward(loaded.genomes, golden["inputs"]), blog_outputs)


def test_save_never_replaces_and_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "g.json"
    save_genomes(path, sample())
    before = path.read_bytes()
    with pytest.raises(InputError, match="already exists"):
        save_genomes(path, sample(2))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["g.json"]


def good_document(tmp_path) -> dict:
    save_genomes(tmp_path / "good.json", sample(2))
    return json.loads((tmp_path / "good.json").read_text())


def mutations():
    def set_field(name, value):
        return lambda d: d.__setitem__(name, value)

    return {
        "foreign format": set_field("format", "something-else"),
        "wrong version": set_field("version", 2),
        "missing field": lambda d: d.pop("track"),
        "unknown field": set_field("extra", 1),
        "layers not a list": set_field("layers", "7,8,4,1"),
        "layers cannot drive": set_field("layers", [3, 1]),
        "no genomes": set_field("genomes", []),
        "wrong weight count": lambda d: d["genomes"][0]["weights"].pop(),
        "text weight": lambda d: d["genomes"][1]["weights"].__setitem__(3, "x"),
        "bool weight": lambda d: d["genomes"][1]["weights"].__setitem__(3, True),
        "huge int weight": lambda d: d["genomes"][1]["weights"].__setitem__(3, 10**400),
        "negative score": lambda d: d["genomes"][0].__setitem__("score", -1),
        "seed too big": set_field("seed", 2**40),
        "generation text": set_field("generation", "12"),
    }


@pytest.mark.parametrize("case", sorted(mutations()))
def test_damaged_fields_are_refused_naming_the_file(tmp_path, case):
    document = good_document(tmp_path)
    mutations()[case](document)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(InputError) as error:
        load_genomes(path)
    message = str(error.value)
    assert "bad.json" in message and "\n" not in message


def test_damaged_bytes_are_refused(tmp_path):
    save_genomes(tmp_path / "good.json", sample(2))
    text = (tmp_path / "good.json").read_text()
    cases = {
        "truncated.json": text[: len(text) // 2],
        "empty.json": "",
        "nan.json": text.replace("0.30000000000000004", "NaN"),
        "infinity.json": text.replace("0.30000000000000004", "1e999"),
        "nested.json": "[" * 100_000 + "]" * 100_000,
        "list.json": "[1, 2, 3]",
    }
    for name, content in cases.items():
        (tmp_path / name).write_text(content)
    (tmp_path / "binary.json").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "folder.json").mkdir()
    for name in [*cases, "binary.json", "folder.json", "absent.json"]:
        with pytest.raises(InputError, match=name.replace(".", r"\.")):
            load_genomes(tmp_path / name)


@pytest.mark.parametrize("field", ["strategy", "track", "created"])
@pytest.mark.parametrize("value", ["a\x00b", "\ud800", "lone \udcff", "\x1b[31mred", "two\nlines", "tab\t", "x" * 201])
def test_text_fields_must_be_printable_and_short(tmp_path, field, value):
    document = good_document(tmp_path)
    document[field] = value
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))  # ensure_ascii: a lone surrogate is written as its \u escape
    with pytest.raises(InputError) as error:
        load_genomes(path)
    message = str(error.value)
    assert message.startswith(f"{path}: field {field!r}") and "\n" not in message, message
    assert message.isprintable()


def test_printable_texts_up_to_the_limit_load(tmp_path):
    document = good_document(tmp_path)
    document.update(strategy="é" * 200, track="курс ✓ 🏁", created="")
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(document))
    loaded = load_genomes(path)
    assert (loaded.strategy, loaded.track, loaded.created) == ("é" * 200, "курс ✓ 🏁", "")


def test_a_track_name_that_cannot_be_shown_is_saved_so_that_it_loads(tmp_path):
    record = sample(2)
    record = GenomeFile(record.layers, record.genomes, record.scores, "classic\x00", 1, 3, "t\udcff\n.csv" + "x" * 300)
    save_genomes(tmp_path / "g.json", record)
    loaded = load_genomes(tmp_path / "g.json")
    assert loaded.strategy == "classic\ufffd" and loaded.track.startswith("t\ufffd\ufffd.csvxx")
    assert len(loaded.track) == 200 and loaded.track.isprintable()


def test_huge_declared_layers_are_refused_before_allocating(tmp_path):
    # 10,000 entries of layers 7,4096,4096,4096,1 would be 2.44 TiB of weights; the file is 30 kB
    document = good_document(tmp_path)
    document["layers"] = [7, 4096, 4096, 4096, 1]
    document["genomes"] = [{}] * 10_000
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(document))
    error, peak = refused_with_peak(load_genomes, path)
    message = str(error.value)
    assert message.startswith(f"{path}: 10000 genomes of layers [7, 4096, 4096, 4096, 1]: needs about 2.4 TiB")
    assert "memory budget" in message and "\n" not in message
    assert peak < 20 * 2**20


def test_layers_that_the_file_cannot_hold_are_refused_before_allocating(tmp_path):
    # within the memory budget (1000 × 36,865 weights, 295 MB), but no 40 kB file holds them
    document = good_document(tmp_path)
    document["layers"] = [7, 4096, 1]
    document["genomes"] = [{"score": 1, "weights": [0]}] * 1000
    path = tmp_path / "lying.json"
    path.write_text(json.dumps(document))
    _, peak = refused_with_peak(load_genomes, path, r"1000 genomes of 36865 weights .* cannot fit in \d+ bytes")
    assert peak < 20 * 2**20


def test_messages_quote_odd_values_on_one_line(tmp_path):
    good = good_document(tmp_path)
    for change in (
        {"version": "1\n2"},
        {"extra\nfield": 1},
        {"version": [list(range(10_000))]},
    ):
        document = dict(good, **change)
        path = tmp_path / "odd.json"
        path.write_text(json.dumps(document))
        with pytest.raises(InputError) as error:
            load_genomes(path)
        assert "\n" not in str(error.value) and len(str(error.value)) < 300
    document = good
    document["genomes"][0]["weights"][0] = "not\na number" * 100
    path.write_text(json.dumps(document))
    with pytest.raises(InputError) as error:
        load_genomes(path)
    assert "\n" not in str(error.value) and len(str(error.value)) < 300


def test_a_file_whose_parsing_would_exceed_the_memory_budget_is_refused_unparsed(tmp_path, monkeypatch):
    save_genomes(tmp_path / "g.json", sample(20))
    size = (tmp_path / "g.json").stat().st_size
    budget.set_budget(size * 4)  # parsed JSON takes several times its text
    monkeypatch.setattr(json, "loads", lambda *args, **kwargs: pytest.fail("parsed"))
    try:
        with pytest.raises(InputError) as error:
            load_genomes(tmp_path / "g.json")
    finally:
        budget.set_budget(None)
    assert str(error.value).startswith(f"{tmp_path / 'g.json'}: parsing {size} bytes of JSON: needs about")
