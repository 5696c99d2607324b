"""Writes of the membership club (SPEC §10.6). Every change of points is a ledger row written with
the card's row lock held, in the transaction that moves the card's cached balance by the same amount;
the CHECK constraint on the balance is the last guard that it never goes below zero."""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from club.choices import (
    ACTIVITY_POINTS_MAX,
    ACTIVITY_POINTS_MIN,
    SUGGESTION_POINTS,
    VALIDITY_YEARS,
    CardState,
    EntryKind,
)
from club.levels import levels_refresh
from club.models import Activity, CardLapse, ClubSettings, MemberCard, Participation, PointEntry
from club.validity import card_valid_on, valid_on
from crm.masking import mask_text
from crm.models import Customer, Delivery, RepairOrder, Store, User, Vehicle


class ClubError(Exception):
    """A club action refused for a reason the user should read."""


def _expiry(start: dt.date) -> dt.date:
    return start + relativedelta(years=VALIDITY_YEARS) - dt.timedelta(days=1)


def _next_number(*, store: Store) -> str:
    """The store's next card number (门店代码 + six digits), under the settings row's lock."""
    ClubSettings.objects.get_or_create(store=store)
    settings = ClubSettings.objects.select_for_update().get(store=store)
    settings.last_number += 1
    settings.save(update_fields=["last_number"])
    return f"{store.code}{settings.last_number:06d}"


def vehicle_qualifies(*, vehicle: Vehicle, store: Store) -> bool:
    """入会资格: a delivery or a repair order of the vehicle at the store."""
    return (
        Delivery.objects.filter(vehicle=vehicle, store=store).exists()
        or RepairOrder.objects.filter(vehicle=vehicle, store=store).exists()
    )


@transaction.atomic
def card_enrol(*, customer: Customer, vehicle: Vehicle, on: dt.date | None = None) -> MemberCard:
    """Enrol a vehicle (一车一卡): a new card at the customer's store, valid three years."""
    store = customer.store
    if not vehicle_qualifies(vehicle=vehicle, store=store):
        raise ClubError(_("该车辆在本店没有交车或维修记录，不能入会。"))
    if MemberCard.objects.filter(vehicle=vehicle, state=CardState.ACTIVE).exists():
        raise ClubError(_("该车辆已有会员卡。"))
    on = on or timezone.localdate()
    number = _next_number(store=store)
    return MemberCard.objects.create(
        store=store,
        vehicle=vehicle,
        customer=customer,
        number=number,
        issued_on=on,
        points_from=on,
        expires_on=_expiry(on),
    )


def _book(*, card: MemberCard, kind: str, points: int, user: User | None, reason: str = "", **source) -> PointEntry:
    """Write one ledger row and move the cached balance; the caller holds the card's lock."""
    if card.balance + points < 0:
        raise ClubError(_("积分余额不足（当前 %(balance)s 分）。") % {"balance": card.balance})
    entry = PointEntry.objects.create(
        card=card, kind=kind, points=points, reason=reason, created_by=user, created_at=timezone.now(), **source
    )
    card.balance += points
    card.save(update_fields=["balance"])
    return entry


def _locked(card: MemberCard, *, valid: bool = False) -> MemberCard:
    """The card under its row lock; refused when replaced, and with `valid` when it is not valid
    today (club.validity: expired cards keep their points but earn, redeem and adjust nothing)."""
    locked = MemberCard.objects.select_for_update().get(pk=card.pk)
    if locked.state != CardState.ACTIVE:
        raise ClubError(_("该卡已补换，请使用新卡。"))
    if valid and not card_valid_on(locked, timezone.localdate()):
        raise ClubError(_("会员卡已过期，请先续期。"))
    return locked


@transaction.atomic
def points_redeem(*, card: MemberCard, points: int, note: str, user: User | None) -> PointEntry:
    """积分兑换: deduct points with a note; never below zero, even when two users redeem at once
    (the second waits for the first's lock and then sees its balance)."""
    if points <= 0:
        raise ValidationError({"points": _("兑换积分须为正数。")})
    if not note.strip():
        raise ValidationError({"note": _("请填写兑换内容。")})
    locked = _locked(card, valid=True)
    return _book(card=locked, kind=EntryKind.REDEMPTION, points=-points, user=user, reason=note.strip())


@transaction.atomic
def points_adjust(*, card: MemberCard, points: int, reason: str, user: User | None) -> PointEntry:
    """人工调整: add or take points with a reason (a correction the ledger keeps)."""
    if points == 0:
        raise ValidationError({"points": _("调整积分不能为零。")})
    if not reason.strip():
        raise ValidationError({"reason": _("请填写调整原因。")})
    locked = _locked(card, valid=True)
    entry = _book(card=locked, kind=EntryKind.ADJUSTMENT, points=points, user=user, reason=reason.strip())
    levels_refresh(card_ids=[locked.pk])
    return entry


