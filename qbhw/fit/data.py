"""Data for fits: validated ``(x, y, σ)`` arrays, CSV tables with provenance, qbhw results directories.

CSV files (:func:`read_csv`)
    Lines starting with ``#`` are comments; they are kept verbatim (without the ``#``) as the
    table's ``header`` — the provenance of the numbers. The first non-comment line names the
    columns; every later non-blank line is one row. A column whose entries all read as numbers
    (an empty cell reads as NaN) becomes a float array, any other column an array of strings.
    Units of a column come, in this order of precedence, from

    1. the ``units={"column": "unit"}`` option;
    2. a header line ``# units: col=unit, col2=unit`` (only names that are columns count, so
       free-text unit notes such as ``# UNITS: dimensionless (hbar=1)`` are kept as a note);
    3. a unit suffix of the column name: ``_s, _ms, _us, _ns, _ps, _hz, _khz, _mhz, _ghz``
       (``t_us`` → ``us``).

Counts → probabilities (:func:`binomial_probability`, :func:`counts_to_expectation`)
    ``p = n1 / n`` with the standard error of the Jeffreys posterior Beta(n1 + ½, n − n1 + ½),
    ``sqrt(p̃(1 − p̃)/(n + 2))`` where ``p̃ = (n1 + 1/2)/(n + 1)``
    (:func:`qbhw.metrics.jeffreys_probability`), so that a run with 0 or n successes still gets a
    non-zero σ. For a ±1 observable ``⟨σ⟩ = (n0 − n1)/n`` and σ is twice that of p.

qbhw results directories (:func:`write_results_dir`, :func:`read_results_dir`)
    A folder holding ``data.csv`` (a CSV as above) and ``meta.json``::

        {"format": "qbhw-results/1",
         "units": {"t": "1/omega_0", "work": "omega_0"},
         "sigma": {"work": "sigma_work"},          # column -> column of its standard errors
         "sigma_kind": {"work": "measured"},       # measured | estimate | binomial
         "provenance": ["free text", ...],
         "metadata": {...}}                        # anything JSON (model, parameters, ...)

    :func:`curve_to_results_dir` writes a :class:`~qbhw.metrics.ChargingCurve` in this layout, with the
    σ mapping of its standard errors (``energy -> energy_stderr``, ``work -> work_stderr``,
    ``<obs> -> <obs>_stderr``), so that :meth:`DataTable.fit_data` of a sampled curve uses σ by
    default. A row whose σ column (from that mapping) is exactly 0 *and* whose value is exactly 0 is
    a value that is 0 by construction — the reference point ``W(0) ≡ 0`` of work referred to the
    measured ``E(0)`` — and is left out of the fit data (a provenance line says so); any other σ ≤ 0
    is an error.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import DataError, DimensionMismatchError, InvalidArgumentError
from ..metrics.sampling import jeffreys_probability

__all__ = [
    "SIGMA_KINDS",
    "FitData",
    "make_fit_data",
    "DataTable",
    "read_csv",
    "binomial_probability",
    "counts_to_expectation",
    "write_results_dir",
    "read_results_dir",
    "curve_table",
    "curve_to_results_dir",
    "RESULTS_FORMAT",
]

#: what a σ column means: ``measured`` (trusted, absolute), ``estimate`` (a rough estimate: fits
#: rescale it by √χ²_red), ``binomial`` (shot noise from counts, absolute), ``none`` (no σ)
SIGMA_KINDS = ("measured", "estimate", "binomial", "none")
RESULTS_FORMAT = "qbhw-results/1"

_UNIT_SUFFIXES = ("s", "ms", "us", "ns", "ps", "hz", "khz", "mhz", "ghz")


def _row_name(labels, k: int) -> str:
    return str(labels[k]) if labels is not None else f"row {k}"


def _as_1d(values, argument: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError("cannot be read as real numbers", argument=argument, column=argument,
                        allowed="1-D array of real numbers") from exc
    if arr.ndim != 1:
        raise DataError(f"must be 1-D, got shape {arr.shape}", argument=argument, column=argument,
                        allowed="1-D array")
    return arr


@dataclass(frozen=True)
class FitData:
    """Validated data of one fit: ``y(x) ± σ``.

    Build with :func:`make_fit_data` (or :meth:`DataTable.fit_data`), which checks that all
    arrays are 1-D, of equal length, finite, and that σ > 0 — naming the row on failure.
    ``sigma_kind`` says what σ means (see :data:`SIGMA_KINDS`); ``row_labels`` name rows in
    errors and plots (e.g. ``"line 31"`` of a CSV file); ``provenance`` keeps the file header.
    """

    x: np.ndarray
    y: np.ndarray
    sigma: np.ndarray | None = None
    x_name: str = "x"
    y_name: str = "y"
    x_unit: str | None = None
    y_unit: str | None = None
    sigma_kind: str = "none"
    row_labels: tuple | None = None
    provenance: tuple[str, ...] = ()
    source: str | None = None
    shots: np.ndarray | None = None
    binomial_kind: str | None = None

    def binomial_sigma(self, values) -> np.ndarray:
        """Binomial σ of this data's outcomes if their true values were ``values`` (needs ``shots``).

        ``binomial_kind="probability"``: ``sqrt(p(1−p)/n)``; ``"expectation"`` (±1 outcome):
        ``sqrt((1 − v²)/n)``; values are clipped half a count away from the edges.
        """
        if self.shots is None:
            raise InvalidArgumentError("these data have no shot counts", argument="data",
                                       allowed="data built from counts")
        v = np.asarray(values, dtype=float)
        n = self.shots
        if self.binomial_kind == "probability":
            p = np.clip(v, 0.5 / (n + 1), 1 - 0.5 / (n + 1))
        else:
            p = np.clip((1 - v) / 2, 0.5 / (n + 1), 1 - 0.5 / (n + 1))
        s = np.sqrt(p * (1 - p) / n)
        return s if self.binomial_kind == "probability" else 2 * s

    def with_sigma(self, sigma) -> "FitData":
        """The same data with another σ (same kind)."""
        return make_fit_data(self.x, self.y, sigma, x_name=self.x_name, y_name=self.y_name, x_unit=self.x_unit,
                             y_unit=self.y_unit, sigma_kind=self.sigma_kind, row_labels=self.row_labels,
                             provenance=self.provenance, source=self.source, shots=self.shots,
                             binomial_kind=self.binomial_kind)

    def __len__(self) -> int:
        return int(self.x.size)

    def subset(self, mask) -> "FitData":
        """The rows where ``mask`` is true (a boolean array or index array)."""
        idx = np.arange(self.x.size)[mask]
        labels = None if self.row_labels is None else tuple(self.row_labels[i] for i in idx)
        return make_fit_data(self.x[idx], self.y[idx], None if self.sigma is None else self.sigma[idx],
                             x_name=self.x_name, y_name=self.y_name, x_unit=self.x_unit, y_unit=self.y_unit,
                             sigma_kind=self.sigma_kind, row_labels=labels, provenance=self.provenance,
                             source=self.source, shots=None if self.shots is None else self.shots[idx],
                             binomial_kind=self.binomial_kind)

    def describe(self) -> dict[str, Any]:
        """JSON-friendly summary (no arrays)."""
        return {"x_name": self.x_name, "y_name": self.y_name, "x_unit": self.x_unit, "y_unit": self.y_unit,
                "sigma_kind": self.sigma_kind, "n_points": len(self), "source": self.source,
                "provenance": list(self.provenance)}


def make_fit_data(x, y, sigma=None, *, x_name: str = "x", y_name: str = "y", x_unit: str | None = None,
                  y_unit: str | None = None, sigma_kind: str | None = None, row_labels: Sequence | None = None,
                  provenance: Sequence[str] = (), source: str | None = None, shots=None,
                  binomial_kind: str | None = None) -> FitData:
    """Validate ``x, y, σ`` and wrap them in a :class:`FitData`.

    ``shots`` (counts per point) with ``binomial_kind`` (``"probability"`` or ``"expectation"``)
    mark shot-noise data: :func:`~qbhw.fit.fitting.fit_curve` then re-estimates σ from the
    fitted curve (see :meth:`FitData.binomial_sigma`).

    Raises
    ------
    DimensionMismatchError
        ``x``, ``y`` (and ``σ``) have different lengths.
    DataError
        a NaN or inf value (the message names the row and column), σ ≤ 0, fewer than one point.
    """
    xa = _as_1d(x, x_name)
    ya = _as_1d(y, y_name)
    if xa.size != ya.size:
        raise DimensionMismatchError(f"{y_name!r} has {ya.size} values but {x_name!r} has {xa.size}",
                                     argument=y_name, allowed=f"one value per {x_name!r} value")
    if xa.size == 0:
        raise DataError("no data points", argument=y_name, allowed="at least one row")
    labels = None if row_labels is None else tuple(row_labels)
    if labels is not None and len(labels) != xa.size:
        raise DimensionMismatchError(f"{len(labels)} row labels for {xa.size} rows", argument="row_labels",
                                     allowed="one label per row")
    sa = None
    if sigma is not None:
        sa = _as_1d(sigma, f"sigma of {y_name}")
        if sa.size == 1 and xa.size > 1:
            sa = np.full(xa.size, float(sa[0]))
        if sa.size != xa.size:
            raise DimensionMismatchError(f"sigma has {sa.size} values but {y_name!r} has {ya.size}",
                                         argument="sigma", allowed="one standard error per data point (or one scalar)")
    for name, arr in ((x_name, xa), (y_name, ya)) + (((f"sigma of {y_name}", sa),) if sa is not None else ()):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            k = int(bad[0])
            raise DataError(f"{_row_name(labels, k)}: column {name!r} is {float(arr[k])!r} (NaN or inf)"
                            + (f"; {bad.size} such rows" if bad.size > 1 else ""),
                            argument=name, column=name, row=labels[k] if labels else k,
                            allowed="finite numbers (drop or repair the row)")
    if sa is not None:
        bad = np.flatnonzero(sa <= 0)
        if bad.size:
            k = int(bad[0])
            raise DataError(f"{_row_name(labels, k)}: standard error sigma = {float(sa[k])!r} is not positive",
                            argument="sigma", column=f"sigma of {y_name}", row=labels[k] if labels else k,
                            allowed="sigma > 0")
    kind = sigma_kind if sigma_kind is not None else ("measured" if sa is not None else "none")
    if kind not in SIGMA_KINDS:
        raise InvalidArgumentError(f"got {kind!r}", argument="sigma_kind", allowed=" | ".join(SIGMA_KINDS))
    if sa is None and kind != "none":
        raise InvalidArgumentError(f"sigma_kind={kind!r} but no sigma given", argument="sigma_kind",
                                   allowed="'none' when sigma is None")
    sh = None
    if shots is not None:
        sh = _as_1d(np.atleast_1d(np.asarray(shots, dtype=float)), "shots")
        if sh.size == 1 and xa.size > 1:
            sh = np.full(xa.size, float(sh[0]))
        if sh.size != xa.size or np.any(sh < 1) or not np.all(np.isfinite(sh)):
            raise DataError("shots must give one count >= 1 per row", argument="shots", allowed="integers >= 1")
        if binomial_kind not in ("probability", "expectation"):
            raise InvalidArgumentError(f"got {binomial_kind!r}", argument="binomial_kind",
                                       allowed="'probability' | 'expectation' when shots are given")
    return FitData(x=xa, y=ya, sigma=sa, x_name=x_name, y_name=y_name, x_unit=x_unit, y_unit=y_unit,
                   sigma_kind=kind, row_labels=labels, provenance=tuple(provenance), source=source, shots=sh,
                   binomial_kind=binomial_kind if sh is not None else None)


# ---------------------------------------------------------------------------------------------
# counts
def _check_counts(n, argument: str) -> np.ndarray:
    a = np.asarray(n, dtype=float)
    if not np.all(np.isfinite(a)) or np.any(a < 0) or np.any(np.round(a) != a):
        k = int(np.flatnonzero(~np.isfinite(a) | (a < 0) | (np.round(a) != a))[0]) if a.ndim else 0
        raise DataError(f"row {k}: counts must be non-negative integers", argument=argument, column=argument,
                        row=k, allowed="integers >= 0")
    return a


def binomial_probability(successes, total) -> tuple[np.ndarray, np.ndarray]:
    """``p = successes/total`` and its Jeffreys standard error ``sqrt(p̃(1−p̃)/(n+2))``, ``p̃ = (k+½)/(n+1)``
    (:func:`qbhw.metrics.jeffreys_probability`; > 0 also for k = 0 and k = n)."""
    k = _check_counts(successes, "successes")
    n = _check_counts(total, "total")
    if np.any(n < 1) or np.any(k > n):
        raise DataError("need 1 <= total and successes <= total", argument="total", allowed="0 <= k <= n, n >= 1")
    p, s = jeffreys_probability(k, n)
    return np.asarray(p, dtype=float), np.asarray(s, dtype=float)


def counts_to_expectation(n0, n1) -> tuple[np.ndarray, np.ndarray]:
    """``⟨σ⟩ = (n0 − n1)/(n0 + n1)`` of a ±1 observable and its binomial standard error."""
    a0 = _check_counts(n0, "n0")
    a1 = _check_counts(n1, "n1")
    p1, s = binomial_probability(a1, a0 + a1)
    return 1.0 - 2.0 * p1, 2.0 * s


# ---------------------------------------------------------------------------------------------
# tables
def _suffix_unit(name: str) -> str | None:
    parts = name.lower().rsplit("_", 1)
    if len(parts) == 2 and parts[1] in _UNIT_SUFFIXES:
        return parts[1]
    return None


#: at most this many distinct values are listed in an error message
_MAX_LISTED = 20


def distinct_values(values, limit: int = _MAX_LISTED) -> str:
    """The distinct values of a column, in order of appearance, as a short comma-separated list (numbers
    with ``:g``), for error messages."""
    distinct = list(dict.fromkeys(f"{v:g}" if isinstance(v, (float, np.floating)) else str(v) for v in values))
    text = ", ".join(distinct[:limit])
    return text + (f", … ({len(distinct)} values)" if len(distinct) > limit else "")


@dataclass(frozen=True)
class DataTable:
    """Named columns read from a CSV file, with the file's comment header kept as provenance.

    ``line_numbers[k]`` is the 1-based line of row ``k`` in the file, used to name rows in errors.
    """

    columns: dict[str, np.ndarray]
    header: tuple[str, ...] = ()
    units: dict[str, str] = field(default_factory=dict)
    line_numbers: np.ndarray | None = None
    source: str | None = None
    sigma_columns: dict[str, str] = field(default_factory=dict)
    sigma_kinds: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return list(self.columns)

    def __len__(self) -> int:
        return 0 if not self.columns else int(len(next(iter(self.columns.values()))))

    def column(self, name: str) -> np.ndarray:
        """One column; an unknown name raises :class:`DataError` listing the known ones."""
        if name not in self.columns:
            raise DataError(f"unknown column {name!r} in {self.source or 'table'}", argument="column", column=name,
                            allowed="one of " + ", ".join(repr(c) for c in self.columns))
        return self.columns[name]

    def numeric(self, name: str) -> np.ndarray:
        col = self.column(name)
        if col.dtype.kind != "f":
            raise DataError(f"column {name!r} is not numeric (e.g. {col[0]!r})", argument="column", column=name,
                            allowed="a column of numbers")
        return col

    def row_labels(self) -> tuple[str, ...]:
        if self.line_numbers is None:
            return tuple(f"row {k}" for k in range(len(self)))
        src = Path(self.source).name if self.source else "file"
        return tuple(f"{src} line {int(n)}" for n in self.line_numbers)

    def where(self, **equal) -> "DataTable":
        """Rows where each named column equals the given value (string or number); see :meth:`rows_where`."""
        return self.rows_where(equal)

    def rows_where(self, equal: Mapping[str, Any], *, argument: str = "where") -> "DataTable":
        """Rows where each column named in ``equal`` equals its value, the filters applied in order. A numeric
        column compares numbers (a value given as text, e.g. from a command line, is read as a number);
        another column compares text.

        Raises :class:`DataError` naming ``argument`` for an unknown column (the columns are listed) or a
        filter that leaves no row (the values present in the rows still selected are listed), and
        :class:`InvalidArgumentError` for a value that is not a number where the column is numeric."""
        table = self
        for name, value in equal.items():
            if name not in table.columns:
                raise DataError(f"unknown column {name!r} in {table.source or 'table'}", argument=argument,
                                column=name, allowed="one of " + ", ".join(table.names))
            col = table.columns[name]
            if col.dtype.kind == "f":
                try:
                    number = float(value)
                except (TypeError, ValueError):
                    raise InvalidArgumentError(f"column {name!r} is numeric but the value is {value!r}",
                                               argument=argument,
                                               allowed=f"{name}=<number>; values present: {distinct_values(col)}") \
                        from None
                mask = col == number
            else:
                mask = col == str(value)
            if not np.any(mask):
                raise DataError(f"no row has {name} = {value!r}", argument=argument, column=name,
                                allowed=f"{name}=<one of {distinct_values(col)}>")
            table = table.select(mask)
        return table

    def select(self, mask) -> "DataTable":
        cols = {k: v[mask] for k, v in self.columns.items()}
        ln = None if self.line_numbers is None else self.line_numbers[mask]
        return DataTable(columns=cols, header=self.header, units=dict(self.units), line_numbers=ln,
                         source=self.source, sigma_columns=dict(self.sigma_columns),
                         sigma_kinds=dict(self.sigma_kinds), metadata=dict(self.metadata))

    def expectation(self, n0: str, n1: str) -> tuple[np.ndarray, np.ndarray]:
        """``⟨σ⟩ = (n0 − n1)/n`` and its binomial σ from two count columns."""
        return counts_to_expectation(self.numeric(n0), self.numeric(n1))

    def fit_data(self, x: str, y: str | None = None, sigma: str | float | None = None, *,
                 counts: tuple[str, str] | None = None, counts_as: str = "expectation",
                 sigma_kind: str | None = None, x_unit: str | None = None, y_unit: str | None = None) -> FitData:
        """:class:`FitData` from named columns.

        ``y`` (a column) and ``sigma`` (a column name or a number); or ``counts=(n0, n1)``
        with ``counts_as="expectation"`` (``⟨σ⟩ = (n0−n1)/n``) or ``"probability"`` (``p = n1/n``),
        σ binomial. Without ``sigma``, the table's own σ column for ``y`` is used when it has
        one (results directories); rows where that σ and ``y`` are both exactly 0 (a value that is
        0 by construction, such as the reference point of the work) are then left out, and a
        provenance line says which. Units default to those of the table.
        """
        xv = self.numeric(x)
        own_sigma = False
        if counts is not None:
            if y is not None:
                raise InvalidArgumentError("give y or counts, not both", argument="counts")
            c0, c1 = counts
            if counts_as == "expectation":
                yv, sv = self.expectation(c0, c1)
            elif counts_as == "probability":
                a0, a1 = self.numeric(c0), self.numeric(c1)
                yv, sv = binomial_probability(a1, a0 + a1)
            else:
                raise InvalidArgumentError(f"got {counts_as!r}", argument="counts_as",
                                           allowed="'expectation' | 'probability'")
            kind = "binomial"
            y_name = f"<{c0},{c1}>" if counts_as == "expectation" else f"p({c1})"
            shots = self.numeric(c0) + self.numeric(c1)
        else:
            if y is None:
                raise InvalidArgumentError("name the y column (or give counts)", argument="y")
            yv = self.numeric(y)
            y_name = y
            own_sigma = sigma is None and y in self.sigma_columns
            if own_sigma:
                sigma = self.sigma_columns[y]
                sigma_kind = sigma_kind or self.sigma_kinds.get(y)
            shots = None
            if isinstance(sigma, str):
                sv = self.numeric(sigma)
            elif sigma is None:
                sv = None
            else:
                sv = np.full(len(self), float(sigma))
            kind = sigma_kind
        labels = self.row_labels()
        provenance = tuple(self.header)
        if own_sigma and sv is not None:
            exact = (sv == 0) & (yv == 0)
            if np.any(exact):
                keep = ~exact
                dropped = [labels[k] for k in np.flatnonzero(exact)]
                xv, yv, sv = xv[keep], yv[keep], sv[keep]
                labels = tuple(lab for lab, k in zip(labels, keep) if k)
                provenance += ((f"left out of the fit: {', '.join(dropped)} ({y} = 0 with sigma = 0: zero by "
                                "construction, e.g. the work reference point)"),)
        return make_fit_data(xv, yv, sv, x_name=x, y_name=y_name, x_unit=x_unit or self.units.get(x),
                             y_unit=y_unit or (self.units.get(y) if y else None),
                             sigma_kind=sigma_kind or kind, row_labels=labels,
                             provenance=provenance, source=self.source, shots=shots,
                             binomial_kind=(counts_as if shots is not None else None))


def _parse_header_units(header: Sequence[str], names: Sequence[str]) -> dict[str, str]:
    units: dict[str, str] = {}
    for line in header:
        m = re.match(r"\s*units?\s*:\s*(.*)$", line, flags=re.IGNORECASE)
        if not m:
            continue
        for item in re.split(r"[,;]", m.group(1)):
            kv = re.match(r"\s*([A-Za-z_][\w.]*)\s*=\s*(\S.*?)\s*$", item)
            if kv and kv.group(1) in names:
                units[kv.group(1)] = kv.group(2)
    return units


def _parse_csv_text(text: str, source: str) -> tuple[list[str], list[str], list[list[str]], list[int]]:
    header: list[str] = []
    names: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            header.append(stripped[1:].lstrip() if stripped[1:2] == " " else stripped[1:])
            continue
        fields = next(csv.reader(io.StringIO(raw)))
        fields = [f.strip() for f in fields]
        if names is None:
            names = fields
            dup = {n for n in names if names.count(n) > 1}
            if dup or any(not n for n in names):
                raise DataError(f"{source} line {lineno}: column names must be unique and non-empty "
                                f"(got {names})", argument="path", row=lineno, allowed="unique column names")
            continue
        if len(fields) != len(names):
            raise DataError(f"{source} line {lineno}: {len(fields)} fields but {len(names)} columns",
                            argument="path", row=lineno, allowed=f"{len(names)} comma-separated fields per row")
        rows.append(fields)
        lines.append(lineno)
    if names is None:
        raise DataError(f"{source}: no column-name line found", argument="path",
                        allowed="a CSV file with a line of column names after the # comments")
    return header, names, rows, lines


def _to_column(values: list[str]) -> np.ndarray:
    try:
        return np.array([float(v) if v != "" else np.nan for v in values], dtype=float)
    except ValueError:
        return np.array(values, dtype=object).astype(str)


def read_csv(path, *, units: Mapping[str, str] | None = None, columns: Sequence[str] | None = None) -> DataTable:
    """Read a CSV file with a ``#`` comment header (kept as provenance) into a :class:`DataTable`.

    ``columns``: if given, these columns must exist (an unknown one raises :class:`DataError`)
    and only they are kept. ``units`` overrides units from the header (see module docstring).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read {p}: {exc}", argument="path", allowed="a readable CSV file") from exc
    header, names, rows, lines = _parse_csv_text(text, str(p))
    cols = {n: _to_column([r[k] for r in rows]) for k, n in enumerate(names)}
    if columns is not None:
        missing = [c for c in columns if c not in cols]
        if missing:
            raise DataError(f"{p.name}: unknown column {missing[0]!r}", argument="columns", column=missing[0],
                            allowed="one of " + ", ".join(repr(c) for c in names))
        cols = {c: cols[c] for c in columns}
    found = {n: u for n in cols if (u := _suffix_unit(n))}
    found.update(_parse_header_units(header, list(cols)))
    for name, unit in (units or {}).items():
        if name not in cols:
            raise DataError(f"units given for unknown column {name!r}", argument="units", column=name,
                            allowed="one of " + ", ".join(repr(c) for c in cols))
        found[name] = unit
    return DataTable(columns=cols, header=tuple(header), units=found, line_numbers=np.array(lines, dtype=int),
                     source=str(p))


