"""Protocol files: one experiment — a protocol, its parameters, a sweep, a backend — in one TOML file.

``qbhw run FILE`` (and :func:`load_protocol_file` → :meth:`ProtocolFile.run`) reads a file such as::

    # star_charging.toml — star battery with four chargers, J swept, on Aer with shot noise
    protocol = "star_charging"          # required: one of qbhw.protocols.names()
    backend = "aer"                     # exact | pulse | aer | aer:density_matrix | fake:<device> | ibm:<device>
    description = "free text"           # optional

    [parameters]                        # the protocol's Parameters (names carry units: duration_ns, …)
    n_chargers = 4
    times = { start = 0.0, stop = 3.0, num = 31 }   # or a list of times

    [sweep]                             # parameter name → list of values: the run is the grid of all of them
    coupling = [0.25, 0.5, 1.0]

    [analysis]                          # options of the protocol's analyse (qbhw protocols NAME lists them)
    fit = true

    [backend_options]                   # options of the backend; shots and seed are the protocol's
    shots = 2000                        # parameters and may be given here instead of in [parameters]
    seed = 7

Everything is checked before anything runs or any directory is touched: the file's syntax, the top-level
keys (:data:`TOP_LEVEL_KEYS`), the protocol's name, that it runs on the backend, every parameter's type
(no silent coercion: ``"4"`` is not a number) and range (the protocol's own checks), every point of the
sweep, the analysis options and the backend options (the backend is built once to check them). A
mistake raises :class:`~qbhw.errors.FileFormatError` naming the file, the line and the dotted key
(``parameters.n_chargers``, ``sweep.coupling[2]``), with the allowed values — and the closest known key
when a key is misspelt or carries the wrong unit (``duration_us`` → ``duration_ns``).
"""

from __future__ import annotations

import dataclasses
import itertools
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

from .errors import ConfigError, QbhwError
from .schema import SourceFile, file_error, read_toml, strict_model, suggest, validate

__all__ = ["ProtocolFile", "load_protocol_file", "protocol_template", "TOP_LEVEL_KEYS", "MAX_GRID_POINTS"]

#: the keys a protocol file may have at its top level
TOP_LEVEL_KEYS = ("protocol", "backend", "description", "parameters", "sweep", "analysis", "backend_options")
#: protocol parameters that may also be written under [backend_options]
_SAMPLING_KEYS = ("shots", "seed")
#: the largest sweep grid a file may ask for
MAX_GRID_POINTS = 100_000


@dataclass(frozen=True)
class ProtocolFile:
    """A validated protocol file: what :func:`qbhw.run` needs, as written in the file.

    ``protocol``, ``backend``: names; ``parameters``: the base parameters (``shots``/``seed`` from
    ``[backend_options]`` moved here); ``sweep``: parameter name → list of values; ``analysis``: options
    of the protocol's ``analyse``; ``backend_options``: keyword arguments of the backend;
    ``description``: the file's free text; ``file``: where it was read from; ``grid_size``: the number
    of points of the sweep.
    """

    protocol: str
    backend: str
    parameters: dict[str, Any] = field(default_factory=dict)
    sweep: dict[str, list] = field(default_factory=dict)
    analysis: dict[str, Any] = field(default_factory=dict)
    backend_options: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    file: str | None = None
    grid_size: int = 1

    def run(self, *, out=None, executor=None, progress: bool = True, wait: bool = True, figures: bool = True):
        """:func:`qbhw.run` of this file into ``out`` (see there for the executor and resuming)."""
        from .runs import run

        return run(self.protocol, self.parameters, sweep=self.sweep or None, backend=self.backend,
                   backend_options=self.backend_options or None, analysis=self.analysis or None, out=out,
                   executor=executor, progress=progress, wait=wait, figures=figures)


# ---------------------------------------------------------------------------------------------
# schemas
def _top_schema():
    return strict_model("ProtocolFileSchema", {
        "protocol": (str, ...), "backend": (Optional[str], None), "description": (Optional[str], None),
        "parameters": (dict[str, Any], {}), "sweep": (dict[str, Any], {}), "analysis": (dict[str, Any], {}),
        "backend_options": (dict[str, Any], {})})


def _field_type(annotation):
    """The pydantic type that checks what a TOML file may give for a parameter of this annotation."""
    from pydantic import StrictBool, StrictInt, StrictStr

    if annotation is Any:
        return Any
    if typing.get_origin(annotation) in (Union, types.UnionType):
        inner = tuple(_field_type(a) for a in typing.get_args(annotation) if a is not type(None))
        return Optional[Union[inner]] if len(inner) > 1 else Optional[inner[0]]
    return {int: StrictInt, float: float, str: StrictStr, bool: StrictBool,
            tuple: Union[list, dict[str, Any]], list: list, dict: dict[str, Any]}.get(annotation, Any)


