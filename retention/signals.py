"""Change stamps the reminder generation's shortcut reads (retention.generation._ran_since_last_change).

The shortcut skips a rerun of a day when no row the rules read changed since the last run, by the
`updated_at` of customers, vehicles, deliveries and ROs. A vehicle's ownership (crm.VehicleOwnership,
no stamp of its own) decides who a vehicle reminder goes to and whether the vehicle counts for a
store: the DMS import stamps the vehicle when its owner changes, but an ownership added, edited or
deleted in the admin did not — the next run of the day skipped it. Every such save or delete now
stamps its vehicle (one UPDATE), so the vehicle's stamp covers its ownerships.
"""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from crm.models import Vehicle, VehicleOwnership


def _stamp_vehicle(sender, instance: VehicleOwnership, **kwargs) -> None:
    Vehicle.objects.filter(pk=instance.vehicle_id).update(updated_at=timezone.now())


def connect() -> None:
    post_save.connect(_stamp_vehicle, sender=VehicleOwnership, dispatch_uid="retention.ownership_stamp_save")
    post_delete.connect(_stamp_vehicle, sender=VehicleOwnership, dispatch_uid="retention.ownership_stamp_delete")
