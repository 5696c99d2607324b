"""Writes of the administrator's pages. Users are never deleted, only deactivated: their name stays
on the callbacks, complaints and audit entries they wrote. Every model written here is registered
with auditlog (crm.audit), so each change leaves who-changed-what."""

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from crm.choices import Role
from crm.models import Department, Staff, Store, User


class AdministrationError(Exception):
    """A change the rules refuse; the message is shown to the administrator."""


@transaction.atomic
def user_save(
    *,
    user: User | None,
    fields: dict,
    roles: list[str],
    stores: list[Store],
    staff: Staff | None,
    password: str | None,
    by: User,
) -> User:
    """Create (`user` None) or update a login: its fields, roles (the role groups), stores, linked
    staff record and, when given, password. Administrators also get into the Django admin
    (`is_staff`), nobody else does — superusers keep theirs."""
    if user is not None and user.is_superuser and not by.is_superuser:
        raise AdministrationError(_("只有超级用户可以修改超级用户账号。"))
    if user is not None and user.pk == by.pk and (not fields.get("is_active", True)):
        raise AdministrationError(_("不能停用自己的账号。"))
    user = user or User()
    for name, value in fields.items():
        setattr(user, name, value)
    user.is_staff = user.is_superuser or Role.ADMINISTRATOR in roles
    if password:
        user.set_password(password)
    elif user.pk is None:
        user.set_unusable_password()
    user.save()
    user.groups.set(Group.objects.filter(name__in=[role for role in roles if role in Role.values]))
    user.stores.set(stores)
    Staff.objects.filter(user=user).exclude(pk=staff.pk if staff else None).update(user=None)
    if staff is not None and staff.user_id != user.pk:
        staff.user = user
        staff.save(update_fields=["user"])
    user._role_codes = None  # roles changed: the cache on the instance is stale
    return user


def user_deactivate(*, user: User, by: User) -> User:
    """Deactivate a login (it can no longer sign in); its records and history stay."""
    if user.pk == by.pk:
        raise AdministrationError(_("不能停用自己的账号。"))
    if user.is_superuser and not by.is_superuser:
        raise AdministrationError(_("只有超级用户可以修改超级用户账号。"))
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    return user


def store_save(*, store: Store | None, fields: dict) -> Store:
    store = store or Store()
    for name, value in fields.items():
        setattr(store, name, value)
    store.save()
    return store


def department_save(*, department: Department | None, store: Store, fields: dict) -> Department:
    """Add a department to a store or change its manager. A store has one department of each kind
    (a database constraint): a second one is refused."""
    department = department or Department(store=store)
    for name, value in fields.items():
        setattr(department, name, value)
    try:
        with transaction.atomic():
            department.save()
    except IntegrityError as exc:
        raise AdministrationError(_("该门店已有此部门。")) from exc
    return department