@transaction.atomic
def card_replace(*, card: MemberCard, user: User | None, reason: str = "") -> MemberCard:
    """补卡: a lost card is replaced by a new number; the balance moves over in two ledger rows and
    the new card keeps the old card's validity (start and expiry) and level."""
    old = _locked(card)
    number = _next_number(store=old.store)
    old.state = CardState.REPLACED
    old.save(update_fields=["state"])
    new = MemberCard.objects.create(
        store=old.store,
        vehicle=old.vehicle,
        customer=old.customer,
        number=number,
        issued_on=timezone.localdate(),
        points_from=old.points_from,  # the chain's validity, for RO points booked or corrected later
        expires_on=old.expires_on,
        level=old.level,
    )
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])
    # The chain's lapses go with it (club.validity reads the card's own).
    CardLapse.objects.bulk_create(
        [CardLapse(card=new, starts_on=lapse.starts_on, ends_on=lapse.ends_on) for lapse in old.lapses.all()]
    )
    note = reason.strip() or _("挂失补卡")
    if old.balance:
        carried = old.balance
        _book(card=old, kind=EntryKind.TRANSFER_OUT, points=-carried, user=user, reason=f"{note} → {new.number}")
        _book(card=new, kind=EntryKind.TRANSFER_IN, points=carried, user=user, reason=f"{note} ← {old.number}")
    return new


@transaction.atomic
def card_renew(*, card: MemberCard, on: dt.date | None = None) -> MemberCard:
    """续期: three more years, from the current expiry when renewed in time, else from today. A late
    renewal records the lapse (the expiry's next day to the day before the renewal, a CardLapse
    row): an RO opened then earns nothing, even when imported after the renewal."""
    locked = _locked(card)
    on = on or timezone.localdate()
    start = max(on, locked.expires_on + dt.timedelta(days=1))
    if start > locked.expires_on + dt.timedelta(days=1):
        CardLapse.objects.create(
            card=locked, starts_on=locked.expires_on + dt.timedelta(days=1), ends_on=start - dt.timedelta(days=1)
        )
    locked.expires_on = _expiry(start)
    locked.save(update_fields=["expires_on"])
    return locked


@transaction.atomic
def activity_create(*, store: Store, name: str, held_on: dt.date, points: int, note: str = "") -> Activity:
    if not ACTIVITY_POINTS_MIN <= points <= ACTIVITY_POINTS_MAX:
        raise ValidationError(
            {
                "points": _("活动积分须在 %(lo)s 到 %(hi)s 之间。")
                % {"lo": ACTIVITY_POINTS_MIN, "hi": ACTIVITY_POINTS_MAX}
            }
        )
    return Activity.objects.create(store=store, name=name, held_on=held_on, points=points, note=note)


@transaction.atomic
def activity_participant_add(*, activity: Activity, card: MemberCard, user: User | None) -> Participation:
    """A member took part: the activity's points, once per card (the unique participation row)."""
    if card.store_id != activity.store_id:
        raise ClubError(_("只能登记本店会员。"))
    locked = _locked(card, valid=True)
    participation, created = Participation.objects.get_or_create(activity=activity, card=locked)
    if not created:
        raise ClubError(_("该会员已登记参加此活动。"))
    _book(
        card=locked, kind=EntryKind.ACTIVITY, points=activity.points, user=user, reason=activity.name, activity=activity
    )
    levels_refresh(card_ids=[locked.pk])
    return participation


@transaction.atomic
def suggestion_points_book(entry, *, user: User | None) -> str:
    """建议采纳 (SPEC §10.6): an adopted suggestion earns its customer 200 points, once, on his valid
    member card at the suggestion's store (the earliest issued, when he holds several); a customer
    without one earns nothing. A voc.adoption handler: returns the sentence the user reads."""
    not_a_member = _("客户不是有效会员，未加积分。")
    if entry.customer_id is None:
        return not_a_member
    today = timezone.localdate()
    card = (
        MemberCard.objects.select_for_update()
        .filter(valid_on(today), customer_id=entry.customer_id, store_id=entry.store_id)
        .order_by("issued_on", "id")
        .first()
    )
    if card is None:
        return not_a_member
    if PointEntry.objects.filter(suggestion=entry).exists():
        return ""
    _book(
        card=card,
        kind=EntryKind.SUGGESTION,
        points=SUGGESTION_POINTS,
        user=user,
        reason=mask_text(entry.text)[:200],  # the ledger is read by roles that see no numbers
        suggestion=entry,
    )
    levels_refresh(card_ids=[card.pk])
    return _("会员卡 %(number)s 加 %(points)s 积分。") % {"number": card.number, "points": SUGGESTION_POINTS}


@transaction.atomic
def club_settings_save(*, store: Store, silver_from: int, gold_from: int) -> int:
    """Set the store's level thresholds and re-level its active cards at once; return how many
    cards changed level."""
    if gold_from <= silver_from:
        raise ValidationError({"gold_from": _("金卡积分起点须高于银卡。")})
    settings, _created = ClubSettings.objects.get_or_create(store=store)
    settings.silver_from, settings.gold_from = silver_from, gold_from
    settings.save(update_fields=["silver_from", "gold_from"])
    return levels_refresh(store_ids=[store.pk])
