"""The one interface every backend implements: ``run(program, times) -> ChargingCurve``."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from pathlib import Path

from ..compile.program import ChargingProgram
from ..errors import DataError, DimensionMismatchError, InvalidArgumentError
from ..metrics import ChargingCurve
from ..serialization import atomic_write_text

__all__ = ["Backend", "check_program", "write_curve", "read_curve"]


def check_program(program, num_qubits: int | None, backend_name: str) -> ChargingProgram:
    """A :class:`ChargingProgram` that fits on the backend (``num_qubits=None``: no limit)."""
    if not isinstance(program, ChargingProgram):
        raise InvalidArgumentError(f"got {type(program).__name__}", argument="program",
                                   allowed="a ChargingProgram from qbhw.compile")
    if num_qubits is not None and program.num_qubits > num_qubits:
        raise DimensionMismatchError(
            f"the program needs {program.num_qubits} qubits but backend {backend_name!r} has {num_qubits}",
            argument="program", allowed=f"at most {num_qubits} qubits")
    return program


class Backend(ABC):
    """Runs a compiled charging program and returns a :class:`~qbhw.metrics.ChargingCurve`.

    ``curve.energy`` is ``⟨H_B⟩`` (ground energy 0), ``curve.work`` = E − E(t_0); sampled
    backends add ``energy_stderr`` (shot noise) and, when the battery Hamiltonian is diagonal
    in one measured basis, ``ergotropy_lower_bound`` (population bound); ``curve.ergotropy`` is
    ``None`` unless the state is known (state simulation, tomography). Every curve carries
    ``trotter_energy_bound`` (the compiled circuits' rigorous Trotter bound on the energy).
    """

    name: str = "backend"
    #: number of qubits available (None: limited only by memory)
    num_qubits: int | None = None

    @abstractmethod
    def run(self, program: ChargingProgram, times, *, shots: int | None = None, tomography: bool = False,
            seed: int | None = None, results_dir=None) -> ChargingCurve:
        """Charging curve of ``program`` on ``times``."""

    def run_model(self, model, times, *, compile_options: dict | None = None, **run_options) -> ChargingCurve:
        """Charging curve of a battery model: the model is compiled to circuits by
        :func:`qbhw.compile.compile_model` (options ``compile_options``) and run with :meth:`run`
        (``run_options``: shots, tomography, seed, results_dir, …). The exact backend overrides this and
        solves the model directly (:func:`qbhw.charge`)."""
        from ..compile import compile_model

        program = compile_model(model, **dict(compile_options or {}))
        return self.run(program, times, **run_options)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


def write_curve(curve: ChargingCurve, path) -> Path:
    """Write a curve as JSON (:meth:`ChargingCurve.to_json`), atomically: a reader sees the old file or the
    complete new one, never a half-written one."""
    return atomic_write_text(path, curve.to_json())


def read_curve(path) -> ChargingCurve:
    """Read a curve written by :func:`write_curve` (:class:`~qbhw.errors.DataError` when the file is not
    a complete curve)."""
    path = Path(path)
    try:
        return ChargingCurve.from_json(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError) as exc:
        raise DataError(f"{path} is not a complete qbhw curve ({exc})", argument="path",
                        allowed="a file written by write_curve") from exc