def _parameter_types(parameters_class) -> dict[str, Any]:
    try:
        hints = typing.get_type_hints(parameters_class)
    except Exception:  # noqa: BLE001 - an annotation that cannot be resolved is checked by the protocol only
        hints = {}
    return {f.name: _field_type(hints.get(f.name, Any)) for f in dataclasses.fields(parameters_class)}


def _parameters_schema(module, types: dict[str, Any]):
    return strict_model(f"{module.NAME}_parameters", {name: (t, None) for name, t in types.items()})


def _sweep_schema(module, types: dict[str, Any]):
    from pydantic import Field

    return strict_model(f"{module.NAME}_sweep",
                        {name: (Optional[list[t]], Field(None, min_length=1)) for name, t in types.items()})


# ---------------------------------------------------------------------------------------------
# loading
def load_protocol_file(path=None, *, text: str | None = None, backend: str | None = None) -> ProtocolFile:
    """Read and validate a protocol file (or its ``text``); ``backend`` overrides the file's backend.

    Raises :class:`~qbhw.errors.FileFormatError` (file, line, dotted key, allowed values) for any
    mistake; nothing is run and no directory is touched.
    """
    source = read_toml(path, text=text)
    top = validate(_top_schema(), source)
    module = _protocol(source, top.protocol)
    backend_name = _backend(source, module, backend if backend is not None else top.backend)
    types = _parameter_types(module.Parameters)
    parameters, moved = _merge_sampling(source, dict(top.parameters), dict(top.backend_options))
    validate(_parameters_schema(module, types), source, parameters, at=("parameters",))
    base = _build(source, module, parameters, moved)
    validate(_sweep_schema(module, types), source, dict(top.sweep), at=("sweep",))
    grid = _check_grid(source, base, dict(top.sweep))
    analysis = _analysis(source, module, dict(top.analysis))
    options = {k: v for k, v in top.backend_options.items() if k not in _SAMPLING_KEYS}
    _check_backend_options(source, backend_name, options, from_cli=backend is not None)
    return ProtocolFile(protocol=module.NAME, backend=backend_name, parameters=parameters, sweep=dict(top.sweep),
                        analysis=analysis, backend_options=options, description=top.description,
                        file=source.file, grid_size=grid)


def _protocol(source: SourceFile, name: str):
    from . import protocols

    if name not in protocols.names():
        raise source.error(f"unknown protocol {name!r}" + suggest(name, protocols.names()), ("protocol",),
                           allowed=", ".join(protocols.names()))
    return protocols.get(name)


def default_backend(module) -> str:
    """The backend of a protocol file that names none: ``exact`` when the protocol runs there, else its first."""
    supported = tuple(module.BACKENDS)
    return "exact" if "exact" in supported else supported[0]


def _backend(source: SourceFile, module, name: str | None) -> str:
    from .protocols.base import BACKEND_KINDS, backend_label

    supported = tuple(module.BACKENDS)
    if name is None:
        return default_backend(module)
    name = name.strip()
    kind = name.lower().split(":", 1)[0]
    forms = " | ".join(backend_label(k) for k in supported)
    if kind not in BACKEND_KINDS:
        raise source.error(f"unknown backend {name!r}", ("backend",), allowed=forms)
    if kind not in supported:
        raise source.error(f"protocol {module.NAME!r} cannot run on backend {name!r}", ("backend",), allowed=forms)
    if kind in ("fake", "ibm") and not name.split(":", 1)[1:] or name.endswith(":"):
        raise source.error(f"backend {name!r} names no device", ("backend",), allowed=forms)
    return name


def _merge_sampling(source: SourceFile, parameters: dict, options: dict) -> tuple[dict, set]:
    """``shots``/``seed`` written under [backend_options] moved into the parameters (not both places)."""
    moved = set()
    for key in _SAMPLING_KEYS:
        if key in options:
            if key in parameters:
                raise source.error(f"{key!r} is given both in [parameters] and in [backend_options]",
                                   ("backend_options", key), allowed="one of the two")
            parameters[key] = options[key]
            moved.add(key)
    return parameters, moved


def _build(source: SourceFile, module, parameters: dict, moved: set):
    names = [f.name for f in dataclasses.fields(module.Parameters)]
    try:
        return module.Parameters(**parameters)
    except QbhwError as exc:
        arg = str(getattr(exc, "argument", "") or "")
        at = ("backend_options",) if arg in moved else ("parameters",)
        raise file_error(exc, source, at, known=names) from None


def _check_grid(source: SourceFile, base, sweep: dict) -> int:
    """Every value of the sweep, alone and in every combination, is a valid point; the grid's size."""
    size = 1
    for name, values in sweep.items():
        size *= len(values)
        for i, value in enumerate(values):
            try:
                base.replace(**{name: value})
            except QbhwError as exc:
                raise file_error(exc, source, ("sweep", name, i), known=()) from None  # the value's line
    if size > MAX_GRID_POINTS:
        raise source.error(f"the sweep has {size} points", ("sweep",), allowed=f"at most {MAX_GRID_POINTS} points")
    if len(sweep) > 1:
        names = list(sweep)
        for combo in itertools.product(*(sweep[n] for n in names)):
            try:
                base.replace(**dict(zip(names, combo)))
            except QbhwError as exc:
                point = ", ".join(f"{n} = {v!r}" for n, v in zip(names, combo))
                raise source.error(f"the point ({point}) is invalid: {exc}", ("sweep",)) from None
    return size


