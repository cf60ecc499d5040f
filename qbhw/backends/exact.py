"""``exact``: the exact solvers (symmetry-reduced models of :mod:`qbhw.models` through :func:`qbhw.charge`).

The program's exact reference is used directly: no circuits, no Trotter error, no noise. For
programs built from a model this is the model's reduced solver; otherwise the exact propagation
of the encoded Hamiltonian (or the closed form / ODE reference the compiler attached).
"""

from __future__ import annotations

import numpy as np

from ..compile.program import ChargingProgram
from ..errors import InvalidArgumentError
from ..metrics import ChargingCurve, check_times, make_charging_curve
from .base import Backend, check_program, write_curve

__all__ = ["ExactBackend"]


class ExactBackend(Backend):
    """Exact (noise-free, Trotter-free) charging curves."""

    name = "exact"
    num_qubits = None

    def run(self, program: ChargingProgram, times, *, shots: int | None = None, tomography: bool = False,
            seed: int | None = None, results_dir=None) -> ChargingCurve:
        program = check_program(program, None, self.name)
        if shots is not None:
            raise InvalidArgumentError("the exact backend gives exact values", argument="shots", allowed="None")
        if tomography:
            raise InvalidArgumentError("the exact backend knows the state", argument="tomography", allowed="False")
        t = check_times(times, allow_single=True)
        ref = program.exact_reference(t)
        obs = {k: np.asarray(v) for k, v in ref.observables.items()}
        e0 = program.exact_reference(np.array([0.0])).energy[0] if t[0] != 0 else ref.energy[0]
        curve = make_charging_curve(t, ref.energy, work=np.asarray(ref.energy) - e0, ergotropy=ref.ergotropy,
                                    observables=obs,
                                    metadata={"program": program.name, **program.metadata, "backend": self.name,
                                              "reference": ref.source})
        if results_dir is not None:
            write_curve(curve, f"{results_dir}/curve.json")
        return curve

    def run_model(self, model, times, *, compile_options: dict | None = None, shots: int | None = None,
                  tomography: bool = False, seed: int | None = None, results_dir=None,
                  **charge_options) -> ChargingCurve:
        """The model's exact charging curve, :func:`qbhw.charge` (symmetry-reduced; no circuits).

        Work is referred to t = 0 (review Eq. 3): when ``times`` does not start at 0 the solver is run on
        the grid with 0 prepended and that point is dropped. ``charge_options`` go to :func:`qbhw.charge`
        (``ergotropy``, ``space``, ``method``, …); ``compile_options`` are ignored (nothing is compiled).
        """
        from ..solvers import charge

        if shots is not None:
            raise InvalidArgumentError("the exact backend gives exact values", argument="shots", allowed="None")
        if tomography:
            raise InvalidArgumentError("the exact backend knows the state", argument="tomography", allowed="False")
        t = check_times(times)
        if t[0] < 0:
            raise InvalidArgumentError(f"starts at {t[0]:g}", argument="times", allowed="times >= 0")
        grid = t if t[0] == 0 else np.concatenate([[0.0], t])
        full = charge(model, grid, **charge_options)
        if grid.size == t.size:
            curve = full
        else:
            power = full.power.power
            curve = make_charging_curve(
                t, full.energy[1:], work=full.work[1:], ergotropy=None if full.ergotropy is None else full.ergotropy[1:],
                power=None if power is None else power[1:], kind=full.kind, metadata=full.metadata,
                observables={k: np.asarray(v)[1:] for k, v in full.observables.items()})
        curve.metadata["backend"] = self.name
        if results_dir is not None:
            write_curve(curve, f"{results_dir}/curve.json")
        return curve
