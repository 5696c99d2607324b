"""Reads of the membership club, every one scoped to the user's stores (crm.scoping)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from club.choices import CardState, Level
from club.models import Activity, ClubSettings, MemberCard, Participation, PointEntry
from club.validity import valid_on
from crm.card_flags import CardFlag
from crm.models import Customer, User, Vehicle
from crm.scoping import get_scoped_or_404, scope_for_user

VALID, EXPIRED, REPLACED = "valid", "expired", "replaced"


@dataclass(frozen=True)
class CardFilters:
    store: int | None = None
    level: str | None = None
    status: str | None = None  # VALID / EXPIRED / REPLACED; None: every card not replaced
    text: str = ""


def card_list(*, user: User, filters: CardFilters, on: dt.date | None = None) -> QuerySet[MemberCard]:
    """The member list: newest cards first, with the vehicle, customer and store in one query."""
    on = on or timezone.localdate()
    cards = scope_for_user(MemberCard.objects.all(), user)
    if filters.store:
        cards = cards.filter(store_id=filters.store)
    if filters.level:
        cards = cards.filter(level=filters.level)
    if filters.status == REPLACED:
        cards = cards.filter(state=CardState.REPLACED)
    else:
        cards = cards.filter(state=CardState.ACTIVE)
        if filters.status == VALID:
            cards = cards.filter(expires_on__gte=on)
        elif filters.status == EXPIRED:
            cards = cards.filter(expires_on__lt=on)
    if filters.text:
        text = filters.text
        cards = cards.filter(
            Q(number=text.upper()) | Q(vehicle__plate=text.upper()) | Q(customer__name__startswith=text)
        )
    return cards.select_related("store", "vehicle", "customer").order_by("-issued_on", "-id")


def card_detail(*, user: User, pk: int) -> MemberCard:
    return get_scoped_or_404(
        MemberCard.objects.select_related("store", "vehicle", "customer", "replaced_by", "replaces"), user, pk=pk
    )


def card_ledger(*, card: MemberCard) -> QuerySet[PointEntry]:
    """The card's ledger, newest first, with each row's source (RO, activity) and author."""
    return card.entries.select_related("repair_order", "activity", "created_by").order_by("-created_at", "-id")


def store_club_settings(*, store_id: int) -> ClubSettings:
    """The store's settings row, or an unsaved one with the default thresholds (a store that never
    saved any uses those)."""
    return ClubSettings.objects.filter(store_id=store_id).first() or ClubSettings(store_id=store_id)


def active_cards_by_level(*, store_id: int) -> list[tuple[str, int]]:
    """(level label, valid cards) of the store, in level order — what the thresholds produce now. Valid
    as the members report counts them (club.stats): active and not past their expiry."""
    counts = dict(
        MemberCard.objects.filter(valid_on(timezone.localdate()), store_id=store_id)
        .values_list("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    return [(label, counts.get(value, 0)) for value, label in Level.choices]


def earlier_cards(*, card: MemberCard) -> list[MemberCard]:
    """The cards this one replaced, newest first (their ledgers end in a transfer to this card)."""
    return list(
        MemberCard.objects.filter(vehicle_id=card.vehicle_id, store_id=card.store_id, state=CardState.REPLACED)
        .exclude(pk=card.pk)
        .order_by("-issued_on", "-id")
    )


def activity_list(*, user: User) -> QuerySet[Activity]:
    return (
        scope_for_user(Activity.objects.all(), user)
        .select_related("store")
        .annotate(participant_count=Count("participations"))
        .order_by("-held_on", "-id")
    )


def activity_detail(*, user: User, pk: int) -> Activity:
    return get_scoped_or_404(Activity.objects.select_related("store"), user, pk=pk)


def activity_participants(*, activity: Activity) -> QuerySet[Participation]:
    return activity.participations.select_related("card", "card__customer", "card__vehicle").order_by("-created_at")


def card_by_number(*, user: User, store_id: int, number: str) -> MemberCard | None:
    """The store's active card of that number, expired or not: the service that acts on it says
    why an expired card is refused (club.validity)."""
    return (
        scope_for_user(MemberCard.objects.all(), user)
        .filter(store_id=store_id, number=number.strip().upper(), state=CardState.ACTIVE)
        .first()
    )


def enrolable_vehicles(*, customer: Customer) -> QuerySet[Vehicle]:
    """The customer's vehicles without an active card."""
    return Vehicle.objects.filter(owner=customer).exclude(member_cards__state=CardState.ACTIVE).order_by("plate", "id")


def customer_club_flags(customer: Customer) -> list[CardFlag]:
    """The customer page's flag: the member card(s), or the way to enrol. One query."""
    cards = list(
        MemberCard.objects.filter(customer=customer, state=CardState.ACTIVE)
        .order_by("number")
        .values("pk", "number", "level")
    )
    if not cards:
        return [
            CardFlag(
                _("入会"),
                tone="light",
                title=_("办理车友俱乐部会员卡"),
                url=reverse("club:enrol", args=[customer.pk]),
            )
        ]
    return [
        CardFlag(
            _("会员卡 %(number)s") % {"number": card["number"]},
            tone="warning",
            title=_("车友俱乐部会员"),
            url=reverse("club:card_detail", args=[card["pk"]]),
        )
        for card in cards
    ]
