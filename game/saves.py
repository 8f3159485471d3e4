"""Where saves go and how they are found again: one folder per run under runs/ (saves/ before that, still listed),
listed newest first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from evolution.evolve import RunConfig
from evolution.run_folder import OLD_SAVES, folder_name, runs_root

SAVES = OLD_SAVES  # where saves went before every run had a folder under runs/: still listed and loaded
MAX_LISTED = 200  # the newest saves a list shows; older ones are still there, by path


def run_folder(config: RunConfig, started: datetime) -> Path:
    """The folder a run saves into when main.py made none for it (a restart with R, the window of a test):
    runs/STRATEGY-seedSEED-YYYYMMDD-HHMMSS (made when the first save is)."""
    return runs_root() / folder_name(config.strategy, config.seed, started)


@dataclass(frozen=True)
class SaveEntry:
    """One save as a list shows it; summary is '' for a file that is not a readable genome file."""

    path: Path
    modified: float
    generation: int | None
    strategy: str
    track: str
    mine: bool  # saved by the run on screen

    @property
    def summary(self) -> str:
        if self.generation is None:
            return "not a readable genome file"
        return f"gen {self.generation} · {self.strategy} · track {self.track}"


def list_saves(own_folder: Path | list[Path] | None) -> list[SaveEntry]:
    """Every save under runs/ (and the old saves/): those of own_folder (or of any of several: a comparison's runs)
    first, then the others, each group newest first."""
    owned = {own_folder} if isinstance(own_folder, Path) else set(own_folder or ())
    found = [
        path for folder in dict.fromkeys((runs_root(), SAVES)) if folder.is_dir() for path in folder.rglob("*.json")
    ]
    if not found:
        return []
    entries = []
    for path in found:
        try:
            modified = path.stat().st_mtime
        except OSError:
            continue
        entries.append((modified, path))
    entries.sort(key=lambda item: -item[0])
    listed = []
    for modified, path in entries[:MAX_LISTED]:
        generation, strategy, track = _summary(path)
        mine = path.parent in owned
        listed.append(SaveEntry(path, modified, generation, strategy, track, mine))
    return sorted(listed, key=lambda entry: (not entry.mine, -entry.modified))


def _summary(path: Path) -> tuple[int | None, str, str]:
    """(generation, strategy, track) from a genome file's header fields, or (None, '', '') if unreadable."""
    try:
        if path.stat().st_size > 64 * 1024 * 1024:
            return None, "", ""
        document = json.loads(path.read_text(encoding="utf-8"))
        generation, strategy, track = document["generation"], document["strategy"], document["track"]
        if not (isinstance(generation, int) and isinstance(strategy, str) and isinstance(track, str)):
            return None, "", ""
        return generation, printable(strategy), printable(track)
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None, "", ""


def printable(text: str, limit: int = 40) -> str:
    """text with anything that cannot be drawn (control characters, lone surrogates) left out, shortened."""
    kept = "".join(character for character in text[: limit * 4] if character.isprintable())
    return kept if len(kept) <= limit else kept[: limit - 1] + "…"
