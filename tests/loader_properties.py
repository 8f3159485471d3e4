"""What every loader promises, as helpers for property-based tests: a file loads consistently or is refused in one line.

load_or_refuse(loader, path, check) is the property: loader(path) either returns something check() accepts, or
raises InputError whose message is a single printable line starting with the path. Anything else (another
exception, a message of several lines, a result that contradicts itself) fails the test. settings_for_loaders()
gives the hypothesis settings the loader tests share: a few hundred examples, or 2,000 and more with
NEURORACER_NIGHTLY=1. written() holds a file for one example; byte_edits, json_junk and plausible are the
damage the genome, track and checkpoint properties share.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from evolution.errors import InputError
from evolution.run.genome_file import MAX_TEXT

NIGHTLY = os.environ.get("NEURORACER_NIGHTLY") == "1"
NORMAL_EXAMPLES = 75  # per property; the loader properties try several hundred inputs in all
NIGHTLY_EXAMPLES = 2000  # per property
SECONDS_PER_LOAD = 5.0
OUTCOMES: Counter = Counter()  # (loader, "accepted" | "refused") over the session, for the report


def settings_for_loaders(examples: int | None = None) -> settings:
    """Hypothesis settings for loader properties: deterministic in the normal suite, random and long at night."""
    return settings(
        max_examples=NIGHTLY_EXAMPLES if NIGHTLY else (examples or NORMAL_EXAMPLES),
        deadline=None,  # a load touches the disk; its time is bounded by load_or_refuse instead
        derandomize=not NIGHTLY,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        database=None,
    )


def load_or_refuse(loader: Callable[[Path], Any], path: Path, check: Callable[[Any], None], name: str) -> Any:
    """loader(path)'s result after check(result), or None if the loader refused the file in one line naming it.

    Counts the outcome in OUTCOMES under name. check raises AssertionError for an inconsistent result.
    """
    started = time.perf_counter()
    try:
        result = loader(path)
    except InputError as exc:
        message = str(exc)
        assert message.startswith(f"{path}: "), message
        assert "\n" not in message and "\r" not in message and message.isprintable(), repr(message)
        assert len(message) < 1000, message
        OUTCOMES[name, "refused"] += 1
        result = None
    else:
        check(result)
        OUTCOMES[name, "accepted"] += 1
    assert time.perf_counter() - started < SECONDS_PER_LOAD, path
    return result


def report() -> list[str]:
    """One line per loader: inputs tried, accepted, refused."""
    names = sorted({name for name, _ in OUTCOMES})
    lines = []
    for name in names:
        accepted, refused = OUTCOMES[name, "accepted"], OUTCOMES[name, "refused"]
        lines.append(f"{name}: {accepted + refused} inputs, {accepted} accepted, {refused} refused")
    return lines


# ---------------------------------------------------------------------------------------------------------------
# inputs the loader properties share


@contextmanager
def written(name: str, data: bytes):
    """A path in a fresh temporary folder holding data (pytest's tmp_path does not reset between examples)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        yield path


@st.composite
def byte_edits(draw, data: bytes) -> bytes:
    """data flipped, overwritten, cut, or with bytes inserted or deleted, a few times over."""
    data = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set" and data:
            data[at] = draw(st.sampled_from([0, 10, 13, 34, 44, 45, 46, 48, 91, 93, 123, 125, 0xEF, 0xFF]))
        elif kind == "insert":
            data[at:at] = draw(
                st.binary(min_size=1, max_size=8) | st.sampled_from([b",", b"\n", b"e999", b"-", b"\xef\xbb\xbf"])
            )
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        else:
            del data[at:]
    return bytes(data)


printable_text = st.text(
    st.characters(exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs")) | st.just(" "), max_size=MAX_TEXT
).filter(str.isprintable)
finite = st.floats(allow_nan=False, allow_infinity=False)
json_junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.sampled_from([10**300, 1e308, -1e308, 5e-324, 0.0, -0.0, 7, 4096, 4097])
    | finite
    | st.sampled_from([math.nan, math.inf, -math.inf])
    | st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "nan", "", "7", "\x00", "\ud800", "a\nb", "x" * 300])
    | st.text(st.characters(exclude_categories=()), max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=8,
)

plausible = st.integers(0, 2**32 - 1) | finite | printable_text | st.sampled_from([[7, 1], [7, 2, 1], None])
