"""``get_backend(name)``: one name for every way of running a charging program.

========================  =====================================================================
name                      backend
========================  =====================================================================
``exact``                 exact symmetry-reduced solvers (:class:`ExactBackend`)
``pulse``                 pulse-level solver of :mod:`qbhw.pulse` (:class:`PulseBackend`)
``aer``                   Aer statevector (``aer:statevector``), ``aer:density_matrix``;
                          ``noise=<device>`` for ``AerSimulator.from_backend``
``fake:<name>``           qiskit-ibm-runtime local mode on a fake backend (offline)
``ibm:<name>``            IBM Quantum through the user's saved Qiskit Runtime account
========================  =====================================================================
"""

from __future__ import annotations

import inspect

from ..errors import ConfigError
from .aer import AER_METHODS, AerBackend
from .base import Backend
from .exact import ExactBackend
from .pulse import PulseBackend
from .runtime import FakeBackend, IBMQuantumBackend

__all__ = ["get_backend", "backend_option_names", "BACKEND_KINDS", "run"]

BACKEND_KINDS = ("exact", "pulse", "aer", "aer:statevector", "aer:density_matrix", "fake:<name>", "ibm:<name>")


def get_backend(name, **options) -> Backend:
    """The backend called ``name`` (table above); ``options`` go to its constructor."""
    if isinstance(name, Backend):
        return name
    if not isinstance(name, str):
        raise ConfigError(f"got {type(name).__name__}", argument="backend", allowed=" | ".join(BACKEND_KINDS))
    key = name.strip()
    low = key.lower()
    if low == "exact":
        return ExactBackend(**options)
    if low == "pulse":
        return PulseBackend(**options)
    if low == "aer" or low.startswith("aer:"):
        method = low.split(":", 1)[1] if ":" in low else options.pop("method", "statevector")
        if method not in AER_METHODS:
            raise ConfigError(f"unknown Aer method {method!r}", argument="backend",
                              allowed=" | ".join(f"aer:{m}" for m in AER_METHODS))
        return AerBackend(method, **options)
    if low.startswith("fake:"):
        return FakeBackend(key.split(":", 1)[1], **options)
    if low.startswith("ibm:"):
        return IBMQuantumBackend(key.split(":", 1)[1], **options)
    raise ConfigError(f"unknown backend {name!r}", argument="backend", allowed=" | ".join(BACKEND_KINDS))


#: the class :func:`get_backend` builds for each kind of name (the part before ``:``)
_CLASSES = {"exact": ExactBackend, "pulse": PulseBackend, "aer": AerBackend, "fake": FakeBackend,
            "ibm": IBMQuantumBackend}
#: constructor parameters that are not options a user passes by keyword (the name carries them, or they
#: are access paths that are never stored)
_NOT_OPTIONS = ("self", "name", "device_name", "method", "service", "account")


def backend_option_names(name: str) -> tuple[str, ...]:
    """The keyword options :func:`get_backend` accepts for the backend called ``name`` (its class's
    ``OPTIONS`` when it declares them, else the keyword parameters of the constructors along its class
    hierarchy, which pass ``**options`` on to their base)."""
    kind = str(name).strip().lower().split(":", 1)[0]
    if kind not in _CLASSES:
        raise ConfigError(f"unknown backend {name!r}", argument="backend", allowed=" | ".join(BACKEND_KINDS))
    cls = _CLASSES[kind]
    known = list(getattr(cls, "OPTIONS", ()))
    if not known:
        for klass in cls.__mro__:
            if "__init__" in vars(klass) and klass is not object:
                for k, p in inspect.signature(klass.__init__).parameters.items():
                    if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD) and k not in known:
                        known.append(k)
    return tuple(k for k in known if k not in _NOT_OPTIONS)


def run(program, times, backend="aer", *, shots=None, tomography=False, seed=None, results_dir=None, **options):
    """Convenience: ``get_backend(backend, **options).run(program, times, ...)``."""
    return get_backend(backend, **options).run(program, times, shots=shots, tomography=tomography, seed=seed,
                                               results_dir=results_dir)
