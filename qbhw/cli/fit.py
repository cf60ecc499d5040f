"""``qbhw fit DATA.csv --model NAME``: fit a measured curve with a named model.

::

    qbhw fit DATA.csv --model NAME [--x COL --y COL --sigma COL|NUMBER|none] [--sigma-kind KIND]
                      [--where COL=VALUE ...] [--set OPTION=VALUE ...] [--guess PARAM=VALUE ...]
                      [--fix PARAM[=VALUE] ...] [--interval linear|profile] [--out DIR] [--json]
    qbhw fit --list-models            (or --model help)

Steps: read the CSV (:func:`qbhw.fit.read_csv`; ``#`` lines are kept as provenance); keep the rows
matching every ``--where COL=VALUE`` (numeric comparison when the column is numeric); build the model
named by ``--model`` from the registry :mod:`qbhw.cli.fit_models` with its ``--set`` options (an
option such as ``n_qubits`` may come from a column of the selected rows); take x, y and σ from
``--x/--y/--sigma`` or the model's default columns; fit with :func:`qbhw.fit.fit_curve`; print a
table of the parameters (value, standard error, 95 % interval) with the quality, χ²_red and the
number of points. ``--out DIR`` writes ``fit.json`` (:meth:`~qbhw.fit.FitResult.to_json`, with the
command's settings under ``extra.cli``) and ``fit.png`` (:func:`~qbhw.fit.plot.plot_fit`, with
normalised residuals); ``--json`` prints the fit as JSON on stdout.

σ kind (``--sigma-kind``): ``measured``/``binomial`` σ are absolute standard errors; an ``estimate``
is used as relative weights and the covariance is scaled by χ²_red. Default: ``estimate`` when the σ
column's name has an ``est``/``estimate`` part (``sigma_shot_est``), else ``measured``.

Exit status: 0 the fit converged (quality good or poor); 2 bad input (unknown model, column, option,
malformed ``--where``/``--set``, missing file; the message names the argument and the allowed
values); 1 the fit failed (quality "bad"; the table and ``--out`` files are still written).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError, DataError, InvalidArgumentError
from ..fit.data import distinct_values
from . import CommandFailed
from .fit_models import describe_models, get_spec, model_names, parse_option_value

__all__ = ["register", "run_command", "parse_assignments", "read_table", "apply_where", "check_single_case",
           "resolve_options", "choose_columns", "sigma_kind_for", "fit_settings", "format_table", "write_outputs"]

#: σ kinds a CSV column can have (``none`` is spelled ``--sigma none``)
SIGMA_KINDS = ("auto", "measured", "estimate", "binomial")
#: the column that tells the curves of a multi-case file apart
CASE_COLUMN = "case"


def register(sub) -> None:
    """Add the ``fit`` subcommand to the ``qbhw`` parser's subparsers ``sub``."""
    p = sub.add_parser("fit", help="fit a measured curve (CSV) with a named model",
                       description="Fit a measured curve in a CSV file with a named model (qbhw fit --list-models).")
    p.add_argument("data", nargs="?", metavar="DATA.csv", help="CSV file (# comment lines are provenance)")
    p.add_argument("--model", metavar="NAME", help="fit model (--list-models, or --model help, lists them)")
    p.add_argument("--list-models", action="store_true", help="list the fit models with their options and exit")
    p.add_argument("--x", metavar="COL", help="column of the independent variable (default: the model's)")
    p.add_argument("--y", metavar="COL", help="column of the fitted values (default: the model's)")
    p.add_argument("--sigma", metavar="COL|NUMBER|none",
                   help="standard errors of y: a column, one number for every point, or none (unit weights)")
    p.add_argument("--sigma-kind", choices=SIGMA_KINDS, default="auto",
                   help="measured/binomial: absolute σ; estimate: σ as weights, covariance scaled by chi2_red "
                        "(auto: estimate when the σ column's name has an 'est' part, else measured)")
    p.add_argument("--where", action="append", default=[], metavar="COL=VALUE",
                   help="keep rows where COL equals VALUE (repeatable; numeric comparison for numeric columns)")
    p.add_argument("--set", action="append", default=[], metavar="OPTION=VALUE", dest="settings",
                   help="a model option (e.g. field=-0.6, n_chargers=3; repeatable; see --list-models)")
    p.add_argument("--guess", action="append", default=[], metavar="PARAM=VALUE",
                   help="initial value of a fit parameter (repeatable)")
    p.add_argument("--fix", action="append", default=[], metavar="PARAM[=VALUE]",
                   help="hold a fit parameter at VALUE (or at its initial guess) (repeatable)")
    p.add_argument("--interval", choices=("linear", "profile"), default="linear",
                   help="95 %% intervals: value +- 1.96 stderr (linear) or the chi2 profile")
    p.add_argument("--out", metavar="DIR", help="write fit.json and fit.png into DIR")
    p.add_argument("--json", action="store_true", help="print the fit as JSON on stdout")
    p.set_defaults(func=run_command)


