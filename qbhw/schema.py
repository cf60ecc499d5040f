"""Validated input files: TOML and JSON read with the key path and line of every error.

Every file a user writes by hand (a protocol file for ``qbhw run``, a pulse-schedule JSON) is read
through this module so that a mistake is reported the way a compiler reports one::

    examples/star.toml:7: argument 'parameters.n_chargers': got -1 (allowed: an integer >= 1)

* :func:`read_toml` / :func:`read_json` parse a file (or text), turning a syntax error into a
  :class:`~qbhw.errors.FileFormatError` with the line and column the parser reports;
* :func:`validate` checks parsed data against a pydantic model (unknown keys forbidden, no silent type
  coercion: ``"4"`` is not an integer, ``1.5`` is not an integer, ``true`` is not a number) and reports
  the first error with its dotted key path and line;
* :func:`key_line` finds the line of a dotted key path in TOML or JSON source (stdlib :mod:`tomllib`
  and :mod:`json` give line numbers only for syntax errors, not for valid files whose values are wrong);
* :func:`file_error` turns an error raised while *using* validated values (a range check of a protocol's
  parameters, which names the offending field) into a :class:`FileFormatError` located in the file.

The schemas themselves (pydantic models) live beside what they describe — the protocol-file schema in
:mod:`qbhw.protocol_file`, the pulse-schedule schema in :mod:`qbhw.pulse.waveforms` — and pydantic is
imported only when a file is read.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import FileFormatError, QbhwError

__all__ = ["read_toml", "read_json", "strict_model", "validate", "tag", "construct", "key_line", "key_path",
           "file_error", "suggest", "short_repr", "SourceFile"]


class SourceFile:
    """Parsed data with the text it came from, for locating keys: ``data``, ``text``, ``file``, ``fmt``."""

    def __init__(self, data: Any, text: str, file: str | None, fmt: str):
        self.data = data
        self.text = text
        self.file = file
        self.fmt = fmt

    def line(self, path: Sequence) -> int | None:
        """The line of the key ``path`` (a tuple of keys and list indices), or of its nearest parent."""
        return key_line(self.text, path, self.fmt)

    @classmethod
    def from_data(cls, data: Any, fmt: str = "json") -> "SourceFile":
        """Data given directly (a dict, no text): errors name the key path, without a line."""
        return cls(data, "", None, fmt)

    def error(self, message: str, path: Sequence, *, allowed: str | None = None) -> FileFormatError:
        """A :class:`FileFormatError` at key ``path`` (no key named for the document itself)."""
        return FileFormatError(message, file=self.file, key=key_path(path) or None, line=self.line(path),
                               allowed=allowed)


def _read_text(source, what: str) -> tuple[str, str | None]:
    """``(text, file name)`` of a path, or of text given directly (a ``str`` containing a newline, or
    with ``text=True`` semantics decided by the caller)."""
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except FileNotFoundError:
        raise FileFormatError(f"no such {what} file", file=str(path), allowed=f"an existing {what} file") from None
    except IsADirectoryError:
        raise FileFormatError(f"is a directory, not a {what} file", file=str(path)) from None
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=str(path),
                              allowed=f"a UTF-8 {what} file") from None
    except OSError as exc:
        raise FileFormatError(f"cannot be read ({exc.strerror})", file=str(path)) from None


def read_toml(path=None, *, text: str | None = None) -> SourceFile:
    """Parse a TOML file (or ``text``); a syntax error → :class:`FileFormatError` with its line."""
    file = None
    if text is None:
        text, file = _read_text(path, "TOML")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line = int(m.group(1)) if m else None
        head = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg)
        if m:
            head += f" (column {m.group(2)})"
        raise FileFormatError(f"not valid TOML: {head}", file=file, line=line,
                              allowed="a TOML document (https://toml.io)") from None
    return SourceFile(data, text, file, "toml")


def read_json(path=None, *, text: str | None = None) -> SourceFile:
    """Parse a JSON file (or ``text``); a syntax error → :class:`FileFormatError` with its line."""
    file = None
    if text is None:
        text, file = _read_text(path, "JSON")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"not valid JSON: {exc.msg} (column {exc.colno})", file=file, line=exc.lineno,
                              allowed="a JSON document") from None
    return SourceFile(data, text, file, "json")


# ---------------------------------------------------------------------------------------------
# key paths and their lines
def key_path(path: Sequence) -> str:
    """``("sweep", "coupling", 2)`` → ``"sweep.coupling[2]"``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")