def _analysis(source: SourceFile, module, options: dict) -> dict:
    from .protocols import check_analysis_options

    try:
        return check_analysis_options(module, options)
    except QbhwError as exc:
        raise file_error(exc, source) from None


def _check_backend_options(source: SourceFile, name: str, options: dict, *, from_cli: bool) -> None:
    """Option names against the backend's (:func:`qbhw.backends.backend_option_names`); values by building
    the backend (not ``ibm:``, which would contact IBM Quantum)."""
    from .backends import backend_option_names, get_backend

    known = list(backend_option_names(name))
    for key in options:
        if key not in known:
            raise source.error(f"{key!r} is not an option of the {name!r} backend" + suggest(key, known),
                               ("backend_options", key), allowed=", ".join([*known, *_SAMPLING_KEYS]))
    if name.lower().startswith("ibm:"):
        return
    try:
        get_backend(name, **options)
    except QbhwError as exc:
        where = ("backend",) if not options or str(getattr(exc, "argument", "")) == "backend" else ("backend_options",)
        if from_cli and where == ("backend",):
            raise ConfigError(str(exc), argument="--backend") from None
        raise file_error(exc, source, where, known=list(options)) from None
    except Exception as exc:  # noqa: BLE001 - a backend that rejects an option value in its own words
        raise source.error(f"the {name!r} backend rejects these options: {type(exc).__name__}: {exc}",
                           ("backend_options", *options.keys())[:2 if len(options) == 1 else 1]) from None


def default_out(pf: ProtocolFile) -> Path:
    """Where ``qbhw run`` puts a run when no ``--out`` is given: ``runs/<file stem>``."""
    stem = Path(pf.file).stem if pf.file else pf.protocol
    return Path("runs") / stem


# ---------------------------------------------------------------------------------------------
# a template to start from (qbhw protocols NAME --template)
def _toml_value(value) -> str | None:
    """``value`` written as TOML, or ``None`` when TOML cannot hold it (``None``, an object)."""
    import json
    import math

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value == math.inf else "-inf" if value == -math.inf
                                                else repr(value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        items = [(k, _toml_value(v)) for k, v in value.items()]
        return None if any(v is None for _, v in items) else "{ " + ", ".join(f"{k} = {v}" for k, v in items) + " }"
    if isinstance(value, (list, tuple)):
        items = [_toml_value(v) for v in value]
        return None if any(v is None for v in items) else "[" + ", ".join(items) + "]"
    return None


def protocol_template(protocol, *, backend: str | None = None) -> str:
    """A protocol file for ``protocol`` with every parameter at its default, each line commented with its
    unit and meaning (parameters without a TOML value, such as an unset ``None``, are commented out); the
    ``[sweep]``, ``[analysis]`` and ``[backend_options]`` tables list what may go there. Loading it with
    :func:`load_protocol_file` gives the protocol's default parameters."""
    from . import protocols

    module = protocols.get(protocol)
    supported = tuple(module.BACKENDS)
    backend = backend or default_backend(module)
    head = (module.__doc__ or "").strip().split("\n\n", 1)[0].replace("\n", " ")
    rows = module.Parameters.field_table()
    defaults = {f.name: getattr(module.Parameters(), f.name) for f in dataclasses.fields(module.Parameters)}
    lines = [f"# {module.NAME}: {head}" if head else f"# {module.NAME}", f"protocol = {_toml_value(module.NAME)}",
             f"backend = {_toml_value(backend)}            # runs on: {', '.join(supported)}", "", "[parameters]"]
    for row in rows:
        name = row["name"]
        table = row["default"] if isinstance(row["default"], Mapping) else None
        value = _toml_value(table) if table is not None else _toml_value(defaults[name])
        unit = row["unit"] or "dimensionless" if row["unit"] is not None else "unit not declared"
        note = f"{unit}; {row['description']}" if row["description"] else unit
        lines.append(f"{name} = {value}    # {note}" if value is not None else f"# {name} =    # {note} (unset)")
    options = protocols.analysis_options(module)
    own = [r for r in rows if r["name"] not in _SAMPLING_KEYS]
    lines += ["", "[sweep]                # parameter name = [values]: the run is the grid of all of them",
              "# " + (f"{own[0]['name']} = [...]" if own else "name = [...]"), "",
              "[analysis]             # options of the analysis, with their defaults"]
    for name, option in options.items():
        value = _toml_value(option.default)
        lines.append(f"# {name} = {value}" if value is not None else f"# {name} =")
    lines += ["", "[backend_options]      # shots and seed may be given here; other options of the backend",
              "# shots = 1000", "# seed = 1", ""]
    return "\n".join(lines)