# ---------------------------------------------------------------------------------------------
# argument parsing
def parse_assignments(items: list[str], argument: str, *, value_required: bool = True) -> dict[str, str | None]:
    """``["a=1", "b=x"]`` → ``{"a": "1", "b": "x"}`` (later items win).

    Parameters
    ----------
    items:
        the ``NAME=VALUE`` strings of a repeatable option.
    argument:
        the option's name (``--where``, ``--set``, …), named in errors.
    value_required:
        when false a bare ``NAME`` is accepted and maps to ``None`` (``--fix amplitude``).

    Raises
    ------
    InvalidArgumentError
        an item without ``=`` (when a value is required) or with an empty name.
    """
    out: dict[str, str | None] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not name or (value_required and not sep):
            form = "NAME=VALUE" if value_required else "NAME or NAME=VALUE"
            raise InvalidArgumentError(f"cannot read {item!r}", argument=argument,
                                       allowed=f"{'COL=VALUE' if argument == '--where' else form}")
        out[name] = value.strip() if sep else None
    return out


def _parse_number(text: str, argument: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InvalidArgumentError(f"{name}={text!r} is not a finite number", argument=argument,
                                   allowed=f"{name}=<real number>")
    return value


# ---------------------------------------------------------------------------------------------
# data
def read_table(path: str | None):
    """The CSV file ``path`` as a :class:`~qbhw.fit.DataTable` (:class:`DataError` naming ``DATA``)."""
    from ..fit import read_csv

    if not path:
        raise DataError("no data file given", argument="DATA", allowed="qbhw fit DATA.csv --model NAME")
    p = Path(path)
    if not p.is_file():
        raise DataError(f"no such file: {p}", argument="DATA", allowed="a readable CSV file")
    return read_csv(p)


def apply_where(table, filters: dict[str, str | None]):
    """The rows of ``table`` matching every ``COL=VALUE`` of ``filters`` (``--where``), in order
    (:meth:`~qbhw.fit.DataTable.rows_where`; errors name ``--where`` and list the columns or values)."""
    return table.rows_where({name: value or "" for name, value in filters.items()}, argument="--where")


def check_single_case(spec, table, where: dict[str, str | None]) -> None:
    """A model that fits one curve refuses a table whose ``case`` column holds several values."""
    if not spec.single_case or CASE_COLUMN not in table.columns:
        return
    cases = list(dict.fromkeys(str(v) for v in table.columns[CASE_COLUMN]))
    if len(cases) > 1:
        hint = f"--where {CASE_COLUMN}={cases[0]}"
        raise DataError(f"{Path(table.source or 'the file').name} holds {len(cases)} cases and model {spec.name!r} "
                        f"fits one curve: select one with --where {CASE_COLUMN}=<case>", argument="--where",
                        column=CASE_COLUMN, allowed=f"{CASE_COLUMN}=<one of {distinct_values(cases)}> (e.g. {hint})")


# ---------------------------------------------------------------------------------------------
# model options
def _format_value(value) -> str:
    return f"{value:g}" if isinstance(value, (float, np.floating)) else str(value)


def _option_from_column(spec, option, table):
    """The single value of ``option.column`` over the selected rows (``None`` when the column is absent)."""
    if option.column is None or option.column not in table.columns:
        return None
    values = list(dict.fromkeys(_format_value(v) for v in table.columns[option.column]))
    if len(values) != 1:
        raise DataError(f"option {option.name!r} of model {spec.name!r} comes from column {option.column!r}, "
                        f"which takes {len(values)} values in the selected rows", argument="--where",
                        column=option.column,
                        allowed=f"--where {option.column}=<one of {distinct_values(values)}>, or --set {option.name}=VALUE")
    return parse_option_value(option, values[0])


def resolve_options(spec, settings: dict[str, str | None], table=None) -> dict[str, Any]:
    """Every option of ``spec``: ``--set`` values, else the option's column in ``table``, else its default.

    Raises
    ------
    ConfigError
        naming ``--set``: an unknown option name, or a required option with no value.
    InvalidArgumentError
        naming ``--set``: a value that does not read as the option's type.
    """
    for name in settings:
        spec.option(name)  # unknown names → ConfigError listing the options
    out: dict[str, Any] = {}
    for opt in spec.options:
        if opt.name in settings:
            out[opt.name] = parse_option_value(opt, settings[opt.name] or "")
            continue
        value = _option_from_column(spec, opt, table) if table is not None else None
        if value is not None:
            out[opt.name] = value
        elif opt.required:
            where = f" (or a column {opt.column!r})" if opt.column else ""
            raise ConfigError(f"model {spec.name!r} needs option {opt.name!r}{where}: {opt.help}",
                              argument="--set", allowed=f"{opt.name}=<{opt.allowed()}>")
        else:
            out[opt.name] = opt.default
    return out


# ---------------------------------------------------------------------------------------------
# columns
def _numeric_names(table) -> list[str]:
    return [n for n, c in table.columns.items() if c.dtype.kind == "f"]


def _pick_column(table, given: str | None, candidates, argument: str) -> str:
    """``given`` if it is a numeric column, else the first candidate present (:class:`DataError` naming
    ``argument`` and listing the numeric columns)."""
    numeric = _numeric_names(table)
    allowed = "one of " + ", ".join(numeric)
    if given is not None:
        if given not in table.columns:
            raise DataError(f"unknown column {given!r} in {table.source}", argument=argument, column=given,
                            allowed=allowed)
        if given not in numeric:
            raise DataError(f"column {given!r} is not numeric", argument=argument, column=given, allowed=allowed)
        return given
    for name in candidates:
        if name in numeric:
            return name
    raise DataError(f"none of the model's default columns ({', '.join(candidates)}) is in {table.source}: "
                    f"name one with {argument} COL", argument=argument, allowed=allowed)


def _pick_sigma(table, given: str | None, y: str, candidates) -> str | float | None:
    """σ from ``--sigma`` (a column, a number or ``none``), else ``<y>_stderr``, ``sigma_<y>``, ``<y>_sigma``
    or the model's candidates (no σ when none of them exists)."""
    if given is not None:
        if given.strip().lower() == "none":
            return None
        if given in table.columns:
            return _pick_column(table, given, (), "--sigma")
        try:
            value = float(given)
        except ValueError:
            raise DataError(f"{given!r} is neither a column nor a number", argument="--sigma", column=given,
                            allowed="a column (one of " + ", ".join(_numeric_names(table)) + "), a number > 0, "
                            "or none") from None
        if not (math.isfinite(value) and value > 0):
            raise InvalidArgumentError(f"got {given!r}", argument="--sigma", allowed="a standard error > 0")
        return value
    numeric = _numeric_names(table)
    for name in (f"{y}_stderr", f"sigma_{y}", f"{y}_sigma", *candidates):
        if name in numeric:
            return name
    return None


def choose_columns(spec, table, x: str | None, y: str | None, sigma: str | None) -> tuple[str, str, str | float | None]:
    """The x, y and σ columns of the fit: the given ones, else the model's defaults (see :func:`_pick_sigma`)."""
    xc = _pick_column(table, x, spec.x, "--x")
    yc = _pick_column(table, y, spec.y, "--y")
    return xc, yc, _pick_sigma(table, sigma, yc, spec.sigma)


def sigma_kind_for(sigma: str | float | None, requested: str) -> str | None:
    """The σ kind of the fit data: ``requested`` unless ``"auto"`` (then ``estimate`` for a column whose
    name has an ``est``/``estimate`` part, ``measured`` otherwise); ``None`` when there is no σ."""
    if sigma is None:
        if requested != "auto":
            raise InvalidArgumentError(f"--sigma-kind {requested} but no sigma", argument="--sigma-kind",
                                       allowed="a --sigma column or number with it")
        return None
    if requested != "auto":
        return requested
    parts = str(sigma).lower().split("_") if isinstance(sigma, str) else []
    return "estimate" if ("est" in parts or "estimate" in parts) else "measured"


# ---------------------------------------------------------------------------------------------
# fit parameters
def _parameter_names(model) -> list[str]:
    """Free-able parameters of ``model`` (not derived by an expression)."""
    prefix = getattr(model, "prefix", "")
    return [k[len(prefix):] for k, p in model.make_params().items() if not p.expr]


def fit_settings(model, guess_items: list[str],
                 fix_items: list[str]) -> tuple[dict[str, float], dict[str, float | None]]:
    """``--guess`` and ``--fix`` as the ``guess``/``fixed`` arguments of :func:`qbhw.fit.fit_curve`.

    Raises
    ------
    ConfigError
        naming ``--guess``/``--fix``: a name that is not a parameter of the model (they are listed).
    InvalidArgumentError
        a value that is not a finite number, or a malformed item.
    """
    names = _parameter_names(model)
    guess_raw = parse_assignments(guess_items, "--guess")
    fix_raw = parse_assignments(fix_items, "--fix", value_required=False)
    for argument, items in (("--guess", guess_raw), ("--fix", fix_raw)):
        for name in items:
            if name not in names:
                raise ConfigError(f"{name!r} is not a parameter of this model", argument=argument,
                                  allowed=", ".join(names))
    guess = {k: _parse_number(v or "", "--guess", k) for k, v in guess_raw.items()}
    fixed = {k: None if v is None else _parse_number(v, "--fix", k) for k, v in fix_raw.items()}
    return guess, fixed


# ---------------------------------------------------------------------------------------------
# output
def _num(value: float | None, fmt: str = ".6g") -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return format(value, fmt)


def _parameter_rows(result) -> list[tuple[str, str, str, str, str]]:
    rows = []
    for p in result.parameter_estimates.values():
        if p.vary or p.derived:
            ci = "n/a" if p.ci95 is None else f"[{_num(p.ci95[0])}, {_num(p.ci95[1])}]"
            note = "derived" if p.derived else ("at bound" if p.at_bound else "")
            rows.append((p.name, _num(p.value), _num(p.stderr, ".3g"), ci, note))
        else:
            rows.append((p.name, _num(p.value), "", "", "fixed"))
    return rows


def format_table(result, *, header: str) -> str:
    """The fit as text: a header line, the parameter table, quality, χ²_red, points, σ note."""
    head = ("parameter", "value", "stderr", "95 % interval", "")
    rows = [head, *_parameter_rows(result)]
    widths = [max(len(r[k]) for r in rows) for k in range(len(head))]
    lines = [header, f"model: {result.model_name}: {result.formula}"]
    for r in rows:
        lines.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())
    flags = f" ({'; '.join(result.flags)})" if result.flags else ""
    lines.append(f"quality: {result.quality}{flags}")
    lines.append(f"chi2_red: {_num(result.redchi, '.4g')}   N points: {result.ndata}"
                 + (f"   dof: {result.dof}" if result.ok else "")
                 + (f"   chi2 p-value: {_num(result.chi2_pvalue, '.3g')}" if result.chi2_pvalue is not None else ""))
    lines.append(f"uncertainties: {result.uncertainty_note}")
    if not result.ok:
        lines.append(f"fit failed: {result.message}")
    return "\n".join(lines)