# ---------------------------------------------------------------------------------------------
# results directories
def write_results_dir(path, columns: Mapping[str, Sequence], *, units: Mapping[str, str] | None = None,
                      sigma: Mapping[str, str] | None = None, sigma_kind: Mapping[str, str] | None = None,
                      provenance: Sequence[str] = (), metadata: Mapping[str, Any] | None = None) -> Path:
    """Write ``data.csv`` + ``meta.json`` (layout in the module docstring); returns the folder."""
    d = Path(path)
    d.mkdir(parents=True, exist_ok=True)
    names = list(columns)
    arrays = [np.asarray(columns[n]) for n in names]
    lengths = {a.shape[0] for a in arrays}
    if len(lengths) != 1:
        raise DimensionMismatchError(f"columns have different lengths {sorted(lengths)}", argument="columns",
                                     allowed="equal-length columns")
    for col, scol in (sigma or {}).items():
        if col not in columns or scol not in columns:
            raise DataError(f"sigma mapping {col!r} -> {scol!r} names an unknown column", argument="sigma",
                            column=col if col not in columns else scol, allowed="names of written columns")
    buf = io.StringIO()
    for line in provenance:
        buf.write(f"# {line}\n")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(names)
    for k in range(lengths.pop()):
        w.writerow([repr(float(a[k])) if np.issubdtype(a.dtype, np.number) else str(a[k]) for a in arrays])
    (d / "data.csv").write_text(buf.getvalue(), encoding="utf-8")
    meta = {"format": RESULTS_FORMAT, "units": dict(units or {}), "sigma": dict(sigma or {}),
            "sigma_kind": dict(sigma_kind or {}), "provenance": list(provenance), "metadata": dict(metadata or {})}
    (d / "meta.json").write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
    return d


