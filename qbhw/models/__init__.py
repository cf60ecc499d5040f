"""Battery models (review Secs. III–IV): one class per battery, a uniform interface."""

from .base import BatteryModel, FullSpaceModel, check_space
from .cavity import CavityBattery, DickeBattery, RabiBattery, TavisCummingsBattery
from .gaussian import GaussianBosonicBattery, GaussianState
from .ising import TransverseIsingBattery
from .mbl import MBLBattery
from .qsl_example import QSLBattery
from .spin_chain import SpinChainBattery
from .star import StarBattery
from .syk import SYKBattery

__all__ = ["BatteryModel", "FullSpaceModel", "check_space",
           "CavityBattery", "DickeBattery", "RabiBattery", "TavisCummingsBattery",
           "StarBattery", "TransverseIsingBattery", "SpinChainBattery", "SYKBattery", "MBLBattery",
           "GaussianBosonicBattery", "GaussianState", "QSLBattery"]
