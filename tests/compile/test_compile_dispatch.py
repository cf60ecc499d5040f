"""compile_model: one battery object through every stage (dispatch on the model type).

Checks: every registered model type compiles, the scalar builders are the same program as
``compile_model(model)`` (identical circuits to round-off, tol 1e-12), every exact reference is
``qbhw.charge`` of the compiled model (tol 1e-12), the encoded Hamiltonian propagates to the
model's own curve (``ensemble_error``, an independent route: expm of the Pauli operator vs the
model's solver, tol 1e-9), and unrepresentable variants / unknown types raise ConfigError
naming the argument.
"""

import numpy as np
import pytest
from qiskit.quantum_info import Operator

import qbhw
from qbhw.compile import (compile_model, dicke_charging, direct_charging, rabi_charging, star_charging,
                          supported_models, tavis_cummings_charging, tfim_charging)
from qbhw.compile.cavity import default_cutoff
from qbhw.errors import ConfigError
from qbhw.models import (DickeBattery, GaussianBosonicBattery, MBLBattery, QSLBattery, RabiBattery, SpinChainBattery,
                         StarBattery, SYKBattery, TavisCummingsBattery, TransverseIsingBattery)

T = np.array([0.0, 0.35, 0.9])


def _same_program(a, b, time=0.7):
    assert a.num_qubits == b.num_qubits and a.battery_qubits == b.battery_qubits
    assert np.allclose(a.weights, b.weights, atol=0)
    assert np.allclose(Operator(a.evolution_circuit(time)).data, Operator(b.evolution_circuit(time)).data, atol=1e-12)
    assert np.allclose(a.initial_vectors, b.initial_vectors, atol=1e-12)
    assert a.energy_observable == b.energy_observable


@pytest.mark.parametrize("builder,model", [
    (lambda: dicke_charging(2, 0.5, cutoff=3, on_truncation="ignore"), DickeBattery(2, 0.5, cutoff=3)),
    (lambda: tavis_cummings_charging(2, 0.3, cutoff=3), TavisCummingsBattery(2, 0.3, cutoff=3)),
    (lambda: rabi_charging(0.5, cutoff=3, on_truncation="ignore"), RabiBattery(0.5, cutoff=3)),
    (lambda: star_charging(3, 0.5), StarBattery(3, 0.5)),
    (lambda: star_charging(2, 0.5, omega_c=1.3, initial="thermal", beta=0.8),
     StarBattery(2, 0.5, initial="thermal", beta=0.8, omega_c=1.3)),
    (lambda: star_charging(2, 0.5, initial="high_temperature", charger_weight=0.6),
     StarBattery(2, 0.5, initial="high_temperature", charger_weight=0.6)),
    (lambda: tfim_charging(3, 2, -1.0, -0.6), TransverseIsingBattery(3, 2, -1.0, -0.6)),
    (lambda: tfim_charging(2, 1, field_in_charging=False),
     TransverseIsingBattery(2, 1, -2.0, -0.6, field_in_charging=False)),
])
def test_builders_equal_compile_model_and_reference_is_charge(builder, model):
    options = {"on_truncation": "ignore"} if isinstance(model, (DickeBattery, RabiBattery)) else {}
    direct = compile_model(model, **options)
    built = builder()
    _same_program(built, direct)
    assert direct.model is model and isinstance(built.model, type(model))
    rep = direct.trotter_report(T)
    curve = qbhw.charge(model, T, ergotropy=False, **({"on_truncation": "ignore"} if options else {}))
    if getattr(model, "initial", None) == "high_temperature":
        expected = model.omega_b * curve.polarization / 2  # ε-coefficient of the energy
    else:
        expected = curve.energy
    np.testing.assert_allclose(rep.energy_exact, expected, atol=1e-12, rtol=0)
    # the encoded Hamiltonian is the model's: exact propagation of the compiled states = model's curve
    assert np.max(rep.ensemble_error) < 1e-9
    assert np.all(rep.trotter_error <= rep.energy_bound + 1e-9)


@pytest.mark.parametrize("model", [SpinChainBattery(4, 1.0, 0.5, 1.0, 1.0), SYKBattery(4, 1.0, seed=3),
                                   MBLBattery(4, seed=2), QSLBattery(3)])
