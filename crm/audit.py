"""Which models keep an audit trail (who changed what and when, field by field)."""

from auditlog.registry import auditlog

from crm.models import Customer, Vehicle

auditlog.register(Customer, exclude_fields=["updated_at", "last_visit_at"])
auditlog.register(Vehicle, exclude_fields=["updated_at"])
