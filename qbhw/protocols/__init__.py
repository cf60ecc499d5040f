"""Battery protocols as first-class objects: parameters → acquisition → analysis → plot.

Every protocol is one module of this package, in one shape (see :mod:`qbhw.protocols.base`)::

    from qbhw import protocols
    star = protocols.get("star_charging")
    p = star.Parameters(n_chargers=4, coupling=0.5, times={"start": 0, "stop": 2, "num": 41})
    data = star.acquire(p, "exact")            # or "aer", "fake:sherbrooke", "ibm:<device>"
    results = star.analyse(data)               # fit (qbhw.fit) + figures of merit
    fig = star.plot(data, results)             # a matplotlib Figure

``names()`` lists the registered protocols and ``get(name)`` returns one (the module, which has
``.Parameters``, ``.acquire``, ``.analyse``, ``.plot``, ``.Results`` and ``.BACKENDS``, the kinds of
backend it runs on). ``register(name, module)`` adds a user protocol of the same shape.

The physics of a protocol lives below this package (models, solvers, pulse, compile); a protocol
module only wires it together.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping
from types import ModuleType
from typing import Any, NamedTuple

from ..errors import ConfigError
from .base import ChargingResults, Data, ProtocolParameters, Results

__all__ = ["names", "get", "register", "analysis_options", "check_analysis_options", "AnalysisOption", "PROTOCOLS",
           "Data", "Results", "ChargingResults", "ProtocolParameters"]

#: the protocols shipped with qbhw: name → module (imported on first use)
PROTOCOLS: dict[str, str] = {
    "dicke_charging": "qbhw.protocols.dicke_charging",
    "tavis_cummings_charging": "qbhw.protocols.tavis_cummings_charging",
    "rabi_charging": "qbhw.protocols.rabi_charging",
    "star_charging": "qbhw.protocols.star_charging",
    "ising_charging": "qbhw.protocols.ising_charging",
    "spin_chain_charging": "qbhw.protocols.spin_chain_charging",
    "stirap_charging": "qbhw.protocols.stirap_charging",
    "stirap_storage": "qbhw.protocols.stirap_storage",
    "pi_pulse_charging": "qbhw.protocols.pi_pulse_charging",
    "counterdiabatic_stirap": "qbhw.protocols.counterdiabatic_stirap",
    "single_qubit_drive": "qbhw.protocols.single_qubit_drive",
    "driven_qubit": "qbhw.protocols.driven_qubit",
    "collision_charging": "qbhw.protocols.collision_charging",
    "dfs_storage": "qbhw.protocols.dfs_storage",
    "dark_state_charging": "qbhw.protocols.dark_state_charging",
    "environment_assisted_charging": "qbhw.protocols.environment_assisted_charging",
    "measurement_stabilisation": "qbhw.protocols.measurement_stabilisation",
    "feedback_charging": "qbhw.protocols.feedback_charging",
    "microcavity_superabsorption": "qbhw.protocols.microcavity_superabsorption",
    "nmr_star_charging": "qbhw.protocols.nmr_star_charging",
    "nmr_star_storage": "qbhw.protocols.nmr_star_storage",
    # calibration routines (qbhw.calibration runs them in dependency order)
    "ef_spectroscopy": "qbhw.protocols.ef_spectroscopy",
    "rabi_01": "qbhw.protocols.rabi_01",
    "rabi_12": "qbhw.protocols.rabi_12",
    "drag": "qbhw.protocols.drag",
    "readout": "qbhw.protocols.readout",
    "t1": "qbhw.protocols.t1",
    "ramsey": "qbhw.protocols.ramsey",
    "stirap_tuneup": "qbhw.protocols.stirap_tuneup",
}

_REQUIRED = ("Parameters", "acquire", "analyse", "plot")
_EXTRA: dict[str, ModuleType] = {}


def names() -> list[str]:
    """Names of every registered protocol (sorted)."""
    return sorted({*PROTOCOLS, *_EXTRA})


def _check_shape(name: str, module) -> None:
    missing = [a for a in _REQUIRED if not hasattr(module, a)]
    if missing:
        raise ConfigError(f"protocol {name!r} lacks {', '.join(missing)}", argument="module",
                          allowed="a module with Parameters, acquire, analyse and plot")


def get(name) -> ModuleType:
    """The protocol called ``name`` (a module with ``Parameters``, ``acquire``, ``analyse``, ``plot``).

    A module of that shape is returned unchanged, so functions taking a protocol accept either.
    """
    if isinstance(name, ModuleType):
        _check_shape(getattr(name, "NAME", name.__name__), name)
        return name
    if not isinstance(name, str):
        raise ConfigError(f"got {type(name).__name__}", argument="protocol", allowed="a protocol name or module")
    if name in _EXTRA:
        return _EXTRA[name]
    if name not in PROTOCOLS:
        raise ConfigError(f"unknown protocol {name!r}", argument="protocol", allowed=", ".join(names()))
    module = importlib.import_module(PROTOCOLS[name])
    _check_shape(name, module)
    return module


def register(name: str, module: ModuleType) -> None:
    """Register a user protocol module (same shape as the shipped ones) under ``name``."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ConfigError(f"got {name!r}", argument="name", allowed="a Python identifier")
    if name in PROTOCOLS:
        raise ConfigError(f"{name!r} is a shipped protocol", argument="name", allowed="a new name")
    _check_shape(name, module)
    _EXTRA[name] = module


