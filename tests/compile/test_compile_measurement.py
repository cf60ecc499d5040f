"""Measurement layer: energy from counts with shot-noise error bars, population lower bound, tomography."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from qiskit.quantum_info import DensityMatrix, SparsePauliOp, random_density_matrix

from qbhw.compile import (cell_energy_operator, plan_measurements, population_lower_bound, project_to_physical,
                          state_vector_circuit, thermal_ensemble, tomography_settings, tomography_state)
from qbhw.compile.measurement import group_estimates
from qbhw.errors import InvalidArgumentError, InvalidStateError
from qbhw.metrics import ergotropy, incoherent_ergotropy


def _distribution(rho: np.ndarray, basis: str) -> dict[str, float]:
    """Exact outcome distribution of measuring every qubit of ρ in ``basis`` (basis[k] on qubit k)."""
    n = len(basis)
    rot = np.eye(1)
    for q in reversed(range(n)):
        b = basis[q]
        u = {"Z": np.eye(2), "X": np.array([[1, 1], [1, -1]]) / np.sqrt(2),
             "Y": np.array([[1, -1j], [1, 1j]]) / np.sqrt(2)}[b]  # H·S† for Y
        rot = np.kron(rot, u)
    p = np.real(np.diag(rot @ rho @ rot.conj().T))
    return {format(k, f"0{n}b"): float(v) for k, v in enumerate(p) if v > 1e-15}


def _basis_by_qubit(group) -> str:
    """The group's basis letter for every register qubit (I-free here: all qubits measured)."""
    pos = {q: k for k, q in enumerate(group.qubits)}
    return "".join(group.basis[pos[q]] for q in sorted(pos))


def test_energy_from_counts_and_binomial_error():
    """One cell, ω0 = 2: E = 2·p1; stderr of a k-shot estimate = ω0·sqrt(p̃(1−p̃)/(k+2)) (Jeffreys)."""
    plan = plan_measurements({"energy": cell_energy_operator([0], 1, 2.0)})
    assert len(plan.groups) == 1 and plan.groups[0].basis == "Z"
    counts = {"0": 700, "1": 300}
    (mean, var), = group_estimates(plan, 0, counts).values()
    mean += plan.constants["energy"]
    assert mean == pytest.approx(0.6)
    pt = 300.5 / 1001
    assert np.sqrt(var) == pytest.approx(2 * np.sqrt(pt * (1 - pt) / 1002), rel=1e-12)
    assert np.sqrt(var) == pytest.approx(2 * np.sqrt(0.3 * 0.7 / 999), rel=2e-3)  # ≈ the sample variance


def test_error_bar_never_zero_and_exact_distribution_shots():
    """All shots in |0⟩ (E = 0) still give σ > 0; an exact distribution gets the σ of a ``shots``-shot run
    (and 0 without shots)."""
    plan = plan_measurements({"energy": cell_energy_operator([0, 1], 2, 1.0)})
    (mean, var), = group_estimates(plan, 0, {"00": 4000}).values()
    assert mean + plan.constants["energy"] == pytest.approx(0.0, abs=1e-15) and var > 0
    # one excitation in every shot: Z_0 + Z_1 is constant shot by shot, σ still > 0
    (_, var1), = group_estimates(plan, 0, {"01": 2000, "10": 2000}).values()
    assert var1 > 0
    (m_exact, v_exact), = group_estimates(plan, 0, {"00": 0.7, "11": 0.3}, exact=True, shots=1000).values()
    (m_counts, v_counts), = group_estimates(plan, 0, {"00": 700, "11": 300}).values()
    assert m_exact == pytest.approx(m_counts, abs=1e-14) and v_exact == pytest.approx(v_counts, rel=1e-12)
    assert group_estimates(plan, 0, {"00": 0.7, "11": 0.3}, exact=True)["energy"][1] == 0.0


def test_non_diagonal_operator_uses_several_bases():
    """XXZ-type H_B needs X, Y and Z settings; exact distributions reproduce Tr[Hρ]."""
    h = SparsePauliOp(["ZZ", "XX", "YY", "ZI"], [0.5, 0.3, 0.3, -1.0])
    plan = plan_measurements({"energy": h})
    assert sorted(g.basis for g in plan.groups) == ["XX", "YY", "ZZ"]
    rho = random_density_matrix(4, seed=3).data
    total = plan.constants["energy"]
    for k, g in enumerate(plan.groups):
        total += group_estimates(plan, k, _distribution(rho, _basis_by_qubit(g)), exact=True)["energy"][0]
    assert total == pytest.approx(float(np.real(np.trace(h.to_matrix() @ rho))), abs=1e-12)


