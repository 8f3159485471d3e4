"""The optional record of the run in a genome file: its start settings and its settings changes, checked.

A genome file may carry "settings" (lab.start_settings: seed, strategy, population, layers, mutation_rate,
extra_tracks, test_curve, track, and "changes": the --set 0:... values that flags cannot say) and "events"
(the SettingEvents, as objects with generation, setting, old and new). Files without them are read as before.
"""

from __future__ import annotations

from typing import Any

from .settings import SettingEvent, check_events, parse_set, parse_value
from .strategies import STRATEGIES

SETTINGS_FIELDS = (
    "seed",
    "strategy",
    "population",
    "layers",
    "mutation_rate",
    "extra_tracks",
    "test_curve",
    "track",
    "changes",
)


def check_saved_run(document: dict[str, Any]) -> dict[str, Any]:
    """{"settings": dict or None, "events": tuple of SettingEvent} from a genome file's document; ValueError
    naming the field if they are present and wrong (both or neither must be there)."""
    has_settings, has_events = "settings" in document, "events" in document
    if not has_settings and not has_events:
        return {"settings": None, "events": ()}
    if has_settings != has_events:
        raise ValueError("fields 'settings' and 'events' go together")
    settings = document["settings"]
    if not isinstance(settings, dict) or set(settings) != set(SETTINGS_FIELDS):
        raise ValueError(f"field 'settings' must hold exactly {', '.join(SETTINGS_FIELDS)}")
    try:
        seed = settings["seed"]
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
            raise ValueError("seed must be a whole number from 0 to 2**32-1")
        if settings["strategy"] not in STRATEGIES:
            raise ValueError(f"strategy must be one of {', '.join(STRATEGIES)}")
        for name in ("population", "layers", "mutation_rate", "extra_tracks"):
            value = settings[name]
            if isinstance(value, bool) or (name != "layers" and not isinstance(value, (int, float))):
                raise ValueError(f"{name} must be a number")
            if name == "layers" and not isinstance(value, list):
                raise ValueError("layers must be a list of layer sizes")
            parse_value(name, value)
        if not isinstance(settings["test_curve"], bool):
            raise ValueError("test_curve must be true or false")
        track = settings["track"]
        if not isinstance(track, str) or not track or len(track) > 1000 or not track.isprintable():
            raise ValueError("track must be a short text")
        changes = settings["changes"]
        if not isinstance(changes, list) or not all(isinstance(change, str) for change in changes):
            raise ValueError("changes must be a list of --set values")
        if any(parse_set(change).generation != 0 for change in changes):
            raise ValueError("changes must be at generation 0")
    except ValueError as exc:
        raise ValueError(f"field 'settings': {exc}") from None
    raw = document["events"]
    if not isinstance(raw, list):
        raise ValueError("field 'events' must be a list")
    events = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or set(item) != {"generation", "setting", "old", "new"}:
            raise ValueError(f"event {index} must hold exactly generation, setting, old and new")
        texts = [item[key] for key in ("setting", "old", "new")]
        if not all(isinstance(text, str) and len(text) <= 200 for text in texts):
            raise ValueError(f"event {index}: setting, old and new must be short texts")
        generation = item["generation"]
        if isinstance(generation, bool) or not isinstance(generation, int) or not 0 <= generation <= 10**9:
            raise ValueError(f"event {index}: the generation must be a whole number")
        events.append(SettingEvent(generation, *texts))
    try:
        last = document.get("generation")
        check_events(events, last=last + 1 if isinstance(last, int) and not isinstance(last, bool) else None)
        for event in events:
            if not event.old:
                raise ValueError(f"event at generation {event.generation}: the old value is missing")
    except ValueError as exc:
        raise ValueError(f"field 'events': {exc}") from None
    return {"settings": settings, "events": tuple(events)}
