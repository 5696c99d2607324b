"""Which models keep an audit trail (who changed what and when, field by field)."""

from auditlog.registry import auditlog

from crm.models import Customer, Department, Staff, Store, User, Vehicle

auditlog.register(Customer, exclude_fields=["updated_at", "last_visit_at"])
auditlog.register(Vehicle, exclude_fields=["updated_at"])
# What the administrator's pages change (users, roles, stores, departments, staff links). A password
# hash never goes into the log, and a sign-in (last_login) is not a change.
auditlog.register(User, exclude_fields=["last_login", "password"], m2m_fields={"groups", "stores"})
auditlog.register(Store)
auditlog.register(Department)
auditlog.register(Staff)