_INLINE_KEY = re.compile(rf"[{{,]\s*({_DOTTED})\s*=")


def _split_dotted(text: str) -> tuple[str, ...]:
    parts = re.findall(_KEY, text)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def _toml_lines(text: str) -> dict[tuple[str, ...], int]:
    """Every key path defined in a TOML text → its line (headers, assignments, inline-table keys)."""
    found: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    in_multiline: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw
        if in_multiline:  # inside a multi-line string: skip until it closes
            if in_multiline in line:
                in_multiline = None
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        header = _HEADER.match(line)
        if header and not _ASSIGN.match(line):
            table = _split_dotted(header.group(1))
            found.setdefault(table, number)
            continue
        assign = _ASSIGN.match(line)
        if assign:
            key = table + _split_dotted(assign.group(1))
            found.setdefault(key, number)
            rest = line[assign.end():]
            for m in _INLINE_KEY.finditer(rest):  # keys of an inline table on the same line
                found.setdefault(key + _split_dotted(m.group(1)), number)
            for quote in ('"""', "'''"):
                if rest.count(quote) == 1:
                    in_multiline = quote
    return found


def _json_lines(text: str) -> dict[tuple, int]:
    """Every key path of a JSON text → the line of its key (list items: the line of the item)."""
    found: dict[tuple, int] = {}
    decoder = json.JSONDecoder()
    ws = re.compile(r"[ \t\n\r]*")

    def line_of(pos: int) -> int:
        return text.count("\n", 0, pos) + 1

    def value(pos: int, path: tuple) -> int:
        pos = ws.match(text, pos).end()
        ch = text[pos:pos + 1]
        if ch == "{":
            pos = ws.match(text, pos + 1).end()
            if text[pos:pos + 1] == "}":
                return pos + 1
            while True:
                pos = ws.match(text, pos).end()
                key, end = json.decoder.scanstring(text, pos + 1)
                found.setdefault(path + (key,), line_of(pos))
                pos = ws.match(text, end).end() + 1  # the colon
                pos = value(pos, path + (key,))
                pos = ws.match(text, pos).end()
                if text[pos:pos + 1] == ",":
                    pos += 1
                    continue
                return pos + 1
        if ch == "[":
            pos = ws.match(text, pos + 1).end()
            if text[pos:pos + 1] == "]":
                return pos + 1
            index = 0
            while True:
                pos = ws.match(text, pos).end()
                found.setdefault(path + (index,), line_of(pos))
                pos = value(pos, path + (index,))
                pos = ws.match(text, pos).end()
                if text[pos:pos + 1] == ",":
                    pos += 1
                    index += 1
                    continue
                return pos + 1
        _, end = decoder.raw_decode(text, pos)
        return end

    try:
        value(0, ())
    except (ValueError, IndexError):  # not valid JSON: nothing to locate
        pass
    return found


def key_line(text: str, path: Sequence, fmt: str = "toml") -> int | None:
    """The 1-based line where the key ``path`` is written in ``text`` (``fmt``: ``"toml"`` or
    ``"json"``); if that key is absent (a missing key, an index inside a one-line list), the line of
    its nearest written parent; ``None`` when no part of the path is written."""
    lines = _json_lines(text) if fmt == "json" else _toml_lines(text)
    path = tuple(path)
    if fmt == "toml":  # TOML list items are not located individually
        while path and isinstance(path[-1], int):
            path = path[:-1]
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


def suggest(name: str, choices) -> str:
    """`` — did you mean 'x'?`` for the closest of ``choices`` to ``name`` (empty when none is close)."""
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" — did you mean {close[0]!r}?" if close else ""


