"""Service appointments (预约, issue 15 item 2; seed 003's after-sales process starts with 预约).

An `Appointment` books a customer's vehicle into one time slot of a store's day. Its origin — the
reminder, win-back or callback task the booking was made on — is a generic link, so that any
call page can book and the reminder and win-back reports can tell "a booking exists from this task".
A store's slots (opening hours, slot length, capacity per slot) are `AppointmentSettings`; a
`SlotLock` row per (store, day, slot) is what two bookings of one slot lock, so that the capacity
check and the insert are one step (no overbooking when two agents book the last place at once).
"""

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from appointments.choices import AppointmentState, ServiceType, Source


class AppointmentSettings(models.Model):
    """A store's booking slots; no row means the defaults below (08:30–17:30, 30 minutes, 4 cars)."""

    store = models.OneToOneField(
        "crm.Store", verbose_name=_("门店"), on_delete=models.CASCADE, related_name="appointment_settings"
    )
    opens_at = models.TimeField(_("开始接车"), default=dt.time(8, 30))
    closes_at = models.TimeField(_("停止接车"), default=dt.time(17, 30))
    slot_minutes = models.PositiveSmallIntegerField(_("时段长度（分钟）"), default=30)
    capacity = models.PositiveSmallIntegerField(_("每时段可约台数"), default=4)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("预约设置")
        verbose_name_plural = _("预约设置")

    def __str__(self) -> str:
        return str(self.store)

    def clean(self) -> None:
        # The page's form and the admin both come here (ModelForm validation calls it).
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("停止接车时间须晚于开始接车时间。")})

    def slots(self) -> list[dt.time]:
        """The start times of the day's slots: from opening, every slot length, before closing."""
        start = dt.datetime.combine(dt.date(2000, 1, 1), self.opens_at)
        end = dt.datetime.combine(dt.date(2000, 1, 1), self.closes_at)
        step = dt.timedelta(minutes=max(self.slot_minutes, 5))
        out = []
        while start < end:
            out.append(start.time())
            start += step
        return out


class SlotLock(models.Model):
    """The row two bookings of one slot lock (SELECT … FOR UPDATE) before counting its places."""

    store = models.ForeignKey("crm.Store", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    slot = models.TimeField()

    class Meta:
        verbose_name = _("预约时段锁")
        verbose_name_plural = _("预约时段锁")
        constraints = [models.UniqueConstraint(fields=["store", "day", "slot"], name="appointment_slot_lock_unique")]

    def __str__(self) -> str:
        return f"{self.store_id} {self.day} {self.slot}"


class Appointment(models.Model):
    """A service appointment (预约): who comes, with which vehicle, when, for what, booked from where."""

    store = models.ForeignKey("crm.Store", verbose_name=_("门店"), on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(
        "crm.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="appointments"
    )
    vehicle = models.ForeignKey(
        "crm.Vehicle",
        verbose_name=_("车辆"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    day = models.DateField(_("预约日期"))
    slot = models.TimeField(_("预约时段"))
    service_type = models.CharField(_("服务类型"), max_length=20, choices=ServiceType.choices)
    advisor = models.ForeignKey(
        "crm.Staff",
        verbose_name=_("服务顾问"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    source = models.CharField(_("预约来源"), max_length=20, choices=Source.choices)
    # The task the booking was made on (retention.OutreachTask, callbacks.CallbackTask), if any.
    origin_type = models.ForeignKey(
        ContentType, verbose_name=_("来源类型"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    origin_id = models.PositiveBigIntegerField(_("来源编号"), null=True, blank=True)
    origin = GenericForeignKey("origin_type", "origin_id")
    state = models.CharField(
        _("状态"), max_length=20, choices=AppointmentState.choices, default=AppointmentState.BOOKED
    )
    state_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("状态变更人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The RO that marked the booking arrived (its vehicle came on the booked day).
    repair_order = models.ForeignKey(
        "crm.RepairOrder", verbose_name=_("工单"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The follow-up call of a no-show (retention.OutreachTask, kind appointment_follow_up).
    follow_up_task = models.ForeignKey(
        "retention.OutreachTask",
        verbose_name=_("爽约回访任务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["day", "slot", "id"]
        indexes = [
            models.Index(fields=["store", "day", "slot"], name="appointment_store_day_idx"),
            models.Index(fields=["origin_type", "origin_id"], name="appointment_origin_idx"),
            models.Index(fields=["vehicle", "day"], name="appointment_vehicle_day_idx"),
            models.Index(fields=["day"], condition=models.Q(state="booked"), name="appointment_booked_day_idx"),
            models.Index(fields=["advisor", "day"], name="appointment_advisor_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.slot:%H:%M} {self.customer_id}"
