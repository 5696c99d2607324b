"""Reads of the voice of the customer, every one scoped to the user's stores (crm.scoping). Counts are
of verbatims (an entry naming 洗车 twice counts once), aggregated in the database from VocMention."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from crm.choices import DepartmentKind
from crm.models import Staff, User
from crm.periods import add_months
from crm.scoping import scope_for_user
from voc.choices import Polarity
from voc.models import VocEntry, VocMention, VocTopic

TREND_MONTHS = 12
TOP_STAFF = 15
TOP_KEYWORDS = 8


def _counts() -> dict:
    return {
        "total": Count("entry", distinct=True),
        "negative": Count("entry", distinct=True, filter=Q(polarity=Polarity.NEGATIVE)),
        "positive": Count("entry", distinct=True, filter=Q(polarity=Polarity.POSITIVE)),
    }


def mentions(*, user: User, store_id: int | None = None) -> QuerySet[VocMention]:
    qs = scope_for_user(VocMention.objects.all(), user)
    return qs.filter(store_id=store_id) if store_id else qs


def entries(*, user: User, store_id: int | None = None) -> QuerySet[VocEntry]:
    qs = scope_for_user(VocEntry.objects.all(), user)
    return qs.filter(store_id=store_id) if store_id else qs


def voc_month(*, user: User, month: dt.date, store_id: int | None = None) -> dict:
    """The VOC page's figures of `month`: topics with counts and top keywords, the 12-month trend, the
    topics by department and by staff. Nine queries whatever the data."""
    topics = list(VocTopic.objects.order_by("order", "id"))
    base = mentions(user=user, store_id=store_id)
    month_qs = base.filter(month=month)
    by_topic = {r["topic_id"]: r for r in month_qs.values("topic_id").annotate(**_counts())}
    keywords: dict[int, list[dict]] = {}
    # One mention row per (verbatim, topic, keyword): a keyword's rows are its verbatims, no DISTINCT.
    keyword_counts = {"total": Count("id"), "negative": Count("id", filter=Q(polarity=Polarity.NEGATIVE))}
    for r in (
        month_qs.values("topic_id", "keyword").annotate(**keyword_counts).order_by("topic_id", "-total", "keyword")
    ):
        keywords.setdefault(r["topic_id"], []).append(r)
    first = add_months(month, -(TREND_MONTHS - 1))
    months = [add_months(first, i) for i in range(TREND_MONTHS)]
    trend: dict[int, dict[dt.date, int]] = {}
    for r in (
        base.filter(month__gte=first, month__lte=month)
        .values("topic_id", "month")
        .annotate(total=Count("entry", distinct=True))
    ):
        trend.setdefault(r["topic_id"], {})[r["month"]] = r["total"]
    rows = []
    for topic in topics:
        counts = by_topic.get(topic.pk)
        if counts is None and not topic.is_active:
            continue
        rows.append(
            {
                "topic": topic,
                "total": counts["total"] if counts else 0,
                "negative": counts["negative"] if counts else 0,
                "positive": counts["positive"] if counts else 0,
                "keywords": keywords.get(topic.pk, [])[:TOP_KEYWORDS],
                "trend": [trend.get(topic.pk, {}).get(m, 0) for m in months],
            }
        )
    entries_qs = entries(user=user, store_id=store_id).filter(month=month)
    totals = entries_qs.aggregate(
        verbatims=Count("id"),
        negative=Count("id", filter=Q(polarity=Polarity.NEGATIVE)),
        # Without a join to the mentions (which made every count DISTINCT): an anti-join per entry.
        untagged=Count("id", filter=~Exists(VocMention.objects.filter(entry_id=OuterRef("pk")))),
        suggestions=Count("id", filter=Q(needs_feedback=True)),
    )
    return {
        "rows": rows,
        "months": months,
        "by_department": _matrix(month_qs, "department", topics=rows),
        "by_staff": _by_staff(month_qs, topics=rows),
        "totals": totals,
    }


def _matrix(qs: QuerySet, field: str, *, topics: list[dict]) -> list[dict]:
    cells: dict[str, dict[int, int]] = {}
    negatives: dict[str, int] = {}
    for r in qs.values(field, "topic_id").annotate(**_counts()):
        cells.setdefault(r[field], {})[r["topic_id"]] = r["total"]
        negatives[r[field]] = negatives.get(r[field], 0) + r["negative"]
    labels = dict(DepartmentKind.choices)
    return [
        {
            "key": key,
            "label": labels.get(key, key) if key else "—",
            "cells": [(row["topic"].pk, cells[key].get(row["topic"].pk, 0)) for row in topics],
            "negative": negatives[key],
        }
        for key in sorted(cells, key=lambda k: -sum(cells[k].values()))
    ]


def _by_staff(qs: QuerySet, *, topics: list[dict]) -> list[dict]:
    """The staff most spoken about this month (up to TOP_STAFF), with their count per topic."""
    leaders = list(
        qs.filter(staff__isnull=False)
        .values("staff_id")
        .annotate(**_counts())
        .order_by("-negative", "-total", "staff_id")[:TOP_STAFF]
    )
    ids = [r["staff_id"] for r in leaders]
    cells: dict[int, dict[int, int]] = {}
    for r in qs.filter(staff_id__in=ids).values("staff_id", "topic_id").annotate(total=Count("entry", distinct=True)):
        cells.setdefault(r["staff_id"], {})[r["topic_id"]] = r["total"]
    names = dict(Staff.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [
        {
            "staff_id": r["staff_id"],
            "name": names.get(r["staff_id"], ""),
            "total": r["total"],
            "negative": r["negative"],
            "positive": r["positive"],
            "cells": [(row["topic"].pk, cells.get(r["staff_id"], {}).get(row["topic"].pk, 0)) for row in topics],
        }
        for r in leaders
    ]


def verbatims(
    *,
    user: User,
    month: dt.date | None,
    store_id: int | None = None,
    topic_id: int | None = None,
    keyword: str = "",
    department: str = "",
    staff_id: int | None = None,
    polarity: int | None = None,
) -> QuerySet[VocEntry]:
    """The drill-down: the verbatims behind a count, newest first."""
    qs = entries(user=user, store_id=store_id)
    if month is not None:
        qs = qs.filter(month=month)
    if department:
        qs = qs.filter(department=department)
    if staff_id:
        qs = qs.filter(staff_id=staff_id)
    mention = Q()
    if topic_id:
        mention &= Q(topic_id=topic_id)
    if keyword:
        mention &= Q(keyword=keyword)
    if polarity is not None:
        # With a topic or keyword, what was said about it; else the verbatim's as a whole.
        if mention:
            mention &= Q(polarity=polarity)
        else:
            qs = qs.filter(polarity=polarity)
    if mention:
        qs = qs.filter(pk__in=VocMention.objects.filter(mention).values("entry_id"))
    return qs.select_related("store", "staff", "customer", "feedback_by").order_by("-said_at", "-id")


def feedback_list(*, user: User, state: str = "open", store_id: int | None = None) -> QuerySet[VocEntry]:
    """Suggestions that ask for something (seed 003): `open` ones wait for their feedback call."""
    qs = entries(user=user, store_id=store_id).filter(needs_feedback=True)
    if state == "open":
        qs = qs.filter(feedback_at__isnull=True).order_by("said_at", "id")
    else:
        qs = qs.filter(feedback_at__isnull=False).order_by("-feedback_at", "-id")
    return qs.select_related("store", "staff", "customer", "feedback_by")


def month_topics_for_meeting(*, store_id: int, month: dt.date, limit: int = 7) -> list[dict]:
    """The meeting record's VOC section: the month's topics by verbatims (negative first), with their
    top keywords. Two queries."""
    qs = VocMention.objects.filter(store_id=store_id, month=month)
    counts = list(qs.values("topic_id", "topic__name").annotate(**_counts()).order_by("-negative", "-total")[:limit])
    keywords: dict[int, list[str]] = {}
    for r in qs.values("topic_id", "keyword").annotate(n=Count("entry", distinct=True)).order_by("-n", "keyword"):
        keywords.setdefault(r["topic_id"], []).append(f"{r['keyword']}({r['n']})")
    return [{**r, "keywords": keywords.get(r["topic_id"], [])[:5]} for r in counts]
