"""PermutationalDicke against qutip.piqs (random rates, drives and initial states, N up to 20; 1e-6 — piqs builds
its rates in single precision), against a brute-force Lindblad solve in the full 2^N space (N ≤ 6, with the
ergotropy of the full state; 1e-8), and against a full cavity ⊗ spins solve for the open cavity battery (1e-7);
the Dicke basis, the weighted passive energy, trace and positivity, and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import qutip
import qutip.piqs as piqs
import scipy.sparse as sp

import qbhw
from qbhw.errors import DimensionMismatchError, InvalidArgumentError, InvalidHamiltonianError, InvalidStateError
from qbhw.metrics import ergotropy
from qbhw.metrics.ergotropy import passive_energy_with_multiplicities
from qbhw.models import OpenDickeBattery
from qbhw.solvers import (
    NotBlockDiagonalError,
    PermutationalDicke,
    dicke_degeneracy,
    dicke_operators,
    dicke_state,
    num_dicke_states,
    permutational_ergotropy,
)

RATES = ("emission", "dephasing", "pumping", "collective_emission", "collective_dephasing", "collective_pumping")
OPTS = {"atol": 1e-10, "rtol": 1e-9, "nsteps": 100000}


def _random_rates(rng, scale=1.0):
    return {k: float(rng.uniform(0, scale)) for k in RATES}


def _random_block_state(n, rng):
    """A random density matrix, block diagonal in j, in the Dicke basis (weight on every block)."""
    jx, jy, jz, jp, jm = dicke_operators(n)
    j_all = np.concatenate([[j] * int(round(2 * j + 1)) for j in n / 2 - np.arange(n // 2 + 1)])
    rho = np.zeros((j_all.size,) * 2, dtype=complex)
    for j in np.unique(j_all):
        idx = np.flatnonzero(j_all == j)
        a = rng.normal(size=(idx.size, idx.size)) + 1j * rng.normal(size=(idx.size, idx.size))
        rho[np.ix_(idx, idx)] = a @ a.conj().T
    return rho / np.trace(rho)


def test_dicke_basis_matches_piqs():
    for n in (1, 2, 3, 6, 9):
        assert num_dicke_states(n) == piqs.num_dicke_states(n)
        ours = dicke_operators(n)
        ref = [*piqs.jspin(n), piqs.jspin(n, "+"), piqs.jspin(n, "-")]
        for a, b in zip(ours, ref):
            assert np.allclose(a.toarray(), b.full(), atol=1e-14)
        assert np.allclose(dicke_state(n, n / 2 - 1 if n > 1 else 0.5, 0.5 if n % 2 else 0),
                           piqs.dicke(n, n / 2 - 1 if n > 1 else 0.5, 0.5 if n % 2 else 0).full())


def test_degeneracies_count_the_full_space_exactly():
    for n in range(1, 41):
        total = sum(dicke_degeneracy(n, j) * int(round(2 * j + 1)) for j in n / 2 - np.arange(n // 2 + 1))
        assert total == 2 ** n


def _flat_to_piqs(pd):
    """piqs' row-major index (nds·i + k) of every entry of our flat block vector."""
    lay = pd.layout
    out = []
    for b in range(lay.j.size):
        s = int(lay.size[b])
        a, c = (x.ravel() for x in np.indices((s, s)))
        out.append(lay.nds * (lay.dim_offset[b] + a) + lay.dim_offset[b] + c)
    return np.concatenate(out)


@pytest.mark.parametrize("n", [1, 2, 5, 10, 20])
def test_dissipator_equals_qutip_piqs_lindbladian_entry_by_entry(n):
    """piqs computes its rates in single precision: relative agreement 1e-6."""
    rng = np.random.default_rng(n)
    rates = _random_rates(rng)
    pd = PermutationalDicke(n, **rates)
    ours = pd.dissipator().toarray()
    idx = _flat_to_piqs(pd)
    ref = piqs.Dicke(n, **rates).lindbladian().to("csr").data.as_scipy().tocsr()
    assert np.allclose(ours, ref[idx][:, idx].toarray(), rtol=1e-6, atol=1e-6 * np.max(np.abs(ours)))
    assert abs(ref).sum() == pytest.approx(np.abs(ours).sum(), rel=1e-6)  # piqs has nothing outside the blocks


