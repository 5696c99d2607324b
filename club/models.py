"""Membership club (车友俱乐部, SPEC §10.6): cards, the append-only points ledger, activities."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from club.choices import DEFAULT_GOLD_FROM, DEFAULT_SILVER_FROM, CardState, EntryKind, Level
from crm.models import Customer, RepairOrder, Store, Vehicle


class ClubSettings(models.Model):
    """A store's club settings (俱乐部设置): level thresholds and the card number counter."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="club_settings")
    silver_from = models.PositiveIntegerField(_("银卡积分起点"), default=DEFAULT_SILVER_FROM)
    gold_from = models.PositiveIntegerField(_("金卡积分起点"), default=DEFAULT_GOLD_FROM)
    # The last card number issued at the store; taken under this row's lock, so numbers never repeat.
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("俱乐部设置")
        constraints = [
            models.CheckConstraint(
                condition=Q(gold_from__gt=models.F("silver_from")),
                name="club_gold_above_silver",
                violation_error_message=_("金卡积分起点须高于银卡。"),
            )
        ]

    def __str__(self) -> str:
        return str(self.store)


class MemberCard(models.Model):
    """A member card (会员卡): one per vehicle (一车一卡), numbered per store, valid three years.

    `balance` caches the ledger's sum, updated in the transaction that writes the ledger row (a
    test proves it equals the sum); `level` caches the level of the last 12 months' points,
    refreshed after each booking and daily (points age out)."""

    store = models.ForeignKey(Store, verbose_name=_("门店"), on_delete=models.PROTECT, related_name="member_cards")
    vehicle = models.ForeignKey(Vehicle, verbose_name=_("车辆"), on_delete=models.PROTECT, related_name="member_cards")
    customer = models.ForeignKey(
        Customer, verbose_name=_("会员"), on_delete=models.PROTECT, related_name="member_cards"
    )
    number = models.CharField(_("卡号"), max_length=30)
    issued_on = models.DateField(_("发卡日期"))
    # The start of the card chain's validity (积分起算日): the issue date of a first card, and the
    # replaced card's for a replacement (补卡), so an RO opened before the replacement still books
    # on the card valid now (club.validity).
    points_from = models.DateField(_("积分起算日"))
    expires_on = models.DateField(_("有效期至"))
    state = models.CharField(_("状态"), max_length=10, choices=CardState.choices, default=CardState.ACTIVE)
    level = models.CharField(_("等级"), max_length=10, choices=Level.choices, default=Level.STANDARD)
    balance = models.IntegerField(_("积分余额"), default=0)
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会员卡")
        constraints = [
            models.UniqueConstraint(fields=["store", "number"], name="club_card_number_per_store"),
            models.UniqueConstraint(
                fields=["vehicle"], condition=Q(state=CardState.ACTIVE), name="club_one_active_card_per_vehicle"
            ),
            models.CheckConstraint(condition=Q(balance__gte=0), name="club_balance_not_negative"),
        ]
        indexes = [
            models.Index(fields=["store", "state", "level", "-issued_on"], name="club_card_list"),
            models.Index(fields=["store", "-issued_on", "-id"], name="club_card_recent"),
        ]

    def __str__(self) -> str:
        return self.number


class CardLapse(models.Model):
    """The days a card was expired before a late renewal (脱保期): an RO opened then earns nothing,
    even after the renewal. A replacement card gets copies of its predecessor's lapses."""

    card = models.ForeignKey(MemberCard, on_delete=models.CASCADE, related_name="lapses")
    starts_on = models.DateField(_("过期日起"))
    ends_on = models.DateField(_("续期前一日"))

    class Meta:
        verbose_name = _("会员卡脱期")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="club_lapse_order")]

    def __str__(self) -> str:
        return f"{self.card} {self.starts_on}–{self.ends_on}"


class Activity(models.Model):
    """A club activity (会员活动): a self-drive tour, a car-care class; participants earn its points."""

    store = models.ForeignKey(Store, verbose_name=_("门店"), on_delete=models.PROTECT, related_name="club_activities")
    name = models.CharField(_("活动名称"), max_length=100)
    held_on = models.DateField(_("活动日期"))
    points = models.PositiveIntegerField(_("参与积分"))
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会员活动")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.name


class Participation(models.Model):
    """A card's participation in an activity (活动参与); booked once (unique)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participations")
    card = models.ForeignKey(MemberCard, on_delete=models.PROTECT, related_name="participations")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("活动参与")
        constraints = [models.UniqueConstraint(fields=["activity", "card"], name="club_participation_once")]

    def __str__(self) -> str:
        return f"{self.activity} / {self.card}"


class LedgerIsAppendOnly(Exception):
    """An attempt to change or delete a points ledger row."""


class PointEntryQuerySet(models.QuerySet):
    """The ledger's rows are never changed or deleted in bulk either. (On PostgreSQL a trigger,
    migration 0005, refuses an UPDATE or DELETE that bypasses the ORM too.)"""

    def update(self, **kwargs):
        raise LedgerIsAppendOnly("club_pointentry is append-only")

    def delete(self):
        raise LedgerIsAppendOnly("club_pointentry is append-only")


class PointEntry(models.Model):
    """A row of the append-only points ledger (积分明细): every change of points, with its reason and
    source. Never updated or deleted; a correction is another row. The one change allowed is the
    author's removal when his user is deleted (created_by SET NULL)."""

    card = models.ForeignKey(MemberCard, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("类型"), max_length=20, choices=EntryKind.choices)
    points = models.IntegerField(_("积分"))
    repair_order = models.ForeignKey(
        RepairOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="point_entries"
    )
    activity = models.ForeignKey(Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    # The adopted suggestion (a VOC verbatim) the row pays for: once per suggestion (constraint).
    suggestion = models.ForeignKey(
        "voc.VocEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="point_entries"
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = PointEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分明细")
        indexes = [
            models.Index(fields=["card", "-created_at"], name="club_entry_card"),
            models.Index(fields=["repair_order"], condition=Q(repair_order__isnull=False), name="club_entry_ro"),
            models.Index(fields=["created_at", "kind"], name="club_entry_month"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="club_entry_not_zero"),
            models.UniqueConstraint(
                fields=["suggestion"], condition=Q(suggestion__isnull=False), name="club_suggestion_paid_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card} {self.points:+d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerIsAppendOnly("club_pointentry is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly("club_pointentry is append-only")
