from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.choices import DepartmentKind, Role, StaffRole


class Store(models.Model):
    """A store (门店) of the dealer group; almost every record belongs to one."""

    code = models.CharField(_("门店代码"), max_length=20, unique=True)
    name = models.CharField(_("门店名称"), max_length=100)
    phone = models.CharField(_("门店电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("门店")
        verbose_name_plural = _("门店")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class User(AbstractUser):
    """A login. Roles are Django groups named after `Role`; stores limit what the user sees."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    stores = models.ManyToManyField(Store, verbose_name=_("所属门店"), blank=True, related_name="users")
    # A group-level user (a dealer-group GM or CR head) sees every store; so does an administrator.
    is_group_level = models.BooleanField(_("集团级"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_codes(self) -> frozenset[str]:
        """Role group names, cached on the instance (one query per request at most)."""
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            names = self.groups.values_list("name", flat=True) if self.pk else []
            cached = frozenset(name for name in names if name in Role.values)
            self._role_codes = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        """The user's roles as shown (the user menu), from the same cached query as has_role."""
        return [str(label) for code, label in Role.choices if code in self.role_codes]


class Department(models.Model):
    """A department (部门) of a store; complaints are dispatched to departments and their manager."""

    store = models.ForeignKey(Store, verbose_name=_("门店"), on_delete=models.CASCADE, related_name="departments")
    kind = models.CharField(_("部门"), max_length=20, choices=DepartmentKind.choices)
    manager = models.ForeignKey(
        User, verbose_name=_("部门经理"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        constraints = [models.UniqueConstraint(fields=["store", "kind"], name="department_unique_kind_per_store")]
        ordering = ["store", "kind"]

    def __str__(self) -> str:
        return self.name_for(store_name=self.store.name, kind=self.kind)

    @staticmethod
    def name_for(*, store_name: str, kind: str) -> str:
        """A department's name ("合肥店 服务部"), also for a list that loads no instances."""
        return f"{store_name} {dict(DepartmentKind.choices).get(kind, kind)}"


class RepairTeam(models.Model):
    """A repair team (维修班组); table 8 reports satisfaction per team."""

    store = models.ForeignKey(Store, verbose_name=_("门店"), on_delete=models.CASCADE, related_name="repair_teams")
    name = models.CharField(_("班组名称"), max_length=50)

    class Meta:
        verbose_name = _("维修班组")
        verbose_name_plural = _("维修班组")
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="repair_team_unique_name_per_store")]
        ordering = ["store", "name"]

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    """A member of staff named in DMS data: sales consultant (SC), service advisor (SA), technician.

    Optionally linked to a login so that an SC/SA can see their own figures and complaints.
    """

    store = models.ForeignKey(Store, verbose_name=_("门店"), on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(_("姓名"), max_length=50)
    code = models.CharField(_("工号"), max_length=30, blank=True)
    role = models.CharField(_("岗位"), max_length=20, choices=StaffRole.choices, default=StaffRole.OTHER)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.SET_NULL, related_name="staff"
    )
    repair_team = models.ForeignKey(
        RepairTeam, verbose_name=_("维修班组"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    user = models.OneToOneField(
        User, verbose_name=_("登录账号"), null=True, blank=True, on_delete=models.SET_NULL, related_name="staff"
    )
    is_active = models.BooleanField(_("在职"), default=True)

    class Meta:
        verbose_name = _("员工")
        verbose_name_plural = _("员工")
        # The DMS names staff by name only; a name is unique within a store.
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="staff_unique_name_per_store")]
        ordering = ["store", "name"]

    def __str__(self) -> str:
        return self.name