def write_outputs(result, out: str) -> list[Path]:
    """``fit.json`` and ``fit.png`` (fit with normalised residuals) in the folder ``out``; their paths."""
    from ..fit.plot import plot_fit

    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidArgumentError(f"cannot create {folder}: {exc}", argument="--out",
                                   allowed="a writable folder") from exc
    json_path, png_path = folder / "fit.json", folder / "fit.png"
    result.to_json(json_path)
    plot_fit(result, png_path)
    return [json_path, png_path]


# ---------------------------------------------------------------------------------------------
# the command
def _header(spec, table, where, x, y, sigma, kind) -> str:
    sel = " where " + ", ".join(f"{k}={v}" for k, v in where.items()) if where else ""
    sig = "no sigma (unit weights)" if sigma is None else f"sigma={sigma} ({kind})"
    return (f"qbhw fit: {spec.name} on {Path(table.source or '').name}{sel}: {len(table)} rows; "
            f"x={x}, y={y}, {sig}")


def run_command(args) -> int:
    """Run ``qbhw fit`` (see the module docstring); returns the exit status."""
    from ..fit import fit_curve

    if args.list_models or args.model == "help":
        print(describe_models())
        return 0
    if not args.model:
        raise ConfigError("name a fit model", argument="--model", allowed=", ".join(model_names()))
    spec = get_spec(args.model)
    where = parse_assignments(args.where, "--where")
    settings = parse_assignments(args.settings, "--set")
    for name in settings:
        spec.option(name)
    table = apply_where(read_table(args.data), where)
    check_single_case(spec, table, where)
    options = resolve_options(spec, settings, table)
    x, y, sigma = choose_columns(spec, table, args.x, args.y, args.sigma)
    kind = sigma_kind_for(sigma, args.sigma_kind)
    data = table.fit_data(x, y, sigma, sigma_kind=kind)
    model = spec.build(options)
    guess, fixed = fit_settings(model, args.guess, args.fix)
    result = fit_curve(model, data, guess=guess or None, fixed=fixed or None, interval=args.interval)
    result.extra["cli"] = {"data": str(args.data), "model": spec.name, "options": options, "where": where,
                           "x": x, "y": y, "sigma": sigma, "sigma_kind": kind, "guess": guess, "fixed": fixed,
                           "interval": args.interval}
    if args.json:
        print(result.to_json())
    else:
        print(format_table(result, header=_header(spec, table, where, x, y, sigma, kind)))
    if args.out:
        for path in write_outputs(result, args.out):
            print(f"wrote {path}", file=sys.stderr if args.json else sys.stdout)
    if not result.ok:
        raise CommandFailed(f"fit of {spec.name} failed: {result.message} ({', '.join(result.flags)})")
    return 0