def read_results_dir(path) -> DataTable:
    """Read a qbhw results folder into a :class:`DataTable`: a table folder (``data.csv`` + ``meta.json``,
    :func:`write_results_dir`), or the results directory of a backend run (``curve.json``, written with its
    jobs by ``Backend.run(..., results_dir=...)``; the σ columns come with it). A run directory of
    :func:`qbhw.run` holds many curves: read it with :func:`qbhw.load_run`."""
    d = Path(path)
    meta_path = d / "meta.json"
    if not (d / "data.csv").is_file() and (d / "curve.json").is_file():
        from ..metrics import ChargingCurve

        try:
            curve = ChargingCurve.from_json((d / "curve.json").read_text(encoding="utf-8"))
        except (json.JSONDecodeError, KeyError) as exc:
            raise DataError(f"{d / 'curve.json'} is not a complete qbhw curve ({exc})", argument="path",
                            allowed="a results directory of a finished backend run") from exc
        return curve_table(curve, source=str(d / "curve.json"))
    if (d / "run.sqlite").is_file():
        raise DataError(f"{d} is a run directory of qbhw.run (one curve per point)", argument="path",
                        allowed="qbhw.load_run(path).curves, or a results folder")
    if not meta_path.is_file() or not (d / "data.csv").is_file():
        raise DataError(f"{d} is not a qbhw results folder (needs data.csv and meta.json)", argument="path",
                        allowed="a folder written by write_results_dir")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{meta_path}: invalid JSON ({exc})", argument="path", allowed="valid meta.json") from exc
    if meta.get("format") != RESULTS_FORMAT:
        raise DataError(f"{meta_path}: format {meta.get('format')!r}", argument="path",
                        allowed=repr(RESULTS_FORMAT))
    table = read_csv(d / "data.csv", units=meta.get("units") or None)
    for col, scol in (meta.get("sigma") or {}).items():
        table.column(col)
        table.column(scol)
    return DataTable(columns=table.columns, header=table.header, units=table.units, line_numbers=table.line_numbers,
                     source=table.source, sigma_columns=dict(meta.get("sigma") or {}),
                     sigma_kinds=dict(meta.get("sigma_kind") or {}), metadata=dict(meta.get("metadata") or {}))