@pytest.mark.parametrize("n", [2, 5, 9, 14, 20])
def test_agrees_with_qutip_piqs_on_random_problems(n):
    """Random rates, Hamiltonian and initial state; piqs' Liouvillian propagated exactly (scipy's expm_multiply
    on its vectorised form). Collective rates ∝ 1/N so that piqs' single-precision rates stay below 1e-6."""
    from scipy.sparse.linalg import expm_multiply

    rng = np.random.default_rng(100 + n)
    rates = _random_rates(rng)
    for k in ("collective_emission", "collective_dephasing", "collective_pumping"):
        rates[k] *= 2.0 / n
    jx, jy, jz, jp, jm = dicke_operators(n)
    h = rng.uniform(0.5, 1.5) * jz + rng.uniform(0.1, 1.0) * jx + rng.uniform(0.0, 0.5) * jy
    rho0 = _random_block_state(n, rng)
    t = np.linspace(0.0, 1.0, 6)
    ours = PermutationalDicke(n, **rates).solve(h, rho0, t, e_ops=[jz, jx, jp @ jm])
    # piqs' dissipator (its Dicke.liouvillian() builds the Hamiltonian part slowly) + −i[H, ·] column-stacked
    d = rho0.shape[0]
    eye = sp.identity(d, format="csr")
    lq = (piqs.Dicke(n, **rates).lindbladian().to("csr").data.as_scipy()
          - 1j * (sp.kron(eye, h) - sp.kron(h.T, eye))).tocsr()
    ref = expm_multiply(lq, rho0.reshape(-1, order="F"), start=0.0, stop=1.0, num=6, endpoint=True)
    for k in range(t.size):
        rho = ref[k].reshape(d, d, order="F")
        for i, op in enumerate((jz, jx, jp @ jm)):
            assert ours.expect[i][k] == pytest.approx(np.real(np.trace(op.toarray() @ rho)), abs=1e-6 * n)
        assert np.max(np.abs(ours.states[k].full() - rho)) < 1e-6


def test_time_dependent_drive_agrees_with_qutip_piqs():
    n = 6
    rng = np.random.default_rng(7)
    rates = _random_rates(rng, 0.5)
    jx, jy, jz, jp, jm = dicke_operators(n)
    h0 = 1.0 * jz
    f = lambda t: 0.8 * math.cos(1.3 * t)  # noqa: E731
    system = piqs.Dicke(n, hamiltonian=qutip.Qobj(h0.toarray()), **rates)
    jxq = qutip.Qobj(jx.toarray())
    drive = -1j * (qutip.spre(jxq) - qutip.spost(jxq))
    t = np.linspace(0.0, 3.0, 7)
    rho0 = dicke_state(n, n / 2, -n / 2)
    ref = qutip.mesolve([system.liouvillian(), [drive, lambda t: f(t)]], qutip.Qobj(rho0), t,
                        e_ops=[qutip.Qobj(jz.toarray())], options=OPTS)
    ours = PermutationalDicke(n, **rates).solve(h0, rho0, t, e_ops=[jz], drives=[(jx, f)], rtol=1e-10, atol=1e-12)
    assert np.allclose(ours.expect[0], np.real(ref.expect[0]), atol=1e-6)


