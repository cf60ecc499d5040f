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
from types import ModuleType

from ..errors import ConfigError
from .base import ChargingResults, Data, ProtocolParameters, Results

__all__ = ["names", "get", "register", "PROTOCOLS", "Data", "Results", "ChargingResults", "ProtocolParameters"]

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