def _curve_columns(curve) -> tuple[dict[str, Any], dict[str, str], str]:
    """Columns of a curve (times, energy, work, ergotropy, standard errors, observables), the σ mapping of
    the columns that have standard errors, and their σ kind."""
    cols: dict[str, Any] = {"t": curve.times, "energy": curve.energy, "work": curve.work}
    if curve.ergotropy is not None:
        cols["ergotropy"] = curve.ergotropy
    for name in ("energy_stderr", "work_stderr"):
        values = getattr(curve, name, None)
        if values is not None:
            cols[name] = values
    for name, values in getattr(curve, "observables", {}).items():
        cols[name] = values
    sigma = {name: f"{name}_stderr" for name in cols if f"{name}_stderr" in cols}
    return cols, sigma, str(curve.metadata.get("sigma_kind", "measured"))


def curve_table(curve, *, source: str | None = None) -> DataTable:
    """A :class:`~qbhw.metrics.ChargingCurve` as a :class:`DataTable` (the columns and σ mapping of
    :func:`curve_to_results_dir`), so that ``curve_table(curve).fit_data("t", "energy")`` uses its σ."""
    cols, sigma, kind = _curve_columns(curve)
    n = len(curve.times)
    columns = {k: np.asarray(v) for k, v in cols.items() if np.asarray(v).shape == (n,)}
    return DataTable(columns=columns, source=source, sigma_columns={k: v for k, v in sigma.items() if k in columns},
                     sigma_kinds={k: kind for k in sigma if k in columns},
                     metadata={"kind": curve.kind, **dict(curve.metadata)})


def curve_to_results_dir(curve, path, *, provenance: Sequence[str] = (), time_unit: str | None = None,
                         energy_unit: str | None = None) -> Path:
    """Write a :class:`~qbhw.metrics.ChargingCurve` (times, energy, work, ergotropy, standard errors,
    observables) with the σ mapping of the columns that have standard errors (``energy_stderr``,
    ``work_stderr``, ``<obs>_stderr``) and their ``sigma_kind`` (``curve.metadata["sigma_kind"]``,
    default ``"measured"``)."""
    cols, sigma, kind = _curve_columns(curve)
    units = {}
    if time_unit:
        units["t"] = time_unit
    if energy_unit:
        units.update({k: energy_unit for k in ("energy", "work", "ergotropy", "energy_stderr", "work_stderr")
                      if k in cols})
    meta = {"kind": curve.kind, **{k: v for k, v in curve.metadata.items()}}
    return write_results_dir(path, cols, units=units, sigma=sigma, sigma_kind={k: kind for k in sigma},
                             provenance=provenance, metadata=meta)
