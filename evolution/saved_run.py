"""The optional record of the run in a genome file: its start settings and its settings changes, checked.

A genome file may carry "settings" (lab.start_settings: the settings of settings.START_RECORD, seed, strategy,
population, layers, mutation_rate, extra_tracks, test_curve and track, each checked by the settings table, and
"changes": the --set 0:... values that flags cannot say) and "events" (the SettingEvents, as objects with
generation, setting, old and new). Files without them are read as before.
"""

from __future__ import annotations

from typing import Any

from .settings import RUN_SETTINGS, START_RECORD, SettingEvent, check_events, parse_set

SETTINGS_FIELDS = (*START_RECORD, "changes")


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
        for name in START_RECORD:  # as JSON holds them: numbers, a list of layer sizes, true or false, texts
            value = settings[name]
            if name == "layers" and not isinstance(value, list):
                raise ValueError("layers must be a list of layer sizes")
            if name != "track":  # (any track a run started on: checked below, resolved when replayed)
                RUN_SETTINGS[name].check(value)
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