#: keyword arguments of :func:`qbhw.fit.fit_curve` that an ``analyse(..., **fit_options)`` passes on
_FIT_OPTIONS = ("guess", "fixed", "bounds", "interval", "scale_covar", "method", "max_nfev", "fit_kws", "reweight")


class AnalysisOption(NamedTuple):
    """One option of a protocol's ``analyse``: its ``name``, ``default`` (``None`` when it has none), its
    ``annotation`` (as written, or ``None``) and ``source``: ``"analyse"``, or ``"qbhw.fit.fit_curve"``
    for an option the analysis passes on to the fit."""

    name: str
    default: Any
    annotation: Any
    source: str


def _option(par: inspect.Parameter, source: str) -> AnalysisOption:
    return AnalysisOption(par.name, None if par.default is inspect.Parameter.empty else par.default,
                          None if par.annotation is inspect.Parameter.empty else par.annotation, source)


def analysis_options(protocol) -> dict[str, AnalysisOption]:
    """The options of a protocol's ``analyse`` (name → :class:`AnalysisOption`), in order: its keyword
    parameters, then the options of :func:`qbhw.fit.fit_curve` when it forwards extra keywords to the fit
    (``**fit_options``)."""
    module = get(protocol)
    out: dict[str, AnalysisOption] = {}
    forwards = False
    for i, par in enumerate(inspect.signature(module.analyse).parameters.values()):
        if i == 0:  # the data
            continue
        if par.kind is inspect.Parameter.VAR_KEYWORD:
            forwards = True
        elif par.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            out[par.name] = _option(par, "analyse")
    if forwards:
        from ..fit import fit_curve

        sig = inspect.signature(fit_curve).parameters
        out.update({k: _option(sig[k], "qbhw.fit.fit_curve") for k in _FIT_OPTIONS if k in sig and k not in out})
    return out


def check_analysis_options(protocol, options) -> dict[str, Any]:
    """``options`` as a plain dict after checking every name is an option of the protocol's ``analyse``
    (:func:`analysis_options`); an unknown name raises :class:`ConfigError` naming ``analysis.<name>``."""
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise ConfigError(f"got {type(options).__name__}", argument="analysis",
                          allowed="a dict of options of the protocol's analyse")
    known = analysis_options(protocol)
    for name in options:
        if name not in known:
            raise ConfigError(f"{name!r} is not an option of {getattr(get(protocol), 'NAME', protocol)}.analyse",
                              argument=f"analysis.{name}", allowed=", ".join(known) or "no options")
    return {str(k): v for k, v in options.items()}
