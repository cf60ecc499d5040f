"""Battery models (review Secs. III–V): one class per battery, a uniform interface."""

from .base import BatteryModel, FullSpaceModel, check_space
from .collision import CollisionBattery
from .dfs import DFSRingBattery
from .dark_state import DarkStateBattery
from .environment_assisted import EnvironmentAssistedBattery
from .cavity import CavityBattery, DickeBattery, RabiBattery, TavisCummingsBattery
from .gaussian import GaussianBosonicBattery, GaussianState
from .ising import TransverseIsingBattery
from .mbl import MBLBattery
from .qsl_example import QSLBattery
from .spin_chain import SpinChainBattery
from .star import StarBattery
from .syk import SYKBattery
from .open import OpenBattery, local_decoherence
from .open_dicke import OpenDickeBattery
from .measured import MeasuredBattery
from .feedback import DelayedFeedbackBattery, FeedbackBattery

__all__ = ["BatteryModel", "FullSpaceModel", "check_space",
           "CavityBattery", "DickeBattery", "RabiBattery", "TavisCummingsBattery",
           "StarBattery", "TransverseIsingBattery", "SpinChainBattery", "SYKBattery", "MBLBattery",
           "GaussianBosonicBattery", "GaussianState", "QSLBattery",
           "CollisionBattery", "DFSRingBattery",
           "DarkStateBattery", "EnvironmentAssistedBattery",
           "OpenBattery", "local_decoherence", "OpenDickeBattery",
           "MeasuredBattery",
           "FeedbackBattery", "DelayedFeedbackBattery"]
