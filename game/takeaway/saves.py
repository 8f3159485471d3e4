"""Where saves go and how they are found again: one folder per run under runs/ (saves/ before that, still listed),
listed newest first."""

from __future__ import annotations

import itertools
import json
import os
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from evolution.files.run_folder import OLD_SAVES, folder_name, runs_root
from evolution.run.evolve import RunConfig

SAVES = OLD_SAVES  # where saves went before every run had a folder under runs/: still listed and loaded
MAX_LISTED = 200  # the newest saves a list shows; older ones are still there, by path
MAX_SCANNED = 20_000  # files looked at (names and times) for a list
HEAD_BYTES = 64 * 1024  # of a file, read for its summary: the header save_genomes writes before the genomes
SMALL_FILE = 1024 * 1024  # a file this small whose header is not at its start is read whole for its summary
MAX_INDEXED = 10_000  # summaries kept between lists (path, size, time -> summary)
_INDEX: dict[tuple[str, int, int], tuple[int | None, str, str]] = {}


def run_folder(config: RunConfig, started: datetime) -> Path:
    """The folder a run saves into when main.py made none for it (a restart with R, the window of a test):
    runs/STRATEGY-seedSEED-YYYYMMDD-HHMMSS (made when the first save is)."""
    return runs_root() / folder_name(config.strategy, config.seed, started)


@dataclass(frozen=True)
class SaveEntry:
    """One save as a list shows it; generation None: not a readable genome file, or (read False) not read yet."""

    path: Path
    modified: float
    generation: int | None
    strategy: str
    track: str
    mine: bool  # saved by the run on screen
    read: bool = True  # False until its summary has been read (on the scan's thread)

    @property
    def summary(self) -> str:
        if not self.read:
            return "reading…"
        if self.generation is None:
            return "not a readable genome file"
        return f"gen {self.generation} · {self.strategy} · track {self.track}"


def list_saves(own_folder: Path | list[Path] | None) -> list[SaveEntry]:
    """Every save under runs/ and the old saves/ (the newest MAX_LISTED): those of own_folder (or of any of several:
    a comparison's runs) first, then the others, each group newest first. Only names and times are looked at: the
    summaries the index holds are filled in, the others are left to a SaveScan (read False)."""
    owned = {own_folder} if isinstance(own_folder, Path) else set(own_folder or ())
    folders = [folder for folder in dict.fromkeys((runs_root(), SAVES)) if folder.is_dir()]
    if not folders:
        return []
    entries = []
    for path in itertools.islice(itertools.chain.from_iterable(f.rglob("*.json") for f in folders), MAX_SCANNED):
        try:
            status = path.stat()
        except OSError:
            continue
        entries.append((status.st_mtime, path, status))
    entries.sort(key=lambda item: -item[0])
    listed = []
    for modified, path, status in entries[:MAX_LISTED]:
        known = _INDEX.get(_index_key(path, status))
        generation, strategy, track = known if known is not None else (None, "", "")
        listed.append(SaveEntry(path, modified, generation, strategy, track, path.parent in owned, known is not None))
    return sorted(listed, key=lambda entry: (not entry.mine, -entry.modified))


class SaveScan:
    """The saves L lists, found at once (names and times), their summaries read on a thread of their own (each
    file's first HEAD_BYTES), so the window goes on drawing meanwhile; what is read is kept in an index for the
    next L. entries is the list as read so far; read/total the progress."""

    def __init__(self, own_folder: Path | list[Path] | None) -> None:
        self.entries = list_saves(own_folder)
        self.total = len(self.entries)
        self.read = sum(entry.read for entry in self.entries)
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        if self.read < self.total:
            self._thread = threading.Thread(target=self._read_all, name="neuroracer-saves", daemon=True)
            self._thread.start()

    @property
    def done(self) -> bool:
        return self.read >= self.total

    def _read_all(self) -> None:
        for index, entry in enumerate(list(self.entries)):
            if self._stopped.is_set():
                return
            if entry.read:
                continue
            generation, strategy, track = summary_of(entry.path)
            self.entries[index] = replace(entry, generation=generation, strategy=strategy, track=track, read=True)
            self.read += 1

    def stop(self) -> None:
        """No more reading (the list is closed); the file being read is finished on the thread."""
        self._stopped.set()


def _index_key(path: Path, status: os.stat_result) -> tuple[str, int, int]:
    return str(path), status.st_size, status.st_mtime_ns


def summary_of(path: Path) -> tuple[int | None, str, str]:
    """_summary(path), through the index: a file not changed since it was read is not read again."""
    try:
        key = _index_key(path, path.stat())
    except OSError:
        return None, "", ""
    found = _INDEX.get(key)
    if found is None:
        found = _summary(path)
        if len(_INDEX) >= MAX_INDEXED:
            _INDEX.clear()
        _INDEX[key] = found
    return found


def _summary(path: Path) -> tuple[int | None, str, str]:
    """(generation, strategy, track) from a genome file's header fields, or (None, '', '') if unreadable. Only the
    file's first HEAD_BYTES are read (save_genomes writes the header before the genomes); a small file whose
    header comes later is read whole."""
    try:
        if not path.is_file():  # a FIFO would block the read, a device never end
            return None, "", ""
        with open(path, "rb") as stream:
            head = stream.read(HEAD_BYTES)
            whole = len(head) < HEAD_BYTES or path.stat().st_size <= SMALL_FILE
            if whole:
                head += stream.read(SMALL_FILE)
        fields = _head_fields(head.decode("utf-8", errors="strict" if whole else "ignore"))
        if fields is None and whole:
            fields = json.loads(head.decode("utf-8"))
        if not isinstance(fields, dict):
            return None, "", ""
        generation, strategy, track = fields["generation"], fields["strategy"], fields["track"]
        if not (isinstance(generation, int) and isinstance(strategy, str) and isinstance(track, str)):
            return None, "", ""
        return generation, printable(strategy), printable(track)
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return None, "", ""


def _head_fields(text: str) -> dict | None:
    """The top-level fields a genome file's summary needs, read from the start of its JSON object, without
    reading on past them (the genomes that follow may be tens of megabytes); None if they are not all there."""
    decoder = json.JSONDecoder()
    wanted = {"generation", "strategy", "track"}
    fields: dict = {}
    index = _blank(text, 0)
    if not text.startswith("{", index):
        return None
    index += 1
    while wanted - fields.keys():
        index = _blank(text, index)
        try:
            key, index = decoder.raw_decode(text, index)
            index = _blank(text, index)
            if not isinstance(key, str) or not text.startswith(":", index):
                return None
            value, index = decoder.raw_decode(text, _blank(text, index + 1))
        except (ValueError, RecursionError):
            return None  # the head ends inside a value (the genomes, most likely): not all were before them
        if key in wanted:
            fields[key] = value
        index = _blank(text, index)
        if not text.startswith(",", index):
            break
        index += 1
    return fields if not wanted - fields.keys() else None


def _blank(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\n\r":
        index += 1
    return index


def printable(text: str, limit: int = 40) -> str:
    """text with anything that cannot be drawn (control characters, lone surrogates) left out, shortened."""
    kept = "".join(character for character in text[: limit * 4] if character.isprintable())
    return kept if len(kept) <= limit else kept[: limit - 1] + "…"