def _full_space(n):
    """Collective and local operators of N spins ½ in the 2^N space (qutip's jmat order, as piqs' uncoupled)."""
    jx, jy, jz = piqs.jspin(n, basis="uncoupled")
    sm = [qutip.tensor([qutip.sigmam() if i == k else qutip.qeye(2) for i in range(n)]) for k in range(n)]
    sz = [qutip.tensor([qutip.sigmaz() if i == k else qutip.qeye(2) for i in range(n)]) for k in range(n)]
    return jx, jy, jz, sm, sz


@pytest.mark.parametrize("n", [2, 3, 5, 6])
def test_agrees_with_a_full_space_lindblad_solve_including_the_ergotropy(n):
    rng = np.random.default_rng(n)
    rates = _random_rates(rng, 0.6)
    jxf, jyf, jzf, sm, sz = _full_space(n)
    jmf = jxf - 1j * jyf
    jpf = jmf.dag()
    w, om = 1.0, 0.7
    c_ops = ([math.sqrt(rates["emission"]) * s for s in sm] + [math.sqrt(rates["dephasing"]) * 0.5 * s for s in sz]
             + [math.sqrt(rates["pumping"]) * s.dag() for s in sm]
             + [math.sqrt(rates["collective_emission"]) * jmf, math.sqrt(rates["collective_dephasing"]) * jzf,
                math.sqrt(rates["collective_pumping"]) * jpf])
    psi0 = qutip.tensor([qutip.basis(2, 1)] * n)  # all cells in |g⟩ (qutip basis 1 = spin down)
    t = np.linspace(0.0, 2.0, 5)
    ref = qutip.mesolve(w * jzf + om * jxf, psi0, t, c_ops=c_ops, options=OPTS).states
    jx, jy, jz, jp, jm = dicke_operators(n)
    res = PermutationalDicke(n, **rates).solve(w * jz + om * jx, dicke_state(n, n / 2, -n / 2), t,
                                               e_ops=[jz, jx, jy, jz @ jz, jp @ jm], rtol=1e-11, atol=1e-13)
    hb_full = (jzf + n / 2).full()
    for k, rho in enumerate(ref):
        full_ops = [jzf, jxf, jyf, jzf * jzf, jpf * jmf]
        for i, op in enumerate(full_ops):
            assert res.expect[i][k] == pytest.approx(qutip.expect(op, rho), abs=1e-8)
        # the ergotropy of the full 2^N state and the full spectrum (eigenvalues with multiplicities)
        assert permutational_ergotropy(res.states[k]) == pytest.approx(ergotropy(rho.full(), hb_full), abs=1e-8)
        p, c = res.states[k].full_space_spectrum()
        ours = np.sort(np.repeat(p, c.astype(int)))
        assert np.allclose(ours, np.sort(np.linalg.eigvalsh(rho.full())), atol=1e-8)


def test_ergotropy_weights_each_block_by_its_degeneracy():
    """|j = 1, m = 1⟩ of N = 4 is, in the 2^4 space, the uniform mixture of the 3 copies of that state: energy 3,
    eigenvalues 1/3 (three times) on the lowest levels 0, 1, 1 → ergotropy 3 − 2/3; the Dicke-basis matrix itself
    (a pure state) would give 3."""
    n = 4
    rho = dicke_state(n, 1, 1)
    assert permutational_ergotropy(rho, n_cells=n) == pytest.approx(3 - 2 / 3, abs=1e-12)
    assert permutational_ergotropy(rho, 0.5, n_cells=n) == pytest.approx(0.5 * (3 - 2 / 3), abs=1e-12)
    naive = ergotropy(rho, (dicke_operators(n)[2] + n / 2 * sp.identity(rho.shape[0])).toarray())
    assert naive == pytest.approx(3.0)


def test_trace_and_positivity_are_preserved():
    n = 10
    rng = np.random.default_rng(3)
    jx, jy, jz, jp, jm = dicke_operators(n)
    res = PermutationalDicke(n, **_random_rates(rng, 2.0)).solve(jz + 2 * jx, _random_block_state(n, rng),
                                                               np.linspace(0, 3, 13))
    assert res.trace_deviation < 1e-10
    for st in res.states:
        for blk in st.blocks():
            assert np.linalg.eigvalsh(0.5 * (blk + blk.conj().T))[0] > -1e-9


