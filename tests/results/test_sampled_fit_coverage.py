"""A sampled (Aer, shots) star-charging curve, stored by the run store, reloaded and fitted: the 95 % interval
of the coupling J covers the truth in at least 90 % of 100 seeded repetitions, and no σ is ever 0."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np

import qbhw
from qbhw.protocols import get

TRUE_J = 0.5
REPS = 100


def test_star_coupling_interval_covers_the_truth_from_stored_sampled_curves(tmp_path):
    params = {"n_chargers": 3, "coupling": TRUE_J, "times": {"start": 0.0, "stop": 2.0, "num": 11}, "shots": 300}
    # forkserver: workers forked from a clean server, not from this process (which has run Aer's OpenMP code:
    # a plain fork of it can hang in the child)
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as ex:
        qbhw.run("star_charging", params, sweep={"seed": list(range(REPS))}, backend="aer", out=tmp_path / "run",
                 executor=ex, progress=False, figures=False)
    run = qbhw.load_run(tmp_path / "run")  # everything below reads the store only
    star = get("star_charging")
    assert run.done and len(run.curves) == REPS
    covered = 0
    for data in run.data:
        assert data.curve.energy_stderr is not None and np.all(data.curve.energy_stderr > 0)  # incl. t = 0 (p = 0)
        fit = star.analyse(data).fit  # fitted again from the reloaded data
        assert fit.sigma is not None and np.all(fit.sigma > 0) and fit.sigma_kind != "none"
        covered += fit.parameter_estimates["coupling"].contains(TRUE_J)
    # binomial: at the nominal 95 % the chance of < 90/100 is 1.1 %; the tolerance is the issue's ≥ 90 %
    assert covered >= 90, covered
