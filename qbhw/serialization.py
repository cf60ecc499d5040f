"""Lossless JSON for qbhw objects: numpy arrays (real or complex), non-finite floats, nested containers.

Plain JSON cannot hold NaN/inf, complex numbers or the shape of an array, and Python's ``json`` writes
``NaN`` (not JSON) unless told otherwise. :func:`to_jsonable` turns a value into strict-JSON data that
:func:`from_jsonable` turns back into an equal value:

* a finite ``float`` stays a number (``json`` writes ``repr``, which round-trips every double exactly);
  NaN/±inf become ``{"__float__": "nan" | "inf" | "-inf"}``;
* a numpy array becomes ``{"__ndarray__": flat list, "shape": [...], "dtype": "float64"}`` (complex arrays
  store ``"real"`` and ``"imag"`` lists), non-finite entries encoded as above;
* numpy scalars become Python numbers, tuples and lists become lists, mappings get string keys;
* objects with a ``to_dict()`` method are stored as that dict (their class must rebuild them), and
  anything else (e.g. ``fractions.Fraction`` in metadata) as ``str`` — such values do not round-trip and
  are only used for metadata.

Everything in qbhw that is written to disk (curves, fit results, protocol data and results) goes through
these two functions, so there is one encoder.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["to_jsonable", "from_jsonable", "dumps", "loads", "JsonMixin", "atomic_write_bytes", "atomic_write_text"]

_FLOAT_TAG = "__float__"
_ARRAY_TAG = "__ndarray__"


def _float(x: float):
    if math.isfinite(x):
        return x
    return {_FLOAT_TAG: "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")}


def _unfloat(v) -> float:
    if isinstance(v, dict):
        return float(v[_FLOAT_TAG])
    return float(v)


def to_jsonable(obj: Any) -> Any:
    """Strict-JSON data for ``obj`` (see the module docstring)."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (int, np.integer)) and not isinstance(obj, np.bool_):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, (float, np.floating)):
        return _float(float(obj))
    if isinstance(obj, (complex, np.complexfloating)):
        return to_jsonable(np.asarray(obj))
    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            return [to_jsonable(v) for v in obj.tolist()]
        flat = obj.ravel()
        if np.iscomplexobj(obj):
            return {_ARRAY_TAG: "complex", "shape": list(obj.shape), "dtype": str(obj.dtype),
                    "real": [_float(float(v)) for v in flat.real], "imag": [_float(float(v)) for v in flat.imag]}
        if obj.dtype.kind == "f":
            values = [_float(float(v)) for v in flat]
        elif obj.dtype.kind in "iub":
            values = [v.item() for v in flat]
        else:  # strings
            values = [str(v) for v in flat]
        return {_ARRAY_TAG: values, "shape": list(obj.shape), "dtype": str(obj.dtype)}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        return to_jsonable(to_dict())
    return str(obj)


def from_jsonable(data: Any) -> Any:
    """Inverse of :func:`to_jsonable` (lists stay lists; tagged arrays and floats are rebuilt)."""
    if isinstance(data, dict):
        if _FLOAT_TAG in data and len(data) == 1:
            return _unfloat(data)
        if _ARRAY_TAG in data:
            shape = tuple(data["shape"])
            dtype = np.dtype(data["dtype"])
            if data[_ARRAY_TAG] == "complex":
                re = np.array([_unfloat(v) for v in data["real"]], dtype=float)
                im = np.array([_unfloat(v) for v in data["imag"]], dtype=float)
                return (re + 1j * im).astype(dtype).reshape(shape)
            values = data[_ARRAY_TAG]
            if dtype.kind == "f":
                return np.array([_unfloat(v) for v in values], dtype=dtype).reshape(shape)
            return np.array(values, dtype=dtype).reshape(shape)
        return {k: from_jsonable(v) for k, v in data.items()}
    if isinstance(data, list):
        return [from_jsonable(v) for v in data]
    return data


def dumps(obj: Any, *, indent: int | None = 1) -> str:
    """``json.dumps(to_jsonable(obj))`` with ``allow_nan=False`` (strict JSON)."""
    return json.dumps(to_jsonable(obj), indent=indent, allow_nan=False)


def loads(text: str) -> Any:
    """``from_jsonable(json.loads(text))``."""
    return from_jsonable(json.loads(text))


class JsonMixin:
    """``to_json`` / ``from_json`` for a class with ``to_dict()`` and ``from_dict(dict)`` (strict JSON)."""

    def to_json(self, path=None, *, indent: int | None = 1) -> str:
        """JSON text of ``to_dict()`` (also written to ``path`` when given, atomically)."""
        text = json.dumps(self.to_dict(), indent=indent, allow_nan=False)  # type: ignore[attr-defined]
        if path is not None:
            atomic_write_text(path, text)
        return text

    @classmethod
    def from_json(cls, text: str):
        """Inverse of :meth:`to_json` (``text`` is the JSON text)."""
        return cls.from_dict(json.loads(text))  # type: ignore[attr-defined]


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` so that a reader sees either the old file or the complete new one.

    The bytes go to a temporary file in the same directory, which is flushed and ``fsync``-ed and then
    renamed over ``path`` with :func:`os.replace` (atomic on POSIX and Windows); the directory is
    ``fsync``-ed too where the platform allows, so the rename itself survives a crash.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dfd = os.open(path.parent, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return path
    try:
        os.fsync(dfd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(dfd)
    return path


def atomic_write_text(path, text: str) -> Path:
    """:func:`atomic_write_bytes` of UTF-8 text."""
    return atomic_write_bytes(path, text.encode("utf-8"))