@given(st.integers(0, 10_000))
@settings(max_examples=30, deadline=None)
def test_population_bound_is_a_lower_bound(seed):
    """𝓔(diag ρ) ≤ 𝓔(ρ) (Schur–Horn), equal for diagonal states; energies from H_B = Σ ω_i(1−Z_i)/2."""
    hb = SparsePauliOp(["II", "IZ", "ZI"], [1.5, -0.5, -1.0])  # ω = 1, 2 cells
    rho = random_density_matrix(4, seed=seed).data
    p = np.real(np.diag(rho))
    bound = population_lower_bound(p, hb, "ZZ")
    h = hb.to_matrix()
    assert bound <= ergotropy(rho, h) + 1e-12
    assert bound == pytest.approx(incoherent_ergotropy(rho, h), abs=1e-12)  # H_B non-degenerate here
    assert population_lower_bound(p, hb, "ZZ") == pytest.approx(ergotropy(np.diag(p), h), abs=1e-12)


def test_population_bound_rejects_wrong_basis():
    with pytest.raises(InvalidArgumentError):
        population_lower_bound([0.5, 0.5], SparsePauliOp(["X"], [1.0]), "Z")


@pytest.mark.parametrize("n", [1, 2])
def test_tomography_exact_distributions_recover_state(n):
    rho = random_density_matrix(2**n, seed=11 + n).data
    counts = {s: _distribution(rho, s) for s in tomography_settings(n)}
    est = tomography_state(counts, n)
    assert np.allclose(est, rho, atol=1e-10)


def test_projection_to_physical_state():
    """Smolin–Gambetta–Smith: a unit-trace Hermitian matrix with a negative eigenvalue becomes PSD."""
    u = np.linalg.qr(np.random.default_rng(2).normal(size=(5, 5)) + 0j)[0]
    mu = u @ np.diag([3 / 5, 1 / 2, 7 / 20, 1 / 10, -11 / 20]) @ u.conj().T
    rho = project_to_physical(mu)
    ev = np.linalg.eigvalsh(rho)
    assert np.all(ev >= -1e-12) and np.trace(rho).real == pytest.approx(1.0)
    # the worked example of Smolin, Gambetta, Smith (PRL 108, 070502, 2012): → {9/20, 7/20, 1/5, 0, 0}
    assert np.allclose(sorted(ev, reverse=True), [9 / 20, 7 / 20, 1 / 5, 0.0, 0.0], atol=1e-12)
    assert np.allclose(project_to_physical(DensityMatrix.from_label("0+").data), DensityMatrix.from_label("0+").data)


def test_tomography_settings_limits():
    assert len(tomography_settings(3)) == 27
    with pytest.raises(InvalidArgumentError):
        tomography_settings(5)


def test_state_preparation_circuits():
    from qiskit.quantum_info import Statevector

    v = np.zeros(8, complex)
    v[5] = 1j
    assert np.allclose(Statevector(state_vector_circuit(v, 3)).data, v)
    prod = np.kron([1, 1j], [1, 0]) / np.sqrt(2)  # qubit 1 in (|0⟩+i|1⟩)/√2, qubit 0 in |0⟩
    qc = state_vector_circuit(prod, 2)
    assert np.allclose(Statevector(qc).data, prod) and all(len(i.qubits) == 1 for i in qc.data)
    bell = np.array([1, 0, 0, 1]) / np.sqrt(2)
    assert np.allclose(Statevector(state_vector_circuit(bell, 2)).data, bell)
    with pytest.raises(InvalidStateError):
        state_vector_circuit([1, 1], 1)


def test_thermal_ensemble_weights():
    ens = thermal_ensemble(3, {0: 0.2, 2: 0.4}, pi_pulse=[2])
    assert sum(s.weight for s in ens) == pytest.approx(1.0)
    w = {s.label: s.weight for s in ens}
    assert w["11"] == pytest.approx(0.08) and w["00"] == pytest.approx(0.48)
    sampled = thermal_ensemble(3, {0: 0.2, 2: 0.4}, samples=20_000, seed=1)
    ws = {s.label: s.weight for s in sampled}
    assert ws["11"] == pytest.approx(0.08, abs=4 * np.sqrt(0.08 * 0.92 / 20_000))
