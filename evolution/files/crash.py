"""A crash report: the traceback of an internal error, written to a file so that the user sees one line.

It goes beside the run's checkpoint if it has one, else in the current folder, else in the system's
temporary folder; atomically, under a name no other report has.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

from evolution.atomic import write_atomic
from evolution.errors import InputError


def report_text(error: BaseException, argv: list[str]) -> str:
    """The report: when, the command line, the versions, and the traceback (chained exceptions included)."""
    import numpy

    lines = [
        "neuroracer crash report",
        f"time: {time.strftime('%Y-%m-%d %H:%M:%S %z')}",
        f"command: {' '.join(argv)}",
        f"python {platform.python_version()} · numpy {numpy.__version__} · {platform.platform()}",
        "",
        *traceback.format_exception(error),
    ]
    return "\n".join(line.rstrip("\n") for line in lines) + "\n"


def write_crash_report(error: BaseException, near: Path | None = None, argv: list[str] | None = None) -> Path | None:
    """Write the report of `error` to a new file neuroracer-crash-DATE-TIME-PID.txt in near's folder (the run's
    checkpoint), else the current folder, else the temporary folder; its path, or None if none was writable."""
    text = report_text(error, list(sys.argv if argv is None else argv)).encode("utf-8", "replace")
    name = f"neuroracer-crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    folders = [Path(near).parent] if near is not None else []
    with contextlib.suppress(OSError):  # the current folder may have been removed meanwhile
        folders.append(Path.cwd())
    folders.append(Path(tempfile.gettempdir()))
    for folder in folders:
        for number in range(1, 100):  # another report of this second and process: the next free name
            path = folder / (name if number == 1 else name.replace(".txt", f"-{number}.txt"))
            try:
                if not folder.is_dir():
                    break
                if not path.exists():
                    return write_atomic(path, text, replace=False).resolve()
            except (InputError, OSError):
                break
    return None


def one_line(error: BaseException, limit: int = 200) -> str:
    """The exception as one short line: its type and the first line of its message."""
    message = " ".join(str(error).split())[:limit]
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