def test_expm_and_ode_routes_agree():
    n = 7
    rng = np.random.default_rng(5)
    jx, jy, jz, jp, jm = dicke_operators(n)
    pd = PermutationalDicke(n, **_random_rates(rng))
    t = np.array([0.0, 0.3, 0.5, 1.4])
    a = pd.solve(jz + jx, dicke_state(n, n / 2, -n / 2), t, e_ops=[jz], method="expm")
    b = pd.solve(jz + jx, dicke_state(n, n / 2, -n / 2), t, e_ops=[jz], method="ode", rtol=1e-11, atol=1e-13)
    assert np.allclose(a.expect[0], b.expect[0], atol=1e-9)


def test_storage_is_the_j_blocks_only():
    for n in (4, 16, 31):
        pd = PermutationalDicke(n, emission=1.0)
        blocks = sum(int(round(2 * j + 1)) ** 2 for j in n / 2 - np.arange(n // 2 + 1))
        assert pd.stored_entries == blocks < num_dicke_states(n) ** 2


def test_weighted_passive_energy_matches_explicit_sorting():
    rng = np.random.default_rng(11)
    p = rng.uniform(size=5)
    c = np.array([1, 3, 2, 4, 2])
    p = p / np.dot(p, c)
    levels, mult = np.array([0.0, 1.0, 2.5, 4.0]), np.array([2, 5, 3, 2])
    explicit = np.dot(np.sort(np.repeat(p, c))[::-1], np.repeat(levels, mult))
    assert passive_energy_with_multiplicities(p, c, levels, mult) == pytest.approx(explicit, abs=1e-14)


def test_open_cavity_battery_agrees_with_a_full_cavity_spin_solve():
    n, nc = 3, 6
    m = OpenDickeBattery(n, 0.4, cavity_dim=nc, drive_amplitude=0.15, drive_shape="gaussian", drive_center=2.0,
                         drive_width=1.0, omega_c=1.1, omega_0=1.0, drive_frequency=1.05, cavity_loss=0.3,
                         emission=0.05, dephasing=0.1, collective_emission=0.02)
    t = np.linspace(0.0, 5.0, 11)
    curve = qbhw.charge(m, t)
    a = qutip.tensor(qutip.destroy(nc), qutip.qeye([2] * n))
    jxf, jyf, jzf, sm, sz = _full_space(n)
    e = qutip.qeye(nc)
    jz_, jx_ = qutip.tensor(e, jzf), qutip.tensor(e, jxf)
    jm_ = qutip.tensor(e, jxf - 1j * jyf)
    h0 = (1.1 - 1.05) * a.dag() * a + (1.0 - 1.05) * jz_ + 0.4 * (a.dag() * jm_ + a * jm_.dag())
    env = lambda t: 0.15 * math.exp(-((t - 2.0) ** 2) / 2.0)  # noqa: E731
    c_ops = ([math.sqrt(0.3) * a] + [math.sqrt(0.05) * qutip.tensor(e, s) for s in sm]
             + [math.sqrt(0.1) * 0.5 * qutip.tensor(e, s) for s in sz] + [math.sqrt(0.02) * jm_])
    psi0 = qutip.tensor(qutip.basis(nc, 0), *[qutip.basis(2, 1)] * n)
    ref = qutip.mesolve([h0, [a + a.dag(), lambda t: env(t)]], psi0, t, c_ops=c_ops, options=OPTS)
    hb = jz_ + n / 2
    energy = [qutip.expect(hb, r) for r in ref.states]
    assert np.allclose(curve.energy, energy, atol=1e-7)
    assert np.allclose(curve.observables["photons"], [qutip.expect(a.dag() * a, r) for r in ref.states], atol=1e-7)
    spins = [r.ptrace(list(range(1, n + 1))).full() for r in ref.states]
    assert np.allclose(curve.ergotropy, [ergotropy(s, (jzf + n / 2).full()) for s in spins], atol=1e-7)
    # the analytic power is dE/dt
    fine = np.linspace(0.0, 5.0, 501)
    c2 = qbhw.charge(m, fine, ergotropy=False)
    assert np.allclose(c2.power.power, np.gradient(c2.energy, fine), atol=2e-4)


def test_photon_cut_off_is_checked():
    m = OpenDickeBattery(2, 0.5, cavity_dim=2, drive_amplitude=1.0, cavity_loss=0.1)
    with pytest.raises(qbhw.errors.TruncationError):
        qbhw.charge(m, np.linspace(0, 5, 6))


@pytest.mark.parametrize("kwargs, argument", [
    ({"emission": -1.0}, "emission"), ({"collective_dephasing": float("nan")}, "collective_dephasing"),
    ({"cavity_loss": 1.0}, "cavity_dim"), ({"cavity_dim": 0}, "cavity_dim"),
])
def test_bad_rates_name_the_argument(kwargs, argument):
    with pytest.raises(InvalidArgumentError) as err:
        PermutationalDicke(3, **kwargs)
    assert err.value.argument == argument


def test_bad_matrices_are_refused():
    n = 4
    pd = PermutationalDicke(n, emission=0.1)
    jx, jy, jz, jp, jm = dicke_operators(n)
    d = num_dicke_states(n)
    rho0 = dicke_state(n, 2, -2)
    with pytest.raises(DimensionMismatchError) as err:
        pd.solve(np.eye(d + 1), rho0, [0, 1])
    assert err.value.argument == "hamiltonian"
    with pytest.raises(DimensionMismatchError):
        pd.solve(np.ones((d, d + 1)), rho0, [0, 1])
    mixing = np.zeros((d, d))
    mixing[0, 5] = mixing[5, 0] = 1.0  # couples j = 2 and j = 1
    with pytest.raises(NotBlockDiagonalError) as err:
        pd.solve(mixing, rho0, [0, 1])
    assert err.value.argument == "hamiltonian"
    with pytest.raises(NotBlockDiagonalError):
        pd.solve(jz, mixing / 2 + np.eye(d) / d, [0, 1])
    with pytest.raises(DimensionMismatchError) as err:
        pd.solve(jz, np.eye(d - 1) / (d - 1), [0, 1])
    assert err.value.argument == "rho0"
    with pytest.raises(InvalidStateError):
        pd.solve(jz, 2 * rho0, [0, 1])
    with pytest.raises(InvalidHamiltonianError):
        pd.solve(jp, rho0, [0, 1])
    with pytest.raises(DimensionMismatchError) as err:
        pd.solve(jz, rho0, [0, 1], e_ops=[jz, np.eye(3)])
    assert err.value.argument == "e_ops[1]"
    with pytest.raises(InvalidArgumentError) as err:
        pd.solve(jz, rho0, [0, 1], drives=[(jx, 1.0)])
    assert err.value.argument == "drives[0]"
    with pytest.raises(InvalidArgumentError):
        pd.solve(jz, rho0, [-1, 1])
    with pytest.raises(InvalidArgumentError):
        pd.solve(jz, rho0, [0, 1], method="euler")


def test_public_signature_is_that_of_qutip_piqs_dicke():
    import inspect

    ours = list(inspect.signature(PermutationalDicke).parameters)[:7]
    assert ours == ["n_cells", *RATES]
    assert list(inspect.signature(PermutationalDicke.solve).parameters)[1:5] == ["hamiltonian", "rho0", "times",
                                                                                 "e_ops"]
    assert PermutationalDicke(3, emission=0.25).emission == 0.25  # the rates read like piqs.Dicke's attributes
