"""Other work agents do from the callback queue (SPEC §10.2 reminder calls, §10.3 win-back calls):
an app registers a source, and the queue page lists its callable tasks after the callbacks, offers
its kinds in the kind filter, and "next call" falls back to it when no callback is waiting.

callbacks imports no app that registers here (the registering app imports callbacks).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class QueueSource:
    # (value, label) of each kind the source's tasks have, for the queue's kind filter.
    kinds: Callable[[], list[tuple[str, str]]]
    # rows(user=, now=, kind=None|str, expiring=bool, limit=int) -> the queue rows, ready to print (one
    # query): id, kind, kind_label, customer_name, vehicle_label, vehicle_series, appointment, closes,
    # failed_attempts, assignee, url.
    rows: Callable[..., list[dict]]
    # claim_next(user=, kind=None|str) -> the URL of the task claimed for the agent, or None.
    claim_next: Callable[..., str | None]
    # counts(user=, now=) -> the source's share of the queue header's counts (due_today,
    # about_to_expire, done_today; at most one query), added to the callbacks' own.
    counts: Callable[..., dict[str, int]] | None = None


_sources: list[QueueSource] = []


def register_queue_source(source: QueueSource) -> QueueSource:
    if source not in _sources:
        _sources.append(source)
    return source


def queue_sources() -> list[QueueSource]:
    return list(_sources)


def extra_kind_choices() -> list[tuple[str, str]]:
    return [choice for source in _sources for choice in source.kinds()]


def extra_queue_rows(*, user, now: datetime.datetime, kind: str | None, expiring: bool, limit: int) -> list[dict]:
    rows: list[dict] = []
    for source in _sources:
        if len(rows) >= limit:
            break
        rows += source.rows(user=user, now=now, kind=kind, expiring=expiring, limit=limit - len(rows))
    return rows


def extra_queue_counts(*, user, now: datetime.datetime) -> dict[str, int]:
    totals: dict[str, int] = {}
    for source in _sources:
        if source.counts is not None:
            for key, n in source.counts(user=user, now=now).items():
                totals[key] = totals.get(key, 0) + n
    return totals


def extra_claim_next(*, user, kind: str | None = None) -> str | None:
    for source in _sources:
        url = source.claim_next(user=user, kind=kind)
        if url:
            return url
    return None
