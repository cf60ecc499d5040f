"""Run a protocol on the Aer circuit simulator with shot noise and fit its coupling.

A star battery (one battery spin charged by 𝒩 = 3 charger spins, Joshi & Mahesh 2022) is compiled to
Trotterised circuits, sampled on ``"aer"`` with 2000 shots per time point, and the exchange J is fitted
from the sampled energy curve by the exact theory (:mod:`qbhw.protocols.star_charging`). Energies in
units of the battery splitting ω_b, times in 1/ω_b. Runs in a few seconds.
"""

from qbhw import protocols

TRUE_COUPLING = 0.5  # J, units of omega_b

star = protocols.get("star_charging")
parameters = star.Parameters(n_chargers=3, coupling=TRUE_COUPLING, times={"start": 0.0, "stop": 2.5, "num": 21},
                             shots=2000, seed=7)
data = star.acquire(parameters, "aer")  # circuits on the Aer simulator, 2000 shots per point
results = star.analyse(data)  # theory-backed fit of J (qbhw.fit) and the figures of merit

lo, hi = results.coupling_ci95
print(f"star battery, N = {parameters.n_chargers} chargers, {parameters.shots} shots per point on {data.backend}")
print(f"fitted J = {results.coupling:.4f}  95 % interval [{lo:.4f}, {hi:.4f}]  (true J = {TRUE_COUPLING})"
      f"  -> {'inside' if lo <= TRUE_COUPLING <= hi else 'OUTSIDE'}")
print(f"fit quality: {results.fit.quality}, chi2_red = {results.fit.redchi:.3g}, N points = {results.fit.ndata}")
