"""Dataclass state trees to JSON plus named arrays, and back with every field's type checked.

encode() turns a state (dataclasses holding arrays, numbers, texts, generators and a History) into
JSON whose arrays are replaced by {"array": NAME}, the arrays going into a dict. decode() reads it
back for an expected type: every field must be there, of its annotated type, and nothing else.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from typing import Any

import numpy as np

from evolution.run.history import COLUMNS, History

MAX_TEXT = 200
MAX_LIST = 10_000  # items a list field may hold (a run's settings changes)


def encode(value: Any, name: str, arrays: dict[str, np.ndarray]) -> Any:
    """JSON for a state tree; its arrays go to `arrays` under names made from their path."""
    if isinstance(value, np.ndarray):
        arrays[name] = value
        return {"array": name}
    if isinstance(value, History):
        arrays[name] = value.to_arrays()
        return {"array": name}
    if hasattr(value, "to_packed"):  # a state kept in memory in another form (an Archive): its packed dataclass
        return encode(value.to_packed(), name, arrays)
    if isinstance(value, np.random.Generator):
        return {"generator": value.bit_generator.state}
    if isinstance(value, np.random.RandomState):
        _, keys, pos, has_gauss, cached = value.get_state()
        arrays[name] = np.asarray(keys, dtype=np.uint32)
        return {
            "random_state": {"keys": {"array": name}, "pos": int(pos), "has_gauss": int(has_gauss), "cached": cached}
        }
    if dataclasses.is_dataclass(value):
        return {f.name: encode(getattr(value, f.name), f"{name}.{f.name}", arrays) for f in dataclasses.fields(value)}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [encode(item, f"{name}.{index}", arrays) for index, item in enumerate(value)]
    raise TypeError(f"cannot write a {type(value).__name__} into a state")


def decode(tree: Any, kind: Any, arrays: dict[str, np.ndarray], path: str, types_of: dict[str, type]) -> Any:
    """The value of type `kind` that encode() wrote as tree; ValueError naming the path if it is not one.

    types_of gives the type of fields annotated Any, by their path (a strategy's state, say).
    """
    if kind is Any:
        if path not in types_of:
            raise ValueError(f"{path}: no type is known for it")
        kind = types_of[path]
    options = (
        typing.get_args(kind) if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union else ()
    )
    if options:
        if tree is None and type(None) in options:
            return None
        kind = next(option for option in options if option is not type(None))
        if len(options) > 2:
            kind = options[0]  # a union of several types: the first that is not None is what is written
    if typing.get_origin(kind) is list:
        (item_kind,) = typing.get_args(kind)
        if not isinstance(tree, list) or len(tree) > MAX_LIST:
            raise ValueError(f"{path}: should be a list of at most {MAX_LIST} items")
        return [decode(item, item_kind, arrays, f"{path}.{index}", types_of) for index, item in enumerate(tree)]
    if isinstance(kind, type) and hasattr(kind, "from_packed"):  # None (a file older than it): an empty one
        return kind() if tree is None else kind.from_packed(decode(tree, kind.packed_type, arrays, path, types_of))
    if kind is np.ndarray:
        return _array(tree, arrays, path)
    if kind is History:
        data = _array(tree, arrays, path)
        if data.ndim != 2 or data.shape[0] != len(COLUMNS) or data.dtype.kind != "f":
            raise ValueError(f"{path}: the history should be {len(COLUMNS)} rows of floats")
        return History.from_arrays(data.astype(np.float64))
    if kind is np.random.Generator:
        return _generator(tree, path)
    if kind is np.random.RandomState:
        return _random_state(tree, arrays, path)
    if dataclasses.is_dataclass(kind):
        return _dataclass(tree, kind, arrays, path, types_of)
    if kind is bool:
        if not isinstance(tree, bool):
            raise ValueError(f"{path}: should be true or false")
        return tree
    if kind is int:
        if isinstance(tree, bool) or not isinstance(tree, int) or abs(tree) > 2**63:
            raise ValueError(f"{path}: should be a whole number")
        return tree
    if kind is float:
        if isinstance(tree, bool) or not isinstance(tree, (int, float)) or not math.isfinite(tree):
            raise ValueError(f"{path}: should be a finite number")
        return float(tree)
    if kind is str:
        return checked_text(tree, path)
    raise ValueError(f"{path}: cannot read a {kind}")


def checked_text(value: Any, path: str) -> str:
    """A short printable text, or ValueError naming the path."""
    if not isinstance(value, str) or len(value) > MAX_TEXT or not value.isprintable():
        raise ValueError(f"{path}: should be a short printable text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{path}: should be a short printable text") from None
    return value


def _array(tree: Any, arrays: dict[str, np.ndarray], path: str) -> np.ndarray:
    if not isinstance(tree, dict) or set(tree) != {"array"} or tree["array"] not in arrays:
        raise ValueError(f"{path}: the array is missing")
    array = arrays[tree["array"]]
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{path}: should hold numbers")
    return array


def _generator(tree: Any, path: str) -> np.random.Generator:
    state = tree.get("generator") if isinstance(tree, dict) and set(tree) == {"generator"} else None
    if not isinstance(state, dict) or state.get("bit_generator") != "PCG64":
        raise ValueError(f"{path}: not a generator's state")
    rng = np.random.Generator(np.random.PCG64())
    try:
        rng.bit_generator.state = state
    except (ValueError, TypeError, KeyError, OverflowError):
        raise ValueError(f"{path}: the generator's state is damaged") from None
    return rng


def _random_state(tree: Any, arrays: dict[str, np.ndarray], path: str) -> np.random.RandomState:
    state = tree.get("random_state") if isinstance(tree, dict) and set(tree) == {"random_state"} else None
    if not isinstance(state, dict) or set(state) != {"keys", "pos", "has_gauss", "cached"}:
        raise ValueError(f"{path}: not a random state")
    keys = _array(state["keys"], arrays, path)
    pos, has_gauss, cached = state["pos"], state["has_gauss"], state["cached"]
    if (
        keys.shape != (624,)
        or keys.dtype.kind not in "iu"
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in (pos, has_gauss))
        or not 0 <= pos <= 624
        or has_gauss not in (0, 1)
        or isinstance(cached, bool)
        or not isinstance(cached, (int, float))
        or not math.isfinite(cached)
    ):
        raise ValueError(f"{path}: the random state is damaged")
    rng = np.random.RandomState()
    rng.set_state(("MT19937", keys.astype(np.uint32), pos, has_gauss, float(cached)))
    return rng


def _dataclass(tree: Any, kind: type, arrays: dict[str, np.ndarray], path: str, types_of: dict[str, type]) -> Any:
    names = [f.name for f in dataclasses.fields(kind)]
    if not isinstance(tree, dict):
        raise ValueError(f"{path}: should be a group of fields")
    missing = [name for name in names if name not in tree]
    unknown = [name for name in tree if name not in names]
    if missing or unknown:
        what = f"{missing[0]!r} is missing" if missing else f"{str(unknown[0])[:40]!r} is unknown"
        raise ValueError(f"{path}: field {what}")
    hints = typing.get_type_hints(kind)
    values = {name: decode(tree[name], hints[name], arrays, f"{path}.{name}", types_of) for name in names}
    return kind(**values)
