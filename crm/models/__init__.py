# The SMS log lives in crm.sms (a package of the crm app); importing it here registers the model.
from crm.operations.models import ServiceHeartbeat
from crm.sms.models import SmsMessage, SmsTemplate

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
    "ServiceHeartbeat",
    "SmsMessage",
    "SmsTemplate",
    "Staff",
    "Store",
    "User",
    "Vehicle",
    "VehicleOwnership",
]
