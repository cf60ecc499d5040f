"""Star-topology charging on gates (idealised Joshi & Mahesh NMR battery; seed-spec §3.4).

Register: battery qubit 0, chargers 1…𝒩 (as in ``StarBattery.full_space()``). Generator

    H = ω_b |e⟩⟨e|_B + ω_c Σ_j |e⟩⟨e|_j + J Σ_j (σ_B^+ σ_j^− + h.c.),
    J(σ_B^+σ_j^− + h.c.) = (J/2)(X_B X_j + Y_B Y_j)  →  XXPlusYYGate(2 J δ) for a step δ.

The exchange terms share the battery qubit and do not commute: a Trotter step applies them
one after another (first order: one ``XXPlusYYGate(2Jδ)`` per charger; second order: the
palindrome with half steps). The Zeeman part commutes with the exchange at resonance
(ω_c = ω_b), so only the exchange ordering contributes to the (reported, rigorous) error bound.

Initial states (``initial=``):

* ``"pure"`` — battery |g⟩, chargers inverted by a π pulse (X): |g⟩|e…e⟩;
* ``"thermal"`` — every spin thermal at ``beta`` (p_e = 1/(1 + e^{βω})), then the π pulse on the
  chargers; enumerated exactly (``samples=None``) or sampled (``samples=k``);
* ``"high_temperature"`` — the NMR linear-response state ρ ∝ 1 + ε(−σ_B^z + w Σ_j σ_j^z): all
  2^{𝒩+1} bitstrings with the signed weights ``(−s_B + w Σ_j s_j)/2^{𝒩+1}`` (s = ±1 the σ^z value
  after the π pulse). The program's ``polarization`` observable (σ_B^z = −Z_B) is then
  ``P(t) = ⟨σ_B^z⟩/ε`` and its energy the ε-coefficient ``ω_b P(t)/2``.

The program is built from a :class:`~qbhw.models.StarBattery` (:func:`compile_model` dispatches on
it; :func:`star_charging` builds the model from scalars and compiles it), and its exact reference
is ``qbhw.charge(model, times)`` for every initial state: the collective-spin sectors for
``"pure"`` and ``"thermal"`` (also for sampled ensembles: the reference is the exact thermal average)
and, for ``"high_temperature"``, the ε-coefficient ``ω_b P(t)/2`` of the energy with
``P = curve.polarization``. A finite ``epsilon`` is not compiled (``ConfigError``): the circuits
encode the linear-response state.
"""

from __future__ import annotations

from qiskit.quantum_info import SparsePauliOp

from ..errors import ConfigError, InvalidArgumentError
from ..metrics._inputs import check_finite_real, check_positive_int
from ..models.star import StarBattery
from ..solvers import charge
from .dispatch import check_compile_options, compile_model
from .fragments import CommutingPauliFragment, ExchangeFragment
from .operators import cell_energy_operator
from .program import ChargingProgram, ExactReference, InitialState, TrotterEvolution
from .states import basis_state_circuit, excited_population, thermal_ensemble
from .trotter import ProductFormula

__all__ = ["star_charging", "compile_star", "STAR_CIRCUIT_INITIAL_STATES"]

STAR_CIRCUIT_INITIAL_STATES = ("pure", "thermal", "high_temperature")
STAR_OPTIONS = ("order", "max_step", "steps", "samples", "seed")


