"""What every loader promises, as helpers for property-based tests: a file loads consistently or is refused in one line.

load_or_refuse(loader, path, check) is the property: loader(path) either returns something check() accepts, or
raises InputError whose message is a single printable line starting with the path. Anything else (another
exception, a message of several lines, a result that contradicts itself) fails the test. settings_for_loaders()
gives the hypothesis settings the loader tests share: a few hundred examples, or 2,000 and more with
NEURORACER_NIGHTLY=1.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings

from evolution.errors import InputError

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
