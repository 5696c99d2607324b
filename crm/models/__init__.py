from .customers import Customer, Vehicle, VehicleOwnership
from .imports import ImportJob
from .organisation import Department, RepairTeam, Staff, Store, User
from .visits import Delivery, RepairOrder

__all__ = [
    "Customer",
    "Delivery",
    "Department",
    "ImportJob",
    "RepairOrder",
    "RepairTeam",
    "Staff",
    "Store",
    "User",
    "Vehicle",
    "VehicleOwnership",
]