def compile_star(model: StarBattery, *, order: int = 2, max_step: float | None = 0.1, steps: int | None = None,
                 samples: int | None = None, seed=None, **unknown) -> ChargingProgram:
    """Compile a star battery (module docstring); what :func:`compile_model` runs for ``StarBattery``.

    ``samples``/``seed``: the thermal state is enumerated exactly (``samples=None``) or sampled
    (``samples=k`` bitstrings); ignored for the other initial states.
    """
    check_compile_options(model, unknown, STAR_OPTIONS)
    if model.epsilon is not None:
        raise ConfigError("the circuits encode the linear-response (ε → 0) high-temperature state",
                          argument="epsilon", allowed="None")
    n, j, wb, wc = model.n_chargers, model.coupling, model.omega_b, model.omega_c
    initial = model.initial
    nq = n + 1
    chargers = list(range(1, nq))
    zeeman = (cell_energy_operator([0], nq, wb) + cell_energy_operator(chargers, nq, wc)).simplify()
    fragments = [CommutingPauliFragment(zeeman, label="zeeman")]
    fragments += [ExchangeFragment([(0, q)], j, num_qubits=nq) for q in chargers]
    evolution = TrotterEvolution(ProductFormula(fragments, order=order), max_step=max_step, steps=steps)
    battery_h = cell_energy_operator([0], 1, wb)
    polarization = SparsePauliOp.from_sparse_list([("Z", [0], -1.0)], num_qubits=nq)  # σ_B^z = −Z_B
    weights = "probability"
    meta = {"n_chargers": n, "coupling": j, "omega_b": wb, "omega_c": wc, "initial": initial,
            "interaction": "J Σ_j (σ_B^+ σ_j^− + h.c.) = (J/2) Σ_j (X_B X_j + Y_B Y_j)"}
    source = "StarBattery (collective-spin sectors) via qbhw.charge"

    if initial == "pure":
        states = [InitialState(basis_state_circuit(nq, [], pi_pulse=chargers), 1.0, "pi-pulsed chargers")]
    elif initial == "thermal":
        b = model.beta
        excited = {0: excited_population(b, wb), **{q: excited_population(b, wc) for q in chargers}}
        states = thermal_ensemble(nq, excited, pi_pulse=chargers, samples=samples, seed=seed)
        meta.update(beta=b, ensemble="sampled" if samples else "enumerated", samples=samples)
    else:
        weights = "linear_response"
        w = model.charger_weight
        states = []
        dim = 2**nq
        for code in range(dim):
            ones = [q for q in range(nq) if (code >> q) & 1]
            post = code ^ sum(1 << q for q in chargers)
            s = [1.0 if (post >> q) & 1 else -1.0 for q in range(nq)]
            weight = (-s[0] + w * sum(s[1:])) / dim
            if weight != 0:
                states.append(InitialState(basis_state_circuit(nq, ones, pi_pulse=chargers), weight,
                                           label=format(code, f"0{nq}b")))
        meta.update(charger_weight=w, units="linear response: observables are coefficients of ε")

    def reference(times):
        curve = charge(model, times, ergotropy=initial != "high_temperature")
        pol = curve.polarization
        if initial == "high_temperature":  # ε-coefficient of E = ω_b(1 + εP)/2
            return ExactReference(times, wb * pol / 2.0, source + " (ε-coefficient ω_b P/2)",
                                  observables={"polarization": pol})
        return ExactReference(times, curve.energy, source, ergotropy=curve.ergotropy,
                              observables={"polarization": pol})

    return ChargingProgram(name="star", num_qubits=nq, battery_qubits=[0], battery_hamiltonian=battery_h,
                           evolution=evolution, initial_states=states, weights=weights,
                           observables={"polarization": polarization}, reference=reference, metadata=meta,
                           model=model)


compile_model.register(StarBattery, compile_star)


def star_charging(n_chargers: int, coupling: float, omega_b: float = 1.0, *, omega_c: float | None = None,
                  initial: str = "pure", beta: float | None = None, samples: int | None = None, seed=None,
                  charger_weight: float = 1.0, order: int = 2, max_step: float | None = 0.1,
                  steps: int | None = None) -> ChargingProgram:
    """Compile the star battery (see module docstring) into a Trotterised circuit program:
    ``compile_model(StarBattery(n_chargers, coupling, omega_b, initial, omega_c=…, beta=…, charger_weight=…))``.

    ``beta`` is used by ``initial="thermal"`` only (required there), ``charger_weight`` by
    ``"high_temperature"`` only.
    """
    n = check_positive_int(n_chargers, "n_chargers")
    j = check_finite_real(coupling, "coupling", minimum=0.0)
    wb = check_finite_real(omega_b, "omega_b", minimum=0.0, strict=True)
    wc = wb if omega_c is None else check_finite_real(omega_c, "omega_c", minimum=0.0, strict=True)
    if initial not in STAR_CIRCUIT_INITIAL_STATES:
        raise ConfigError(f"unknown initial state {initial!r}", argument="initial",
                          allowed=" | ".join(STAR_CIRCUIT_INITIAL_STATES))
    extra = {}
    if initial == "thermal":
        if beta is None:
            raise InvalidArgumentError("thermal initial states need beta", argument="beta",
                                       allowed="an inverse temperature >= 0")
        extra["beta"] = check_finite_real(beta, "beta", minimum=0.0)
    elif initial == "high_temperature":
        extra["charger_weight"] = check_finite_real(charger_weight, "charger_weight")
    model = StarBattery(n, j, wb, initial, omega_c=wc, **extra)
    return compile_model(model, order=order, max_step=max_step, steps=steps, samples=samples, seed=seed)
