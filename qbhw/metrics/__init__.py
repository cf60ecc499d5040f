"""Figures of merit of quantum batteries (review Sec. II; seed-spec §1).

Everything here is a pure function of numpy arrays or qiskit ``quantum_info`` objects
(``Statevector``, ``DensityMatrix``, ``Operator``, ``SparsePauliOp``); ħ = 1. This is the
bottom layer of qbhw: it imports nothing else from the package except the errors.
"""

from ._inputs import HamiltonianData, Spectrum, as_density_matrix, as_hamiltonian, check_times
from .bounds import *  # noqa: F401,F403
from .bounds import __all__ as _bounds_all
from .curve import ChargingCurve, make_charging_curve
from .ergotropy import *  # noqa: F401,F403
from .ergotropy import __all__ as _ergotropy_all
from .fluctuations import *  # noqa: F401,F403
from .fluctuations import __all__ as _fluct_all
from .intervals import *  # noqa: F401,F403
from .intervals import __all__ as _intervals_all
from .power import *  # noqa: F401,F403
from .power import __all__ as _power_all
from .sampling import *  # noqa: F401,F403
from .sampling import __all__ as _sampling_all
from .stabilisation import *  # noqa: F401,F403
from .stabilisation import __all__ as _stabilisation_all
from .thermal import *  # noqa: F401,F403
from .thermal import __all__ as _thermal_all

__all__ = [
    "Spectrum",
    "HamiltonianData",
    "as_density_matrix",
    "as_hamiltonian",
    "check_times",
    "ChargingCurve",
    "make_charging_curve",
    *_ergotropy_all,
    *_thermal_all,
    *_power_all,
    *_bounds_all,
    *_fluct_all,
    *_sampling_all,
    *_intervals_all,
    *_stabilisation_all,
]
