"""The optional record of the run in a genome file: its start settings and its settings changes, checked.

A genome file may carry "settings" (the record of its run's start, evolution/run/start_record.py: seed, strategy,
population, layers, mutation_rate, extra_tracks, test_curve, track, and "changes": the --set 0:... values that
flags cannot say) and "events" (the SettingEvents, as objects with generation, setting, old and new). Files
without them are read as before.
"""

from __future__ import annotations

from typing import Any

from evolution.run.settings import SettingEvent, check_events
from evolution.run.start_record import from_json


def check_saved_run(document: dict[str, Any]) -> dict[str, Any]:
    """{"settings": dict or None, "events": tuple of SettingEvent} from a genome file's document; ValueError
    naming the field if they are present and wrong (both or neither must be there)."""
    has_settings, has_events = "settings" in document, "events" in document
    if not has_settings and not has_events:
        return {"settings": None, "events": ()}
    if has_settings != has_events:
        raise ValueError("fields 'settings' and 'events' go together")
    settings = document["settings"]
    try:
        from_json(settings)
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
