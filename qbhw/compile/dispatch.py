"""One battery object through every stage: :func:`compile_model` compiles a model by its type.

``compile_model(model, **options) -> ChargingProgram`` is a :func:`functools.singledispatch`
function. The circuit builders of this package register their model classes with it:

* cavity batteries (:mod:`qbhw.compile.cavity`): ``DickeBattery`` (Ferraro et al., PRL 120, 117702,
  2018; review Eqs. 28–32), ``TavisCummingsBattery``, ``RabiBattery`` (review Eq. 33) — all derive
  from ``CavityBattery``, which is registered too; options ``order``, ``max_step``, ``steps``,
  ``on_truncation``, ``truncation_threshold``, ``times`` (the run's times: the photon cut-off converges over them);
* ``StarBattery`` (:mod:`qbhw.compile.star`; Joshi & Mahesh, PRA 106, 042601, 2022): options
  ``order``, ``max_step``, ``steps``, ``samples``, ``seed``;
* ``TransverseIsingBattery`` (:mod:`qbhw.compile.qubit_models`; Hoang, Metz et al.,
  arXiv:2308.03334): options ``order``, ``max_step``, ``steps``;
* the direct-charging qubit models (review Eq. 25) ``SpinChainBattery``, ``SYKBattery``,
  ``MBLBattery``, ``QSLBattery`` (any ``DirectQubitBattery``), expanded in Pauli strings:
  options ``order``, ``max_step``, ``steps``.

Every program's exact reference is ``qbhw.charge(model, times)`` of the compiled model (for cavity
models with ``cutoff=None`` the model with the compiler's binary-register cut-off). Model variants
the circuits cannot represent raise :class:`~qbhw.errors.ConfigError` naming the argument; a model
type without a compiler raises :class:`~qbhw.errors.ConfigError` listing the supported ones.
"""

from __future__ import annotations

from functools import singledispatch
from typing import Iterable

from ..errors import ConfigError

__all__ = ["compile_model", "supported_models", "check_compile_options"]


@singledispatch
def compile_model(model, **options):
    """Compile ``model`` into a :class:`~qbhw.compile.program.ChargingProgram` (see module docstring).

    Parameters
    ----------
    model:
        A battery model of :mod:`qbhw.models` whose type has a registered compiler.
    **options:
        The compiler's options for that type (Trotter ``order``, ``max_step`` or ``steps``, …).
    """
    raise ConfigError(f"no circuit compiler for {type(model).__name__}", argument="model",
                      allowed=supported_models())


def supported_models() -> str:
    """Names of the model classes :func:`compile_model` accepts (subclasses included)."""
    names = sorted({cls.__name__ for cls in compile_model.registry if cls is not object})
    return ", ".join(names)


def check_compile_options(model, unknown: dict, allowed: Iterable[str]) -> None:
    """Raise :class:`~qbhw.errors.ConfigError` for options the compiler of ``model`` does not know."""
    if unknown:
        raise ConfigError(f"unexpected options {sorted(unknown)} for {type(model).__name__}", argument="options",
                          allowed=", ".join(allowed))
