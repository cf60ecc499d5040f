"""Fit a measured charging curve: the ibm_perth transverse-field Ising battery (arXiv:2308.03334).

The CSV file ships with the tests (``tests/data``); its ``#`` header is its provenance (J = −2,
h = −0.6, dimensionless units, σ a shot-noise *estimate*). The 4-qubit case is fitted with the
theory-backed model (|J| from the exact dynamics), the 2-qubit case with the closed form
``W = amplitude sin²(ω t)`` (ω = |J|). The same fit from the command line::

    qbhw fit tests/data/ibm_perth_tfim_battery_vqergo.csv --model transverse_ising \\
        --where case=tfim_N4_M2 --set field=-0.6
"""

from pathlib import Path

from qbhw.fit import RabiChargingModel, fit_curve, read_csv, transverse_ising_model

CSV = Path(__file__).resolve().parents[1] / "tests" / "data" / "ibm_perth_tfim_battery_vqergo.csv"
FIELD = -0.6  # h, from the file header

table = read_csv(CSV)
four = table.where(case="tfim_N4_M2").fit_data("t", "W_hw", "sigma_shot_est", sigma_kind="estimate")
result = fit_curve(transverse_ising_model(4, 2, FIELD), four)
print(f"{CSV.name}: {len(four)} points of case tfim_N4_M2")
print(result.summary())
lo, hi = result.interval("coupling_abs")
print(f"|J| = {result.value('coupling_abs'):.4f}, 95 % interval [{lo:.4f}, {hi:.4f}] (true |J| = 2)\n")

two = table.where(case="xx_N2_M1").fit_data("t", "W_hw", "sigma_shot_est", sigma_kind="estimate")
rabi = fit_curve(RabiChargingModel(), two)
print(f"case xx_N2_M1 ({len(two)} points), closed form:")
print(rabi.summary())
