"""A store's reminder settings (SPEC §10.2: every number a per-store setting), with the defaults of
the spec when the CR manager has saved none."""

from dataclasses import dataclass

from django.db import transaction

from crm.models import Store
from retention.choices import REMINDER_KINDS
from retention.models import ReminderKindSetting, ReminderSettings

# The largest value a store may set for each rule number (months, years, km, days).
RULE_MAXIMA = {
    "first_service_months": 60,
    "periodic_service_months": 60,
    "inspection_interval_years": 10,
    "warranty_years": 20,
    "warranty_km": 1_000_000,
    "return_window_days": 365,
}


@dataclass(frozen=True)
class StoreReminderRules:
    numbers: ReminderSettings
    kinds: dict[str, ReminderKindSetting]


def store_reminder_rules(store_id: int) -> StoreReminderRules:
    """The store's rule numbers and per-kind settings (unsaved defaults where it has no row); two queries."""
    numbers = ReminderSettings.objects.filter(store_id=store_id).first() or ReminderSettings(store_id=store_id)
    saved = {k.kind: k for k in ReminderKindSetting.objects.filter(store_id=store_id)}
    kinds = {kind: saved.get(kind) or ReminderKindSetting.default(store_id, kind) for kind in REMINDER_KINDS}
    return StoreReminderRules(numbers=numbers, kinds=kinds)


def reminder_settings_save(*, store: Store, numbers: dict, kinds: dict[str, dict]) -> None:
    """Save the store's rule numbers and per-kind settings (the settings page), in one transaction."""
    with transaction.atomic():
        ReminderSettings.objects.update_or_create(store=store, defaults=numbers)
        for kind, fields in kinds.items():
            ReminderKindSetting.objects.update_or_create(store=store, kind=kind, defaults=fields)
