"""Per-store SLA policy and business-hours calendar (投诉时效与工作日历, SPEC §8, issue 4).

Off by default: the seed counts wall-clock hours. A store that turns business hours on counts every
complaint clock in working time only: its weekly working periods, minus holidays, plus China's
swapped working days (调休), e.g. a working Saturday before National Day.
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from crm.models import Store


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("星期一")
    TUESDAY = 1, _("星期二")
    WEDNESDAY = 2, _("星期三")
    THURSDAY = 3, _("星期四")
    FRIDAY = 4, _("星期五")
    SATURDAY = 5, _("星期六")
    SUNDAY = 6, _("星期日")


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("节假日（休息）")
    WORKDAY = "workday", _("调休上班")


class SlaPolicy(models.Model):
    """A store's complaint SLA targets (投诉时效标准) and whether clocks count working time only."""

    store = models.OneToOneField(Store, verbose_name=_("门店"), on_delete=models.CASCADE, related_name="sla_policy")
    dispatch_minutes = models.PositiveIntegerField(_("派发时限（分钟）"), default=30)
    first_contact_warning_minutes = models.PositiveIntegerField(_("首次联系预警（分钟）"), default=20 * 60)
    first_contact_minutes = models.PositiveIntegerField(_("首次联系时限（分钟）"), default=24 * 60)
    feedback_minutes = models.PositiveIntegerField(_("部门反馈时限（分钟）"), default=48 * 60)
    business_hours_enabled = models.BooleanField(
        _("按工作时间计时"),
        default=False,
        help_text=_("关闭时按自然时间计时（默认）；开启后所有时限只计算工作时间。"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("投诉时效标准")
        verbose_name_plural = _("投诉时效标准")
        constraints = [
            models.CheckConstraint(
                condition=Q(first_contact_warning_minutes__lt=F("first_contact_minutes")),
                name="sla_policy_warning_before_deadline",
            )
        ]

    def __str__(self) -> str:
        return str(self.store)


class WorkingPeriod(models.Model):
    """One span of working hours on a weekday (工作时段); a day may have several (e.g. a lunch break)."""

    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("时效标准"), on_delete=models.CASCADE, related_name="working_periods"
    )
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))

    class Meta:
        verbose_name = _("工作时段")
        verbose_name_plural = _("工作时段")
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="working_period_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class CalendarDay(models.Model):
    """A date off the weekly pattern: a public holiday, or a swapped working day (调休上班).

    A swapped working day works the hours of `works_like` (by default Monday's), because the
    government notice says "上班" without hours and stores keep their normal weekday schedule.
    """

    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("时效标准"), on_delete=models.CASCADE, related_name="calendar_days"
    )
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("名称"), max_length=40, blank=True)
    works_like = models.PositiveSmallIntegerField(
        _("按星期几的工作时间"), choices=Weekday.choices, default=Weekday.MONDAY
    )

    class Meta:
        verbose_name = _("特殊日期")
        verbose_name_plural = _("特殊日期")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["policy", "date"], name="calendar_day_unique_per_policy")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"
