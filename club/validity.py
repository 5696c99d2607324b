"""The one rule of "the card is valid on a day" (SPEC §10.6), in Python, as an ORM filter and as the
SQL fragment of the set-based RO booking (tests hold the three to the same cases).

A card is valid on a day when it is active (not replaced), the day lies between its chain's start
(`points_from`: a replacement carries the replaced card's) and its expiry, and the day is not in a
lapse (the days between an expiry and a late renewal, `CardLapse`)."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from club.choices import CardState
from club.models import CardLapse, MemberCard


def card_valid_on(card: MemberCard, day: dt.date) -> bool:
    if card.state != CardState.ACTIVE or not card.points_from <= day <= card.expires_on:
        return False
    return not CardLapse.objects.filter(card_id=card.pk, starts_on__lte=day, ends_on__gte=day).exists()


def valid_on(day: dt.date | OuterRef, *, prefix: str = "") -> Q:
    """A filter of MemberCard (or, with `prefix` such as "member_cards__", of a model joined to it)
    for the cards valid on `day`."""
    lapse = CardLapse.objects.filter(card_id=OuterRef(f"{prefix}pk" if prefix else "pk"))
    lapse = lapse.filter(starts_on__lte=day, ends_on__gte=day)
    return Q(
        **{f"{prefix}state": CardState.ACTIVE, f"{prefix}points_from__lte": day, f"{prefix}expires_on__gte": day}
    ) & ~Exists(lapse)


def valid_on_sql(card: str, day: str) -> str:
    """The SQL twin of `valid_on` for the card alias `card` and the date expression `day`."""
    return (
        f"{card}.state = '{CardState.ACTIVE.value}' AND {day} BETWEEN {card}.points_from AND {card}.expires_on"
        f" AND NOT EXISTS (SELECT 1 FROM club_cardlapse l WHERE l.card_id = {card}.id"
        f" AND {day} BETWEEN l.starts_on AND l.ends_on)"
    )
