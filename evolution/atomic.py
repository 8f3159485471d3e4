"""Atomic file writes: a temporary file beside the target, flushed, then renamed or linked into place."""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from tokenize import TokenError
from typing import BinaryIO

import numpy as np

from evolution.errors import InputError
from evolution.outputs import not_regular


def write_atomic(path: str | os.PathLike, data: bytes, replace: bool = True) -> Path:
    """Write data to path so that readers see the old file or the new one, never a torn one.

    With replace=False an existing file is never overwritten: the call fails instead.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not replace and path.exists():
        raise InputError(f"{path}: already exists; choose another name")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(f"{path}: cannot write here ({exc.strerror or exc})") from None
    temp = Path(temp_name)
    try:
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; a user's file gets the usual mode
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if replace:
            kind = not_regular(path)
            if kind is not None:  # a symlink, FIFO or device is never replaced
                raise InputError(f"{path}: is {kind}, not a regular file; it is never replaced")
            os.replace(temp, path)
        else:
            os.link(temp, path)  # fails rather than replace a file that appeared meanwhile
    except FileExistsError:
        raise InputError(f"{path}: already exists; choose another name") from None
    except OSError as exc:
        raise InputError(f"{path}: could not be written ({exc.strerror or exc})") from None
    finally:
        temp.unlink(missing_ok=True)
    return path


def write_synced(handle: int, data: bytes) -> None:
    """Write all of data to an open file descriptor and return once it is on the disk; OSError if it cannot."""
    written = 0
    while written < len(data):
        written += os.write(handle, data[written:])
    os.fsync(handle)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_file(path: Path, limit: int, what: str) -> int:
    """The size of a regular, non-empty file of at most limit bytes, or an InputError naming the problem.

    Checked before opening, so a folder or a FIFO is refused without blocking on it.
    """
    try:
        if not path.exists():
            raise InputError(f"{path}: no such file")
        if not path.is_file():
            raise InputError(f"{path}: not a regular file")
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if size == 0:
        raise InputError(f"{path}: the {what} is empty")
    if size > limit:
        raise InputError(f"{path}: {size} bytes is more than a {what} may hold ({limit} bytes)")
    return size


def read_limited(path: str | os.PathLike, limit: int, what: str) -> bytes:
    """The bytes of a regular file no larger than limit, or an InputError naming the problem."""
    path = Path(path)
    size = check_file(path, limit, what)
    try:
        with open(path, "rb") as stream:
            data = stream.read(size + 1)  # read(limit + 1) would allocate the whole limit up front
            if len(data) > size:  # the file grew since it was measured
                data += stream.read(limit + 1 - len(data))
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise InputError(f"{path}: more than a {what} may hold ({limit} bytes)")
    return data


def read_npy(
    stream: BinaryIO, size: int, label: str, check_shape: Callable[[tuple[int, ...]], None] | None = None
) -> np.ndarray:
    """One .npy array from a stream of `size` bytes, its header checked before any data is read.

    Refuses (InputError starting with label) a damaged header, Python objects (never unpickled),
    and a declared shape that does not match the bytes there are, so no huge allocation is made.
    check_shape(shape), if given, may refuse the declared shape (InputError) before the data is read.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a damaged header's text can make numpy's parser warn
            version = np.lib.format.read_magic(stream)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(stream)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(stream)
            else:
                raise InputError(f"{label}: unknown .npy version {version}")
    except InputError:
        raise
    except (ValueError, SyntaxError, TokenError, EOFError, TypeError, OSError) as exc:
        raise InputError(f"{label}: not a readable .npy array ({type(exc).__name__})") from None
    if dtype.hasobject:
        raise InputError(f"{label}: holds Python objects; refused (they would have to be unpickled)")
    expected = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
    if expected != size - stream.tell():
        raise InputError(f"{label}: the array is not the size its header declares")
    if check_shape is not None:
        check_shape(shape)
    array = np.frombuffer(stream.read(expected), dtype=dtype)
    if array.nbytes != expected:
        raise InputError(f"{label}: the array is truncated")
    return array.reshape(shape, order="F" if fortran else "C")