def test_direct_charging_models(model):
    prog = compile_model(model, max_step=0.1)
    _same_program(prog, direct_charging(model, max_step=0.1))
    rep = prog.trotter_report(T)
    np.testing.assert_allclose(rep.energy_exact, qbhw.charge(model, T).energy, atol=1e-12, rtol=0)
    assert np.max(rep.ensemble_error) < 1e-9


def test_cavity_automatic_cutoff_and_its_reference():
    """cutoff=None: the compiler's binary-register cut-off 2^m − 1 ≥ photons + N, and the reference is
    charge() of the model with that same cut-off (tol 1e-12)."""
    model = DickeBattery(2, 0.4)
    prog = compile_model(model, on_truncation="ignore")
    cut = default_cutoff(2, 2)
    assert cut == 7 and prog.metadata["cutoff"] == cut and prog.model.cutoff == cut
    assert model.cutoff is None  # the user's model is not modified
    rep = prog.trotter_report(T)
    fixed = qbhw.charge(DickeBattery(2, 0.4, cutoff=cut), T, on_truncation="ignore").energy
    np.testing.assert_allclose(rep.energy_exact, fixed, atol=1e-12, rtol=0)
    assert np.max(rep.ensemble_error) < 1e-9
    _same_program(prog, dicke_charging(2, 0.4, on_truncation="ignore"))


def test_cavity_variants():
    """coupling_scaling '1/sqrtN' compiles with the effective coupling; rwa=True gives the TC circuits."""
    scaled = DickeBattery(3, 0.6, cutoff=7, coupling_scaling="1/sqrtN")
    prog = compile_model(scaled, on_truncation="ignore")
    assert prog.metadata["effective_coupling"] == pytest.approx(0.6 / np.sqrt(3))
    assert np.max(prog.trotter_report(T).ensemble_error) < 1e-9
    rwa = compile_model(DickeBattery(2, 0.3, cutoff=3, rwa=True))
    assert rwa.name == "tavis_cummings"
    _same_program(rwa, tavis_cummings_charging(2, 0.3, cutoff=3))


@pytest.mark.parametrize("model,argument", [
    (DickeBattery(2, 0.5, charger="coherent"), "charger"),
    (DickeBattery.two_photon(2, 0.05), "photon_order"),
    (DickeBattery(2, 0.5, atom_interaction=0.3), "atom_interaction"),
    (DickeBattery(2, 0.5, cutoff=6, min_photons=1), "min_photons"),
    (StarBattery(3, 0.5, initial="high_temperature", epsilon=0.1), "epsilon"),
])
def test_unrepresentable_variants_name_the_argument(model, argument):
    with pytest.raises(ConfigError) as info:
        compile_model(model)
    assert info.value.argument == argument


def test_unknown_types_and_options():
    with pytest.raises(ConfigError) as info:
        compile_model(GaussianBosonicBattery(0.5))
    assert info.value.argument == "model"
    for name in ("DickeBattery", "TavisCummingsBattery", "RabiBattery", "StarBattery", "TransverseIsingBattery",
                 "SpinChainBattery", "SYKBattery", "MBLBattery", "QSLBattery"):
        assert name in info.value.allowed and name in supported_models()
    with pytest.raises(ConfigError):
        compile_model("DickeBattery")
    with pytest.raises(ConfigError) as info:
        compile_model(StarBattery(2, 0.5), cutoff=3)
    assert info.value.argument == "options"
    with pytest.raises(ConfigError):
        compile_model(TransverseIsingBattery(2, 1, 1.0, -0.6), samples=10)
    with pytest.raises(ConfigError):
        direct_charging(StarBattery(2, 0.5))  # not a full qubit register of cells


def test_star_thermal_sampled_through_compile_model():
    """Options reach the compiler: a sampled thermal ensemble keeps the exact thermal reference."""
    model = StarBattery(3, 0.5, initial="thermal", beta=1.0)
    sampled = compile_model(model, samples=200, seed=5, max_step=0.2)
    assert sampled.metadata["ensemble"] == "sampled"
    counts = sampled.weights * 200  # 200 draws, equal bitstrings merged
    assert np.allclose(counts, np.round(counts), atol=1e-9) and round(counts.sum()) == 200
    np.testing.assert_allclose(sampled.exact_reference(T).energy, qbhw.charge(model, T).energy, atol=1e-12)