def short_repr(value, limit: int = 40) -> str:
    """``repr(value)``, cut to ``limit`` characters for an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---------------------------------------------------------------------------------------------
# validation
def strict_model(name: str, fields: Mapping[str, tuple]):
    """A pydantic model called ``name`` with ``fields`` (key → ``(type, default)``, default ``...`` for a
    required key): unknown keys forbidden and no coercion (``"4"`` and ``true`` are not numbers). pydantic
    is imported here, on first use, so importing qbhw does not import it."""
    import pydantic

    return pydantic.create_model(name, __config__=pydantic.ConfigDict(extra="forbid", strict=True), **fields)


def tag(source: SourceFile, data, at: Sequence, key: str, choices, what: str, *, allowed: str | None = None) -> str:
    """The value of the tag ``key`` (e.g. ``"type"``, ``"instruction"``) of the object ``data`` found at key
    path ``at``, one of ``choices``; otherwise a :class:`FileFormatError` listing them (or ``allowed``)."""
    at = tuple(at)
    allowed = allowed or " | ".join(choices)
    if not isinstance(data, dict):
        expected = "a JSON object" if source.fmt == "json" else "a table"
        raise source.error(f"got {type(data).__name__} {short_repr(data)}: expected {expected}", at,
                           allowed=f"an object with the key {key!r} ({allowed})")
    if key not in data:
        raise source.error(f"required key {key!r} is missing", (*at, key), allowed=allowed)
    value = data[key]
    if not isinstance(value, str) or value not in choices:
        hint = suggest(value, choices) if isinstance(value, str) else ""
        raise source.error(f"unknown {what} {value!r}{hint}", (*at, key), allowed=allowed)
    return value


def construct(source: SourceFile, at: Sequence, known, factory, *args, **kwargs):
    """``factory(*args, **kwargs)`` with values read from ``source`` at ``at``; a :class:`QbhwError` it
    raises (a range check naming an argument among ``known``) becomes a :class:`FileFormatError` located
    at that key (:func:`file_error`)."""
    try:
        return factory(*args, **kwargs)
    except FileFormatError:
        raise
    except QbhwError as exc:
        raise file_error(exc, source, at, known=tuple(known)) from None


def _describe_type(error: Mapping) -> str:
    kind = error.get("type", "")
    return {"int_type": "an integer", "int_from_float": "an integer", "float_type": "a number",
            "bool_type": "true or false", "string_type": "a string", "list_type": "a list",
            "dict_type": "a table", "model_type": "a table", "missing": "a value",
            "literal_error": "one of the listed values"}.get(kind, "")


def validate(model, source: SourceFile, data: Any | None = None, *, at: Sequence = ()):
    """``model.model_validate(data)`` (default: ``source.data``) for a pydantic model class; the first
    error becomes a :class:`FileFormatError` naming the dotted key path (prefixed by ``at``) and its
    line in ``source``. An unknown key says which keys are allowed (and the closest one)."""
    import pydantic

    data = source.data if data is None else data
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False)
        # an unknown key first: a misspelt key is also reported missing, and its spelling is the mistake
        err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = tuple(at) + tuple(err["loc"])
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            parent = model
            for part in err["loc"][:-1]:  # the sub-model the key was found in
                info = getattr(parent, "model_fields", {}).get(part)
                ann = getattr(info, "annotation", None)
                parent = ann if isinstance(ann, type) and hasattr(ann, "model_fields") else None
                if parent is None:
                    break
            names = list(getattr(parent, "model_fields", {}) or {})
            msg = f"unknown key {str(loc[-1])!r}" + suggest(loc[-1], names)
            raise source.error(msg, loc, allowed=", ".join(names) if names else None) from None
        if err["type"] == "missing":
            raise source.error(f"required key {str(loc[-1])!r} is missing", loc, allowed="the key with its value") \
                from None
        allowed = _describe_type(err)
        raise source.error(f"got {value!r}: {err['msg']}", loc, allowed=allowed or None) from None


def file_error(exc: QbhwError, source: SourceFile, at: Sequence = (), *,
               known: Sequence[str] | None = None) -> FileFormatError:
    """The error ``exc`` (raised while using values read from ``source``) located in the file: its
    ``argument`` (a field name such as ``n_chargers`` or ``times.start``) is read as a key path under
    ``at``. ``known``: the field names that may appear there (``None``: any; an argument not among them
    is located at ``at`` itself)."""
    arg = getattr(exc, "argument", None)
    path = tuple(at)
    if isinstance(arg, str) and arg:
        head = re.split(r"[.\[]", arg, maxsplit=1)[0]
        if known is None or head in known:
            path = path + tuple(int(p) if p.isdigit() else p for p in re.findall(r"[^.\[\]]+", arg))
    text = str(exc)
    prefix = f"argument {arg!r}: " if arg else ""
    message = text[len(prefix):] if prefix and text.startswith(prefix) else text
    allowed = getattr(exc, "allowed", None)
    if allowed and message.endswith(f" (allowed: {allowed})"):
        message = message[: -len(f" (allowed: {allowed})")]
    return source.error(message, path, allowed=allowed)
