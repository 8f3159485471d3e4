"""The files a run writes, checked and claimed before the run starts, so a problem shows at once, not at the end.

A checkpoint is claimed with an OS lock (fcntl.flock) on a hidden file beside it, held while the run
lasts, so two runs cannot write one checkpoint; a log is locked the same way (the log file itself, while
it is open); a --save file is claimed by creating it (empty) at the start and filling it atomically at the
end; a screenshot path is checked for writability. A file that does not exist yet is checked by creating
(and removing) a file in its folder, since permissions alone do not tell (root, /proc, a read-only mount).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from evolution.errors import InputError

try:
    import fcntl
except ImportError:  # not on Windows: checkpoints are then not locked
    fcntl = None


WHAT = {"--log": "log", "--checkpoint": "checkpoint", "--save": "genomes", "--screenshot": "screenshot"}


def not_regular(path: str | os.PathLike) -> str | None:
    """What is at path if it is there but is not a regular file (a symlink, a FIFO, a device, a socket), in
    words; None if nothing is there or a regular file is. The link itself is looked at, never followed."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        return f"something that cannot be looked at ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    kinds = (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISFIFO, "a FIFO (a named pipe)"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    )
    return next((word for test, word in kinds if test(mode)), "not a regular file")


def check_regular(path: str | os.PathLike, flag: str) -> None:
    """InputError unless path is free or a regular file: a symlink, FIFO or device is never replaced nor
    written through (as root, replacing /dev/null would break the system)."""
    kind = not_regular(path)
    if kind is not None:
        what = WHAT.get(flag, "file")
        raise InputError(
            f"{flag} {path}: cannot write the {what} to {kind}; only a regular file is written or replaced"
        )


def same_file_key(path: str | os.PathLike) -> str:
    """A key equal for two paths that name one file (its folder's links resolved; ./a and a alike)."""
    return os.path.normcase(os.path.realpath(os.path.abspath(path)))


def check_one_owner(outputs: list[tuple[str, Path]], inputs: list[tuple[str, Path]] = ()) -> None:
    """InputError when two outputs (flag, path) name one file, or an output names a file the run reads (an
    input, flag and path) other than the checkpoint it resumes (the one input it may write): one path, one
    output, or one would overwrite the other."""
    owners: dict[str, str] = {}
    for flag, path in outputs:
        key = same_file_key(path)
        if key in owners:
            raise InputError(f"{owners[key]} and {flag} both name {path}: each output needs a file of its own")
        owners[key] = flag
    for flag, path in inputs:
        owner = owners.get(same_file_key(path))
        if owner is not None and not (flag == "--resume" and owner == "--checkpoint"):
            raise InputError(f"{owner} {path}: is the file {flag} reads; write to another file")


def check_not_another_run(path: Path, resumed: Path | None) -> None:
    """InputError when the --checkpoint path already holds a file (another run's checkpoint, most likely) and is
    not the checkpoint this run resumes: a checkpoint is only ever replaced by the run it belongs to."""
    if resumed is not None and same_file_key(path) == same_file_key(resumed):
        return
    try:
        found = os.lstat(path)
    except OSError:
        return
    if stat.S_ISREG(found.st_mode) and found.st_size > 0:
        lock = CheckpointLock(path)
        lock.acquire()  # refused, naming the other run, if one is writing it now
        lock.release()
        raise InputError(
            f"--checkpoint {path}: already exists (another run's checkpoint?); it is only replaced by the run "
            f"it holds: continue that with --resume {path}, or choose another file"
        )


def check_writable(path: Path, flag: str) -> None:
    """InputError unless a file could be written at path (its folder exists or can be made, and is writable)."""
    if path.is_dir():
        raise InputError(f"{flag} {path}: is a folder, not a file")
    check_regular(path, flag)
    folder = path.parent if str(path.parent) else Path(".")
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"{flag} {path}: {existing} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(f"{flag} {path}: the folder {existing} is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise InputError(f"{flag} {path}: the file is not writable")
    if not path.exists():  # try it: a file made in the folder and removed at once
        try:
            handle, probe = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".probe", dir=existing)
            os.close(handle)
            os.unlink(probe)
        except OSError as exc:
            raise InputError(f"{flag} {path}: cannot write in {existing} ({exc.strerror or exc})") from None


def lock_open_file(handle: int, message: str) -> None:
    """An exclusive OS lock on an open regular file, held until it is closed; if another process holds one,
    the handle is closed and InputError(message) raised. Devices and pipes (/dev/stdout) are not locked."""
    if fcntl is None or not stat.S_ISREG(os.fstat(handle).st_mode):
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(handle)
        raise InputError(message) from None


class CheckpointLock:
    """An exclusive lock on a checkpoint path for as long as a run writes it (released when the process ends)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(f".{self.path.name}.lock")
        self._handle: int | None = None

    def acquire(self) -> None:
        """Take the lock, or InputError when another run holds it; then clear temporary files a killed run left."""
        check_writable(self.path, "--checkpoint")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            handle = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise InputError(f"--checkpoint {self.path}: cannot lock it ({exc.strerror or exc})") from None
        lock_open_file(handle, f"--checkpoint {self.path}: another run is writing this checkpoint; choose another file")
        self._handle = handle
        for stale in self.path.parent.glob(f".{self.path.name}.*.tmp"):  # ours now: a killed writer's leftovers
            with contextlib.suppress(OSError):
                stale.unlink()

    def release(self) -> None:
        if self._handle is None:
            return
        with contextlib.suppress(OSError):
            self.lock_path.unlink()
        os.close(self._handle)
        self._handle = None


_claimed: dict[str, int] = {}  # the files claim_new_file made: absolute path -> inode


def claim_new_file(path: Path, flag: str) -> None:
    """Create path, empty, for a file the run writes at its end; InputError if it exists or cannot be made."""
    check_writable(path, flag)
    if path.exists():
        raise InputError(f"{flag} {path}: already exists; it is never replaced, choose another name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        _claimed[os.path.abspath(path)] = os.fstat(handle).st_ino
        os.close(handle)
    except FileExistsError:
        raise InputError(f"{flag} {path}: already exists; it is never replaced, choose another name") from None
    except OSError as exc:
        raise InputError(f"{flag} {path}: cannot be written ({exc.strerror or exc})") from None


def release_claim(path: Path) -> None:
    """Remove a file claimed by claim_new_file that is still empty (the run ended with nothing to write); a file
    this process did not claim (a user's empty file, a FIFO) is left alone."""
    inode = _claimed.pop(os.path.abspath(path), None)
    with contextlib.suppress(OSError):
        found = os.lstat(path)
        if inode == found.st_ino and stat.S_ISREG(found.st_mode) and found.st_size == 0:
            path.unlink()
