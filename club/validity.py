"""The one rule of "the card is valid on a day" (SPEC §10.6), in Python, as an ORM filter and as the
SQL fragment of the set-based RO booking (tests hold the three to the same cases).

A card is valid on a day when it is active (not replaced), the day lies between its chain's start
(`points_from`: a replacement carries the replaced card's) and its expiry, and the day is not in a
lapse (the days between an expiry and a late renewal, `CardLapse`). With `any_state`, the same rule
without the state: whether a card was valid on a past day even if it has been replaced since (the
club's revenue report)."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from club.choices import CardState
from club.models import CardLapse, MemberCard


def card_valid_on(card: MemberCard, day: dt.date, *, any_state: bool = False) -> bool:
    if not any_state and card.state != CardState.ACTIVE:
        return False
    if not card.points_from <= day <= card.expires_on:
        return False
    return not CardLapse.objects.filter(card_id=card.pk, starts_on__lte=day, ends_on__gte=day).exists()


def valid_on(day: dt.date | OuterRef, *, prefix: str = "", any_state: bool = False) -> Q:
    """A filter of MemberCard (or, with `prefix` such as "member_cards__", of a model joined to it)
    for the cards valid on `day` — a date, or an OuterRef to the outer query's date (an RO's day).

    `any_state`: the cards that were valid then whatever their state now — for a question about the
    past over a card chain (was the vehicle a member on the RO's day?): a card replaced since was the
    chain's card then (its successor carries the same start, expiry and lapses)."""
    # The lapse subquery sits one level deeper than the filter: an outer day is one more level out.
    lapse_day = OuterRef(day) if isinstance(day, OuterRef) else day
    lapse = CardLapse.objects.filter(card_id=OuterRef(f"{prefix}pk" if prefix else "pk"))
    lapse = lapse.filter(starts_on__lte=lapse_day, ends_on__gte=lapse_day)
    state = {} if any_state else {f"{prefix}state": CardState.ACTIVE}
    return Q(**state, **{f"{prefix}points_from__lte": day, f"{prefix}expires_on__gte": day}) & ~Exists(lapse)


def valid_on_sql(card: str, day: str, *, any_state: bool = False) -> str:
    """The SQL twin of `valid_on` for the card alias `card` and the date expression `day`."""
    state = "" if any_state else f"{card}.state = '{CardState.ACTIVE.value}' AND "
    return (
        f"{state}{day} BETWEEN {card}.points_from AND {card}.expires_on"
        f" AND NOT EXISTS (SELECT 1 FROM club_cardlapse l WHERE l.card_id = {card}.id"
        f" AND {day} BETWEEN l.starts_on AND l.ends_on)"
    )
