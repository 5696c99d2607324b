"""Writes of the voice of the customer: tagging verbatims (incremental and by month), topics, and
the feedback call of a suggestion."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Staff, User
from crm.periods import month_bounds
from voc import segmentation
from voc.adoption import suggestion_adopted
from voc.models import VocCursor, VocEntry, VocMention, VocTopic
from voc.sources import SOURCES, Verbatim
from voc.tagging import TopicRule, tag_text

BATCH_SIZE = 2000
# The beat run reads at most this many batches per source, so that a first run over years of
# records ends and the next run goes on where it stopped (the cursor).
MAX_BATCHES = 50


def voc_topic_rules() -> list[TopicRule]:
    """The active topics as the tagger reads them; their keywords and every staff name are taught to
    the tokenizer (each once per process)."""
    topics = list(VocTopic.objects.filter(is_active=True).order_by("order", "id"))
    rules = [TopicRule(id=t.pk, name=t.name, keywords=tuple(t.keyword_list)) for t in topics]
    segmentation.add_words(k for rule in rules for k in rule.keywords)
    segmentation.add_words(Staff.objects.values_list("name", flat=True).distinct())
    return rules


def _local_month(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date().replace(day=1)


def voc_tag_verbatims(verbatims: list[Verbatim], *, rules: list[TopicRule], now: dt.datetime | None = None) -> int:
    """Store (or refresh) the entries of `verbatims` and their mentions; returns how many. Safe to run
    twice: the entry is unique per source row (its feedback call is kept), its mentions are replaced."""
    if not verbatims:
        return 0
    now = now or timezone.now()
    cache: dict[tuple[str, bool, bool, bool], object] = {}
    entries = []
    for v in verbatims:
        # The same short verbatim ("没有", "洗车不干净") recurs: segment each text once per batch.
        key = (v.text, v.negative_by_nature, v.suggestion, v.weak_answer)
        tagged = cache.get(key)
        if tagged is None:
            tagged = cache[key] = tag_text(
                v.text,
                rules,
                negative_by_nature=v.negative_by_nature,
                suggestion=v.suggestion,
                weak_answer=v.weak_answer,
            )
        entry = VocEntry(
            store_id=v.store_id,
            source=v.source,
            source_id=v.source_id,
            said_at=v.said_at,
            month=_local_month(v.said_at),
            department=v.department,
            staff_id=v.staff_id,
            customer_id=v.customer_id,
            text=v.text,
            words=tagged.words,
            polarity=tagged.polarity,
            needs_feedback=tagged.asks,
            tagged_at=now,
        )
        entry.tagged = tagged
        entries.append(entry)
    with transaction.atomic():
        VocEntry.objects.bulk_create(
            entries,
            update_conflicts=True,
            unique_fields=["source", "source_id"],
            update_fields=[
                "store",
                "said_at",
                "month",
                "department",
                "staff",
                "customer",
                "text",
                "words",
                "polarity",
                "needs_feedback",
                "tagged_at",
            ],
        )
        VocMention.objects.filter(entry_id__in=[e.pk for e in entries]).delete()
        VocMention.objects.bulk_create(
            [
                VocMention(
                    entry_id=e.pk,
                    topic_id=topic_id,
                    keyword=keyword[:30],
                    polarity=polarity,
                    store_id=e.store_id,
                    month=e.month,
                    department=e.department,
                    staff_id=e.staff_id,
                )
                for e in entries
                for (topic_id, keyword), polarity in e.tagged.mentions.items()
            ],
            ignore_conflicts=True,  # a second run inserting the same mentions at the same moment
        )
    return len(entries)


# How long a transaction may stay open between inserting a verbatim's row (its id is given then) and
# committing it, for the 15-minute run still to pick the row up: an import of a big DMS file takes
# minutes, not hours. A row committed later still is caught by the nightly run (`NIGHTLY_WINDOW`).
LATE_COMMIT_WINDOW = dt.timedelta(hours=1)
NIGHTLY_WINDOW = dt.timedelta(hours=25)
# Marks older than this are dropped (the newest older one is kept as the nightly run's floor).
_MARKS_KEPT = NIGHTLY_WINDOW + dt.timedelta(hours=1)


# A cursor starts with one mark as old as can be: all it had read (nothing, or what a cursor had read
# when the look-back came in) counts as read by a run long ago.
ORIGIN = "1970-01-01T00:00:00+00:00"


def _floor(cursor: VocCursor, *, now: dt.datetime, window: dt.timedelta) -> int:
    """The id at or below which every row is known read: the high-water mark of the newest run at
    least `window` before `now` — rows with ids at or below it had been inserted when that run read,
    so their transactions, had they been open then, have ended since."""
    old_enough = [mark_id for at, mark_id in cursor.marks if dt.datetime.fromisoformat(at) <= now - window]
    return max(old_enough, default=cursor.settled_id)


def _record_mark(cursor: VocCursor, *, now: dt.datetime) -> None:
    """Note this run's high-water mark; settle the marks older than the late-commit window."""
    marks = [*cursor.marks, [now.isoformat(), cursor.last_id]]
    cursor.settled_id = max(cursor.settled_id, _floor(cursor, now=now, window=LATE_COMMIT_WINDOW))
    old = [m for m in marks if dt.datetime.fromisoformat(m[0]) <= now - _MARKS_KEPT]
    cursor.marks = [*old[-1:], *(m for m in marks if dt.datetime.fromisoformat(m[0]) > now - _MARKS_KEPT)]
    cursor.save(update_fields=["last_id", "settled_id", "marks", "updated_at"])


def _claim_cursor(name: str) -> VocCursor | None:
    """The source's cursor, locked for this transaction; None when another run holds it."""
    return VocCursor.objects.select_for_update(skip_locked=True).filter(source=name).first()


def voc_tag_new(
    *, batch_size: int = BATCH_SIZE, max_batches: int = MAX_BATCHES, lookback: dt.timedelta = LATE_COMMIT_WINDOW
) -> dict[str, int]:
    """Tag the verbatims recorded since the last run, per source (the beat task). Each batch and its
    cursor advance commit together; a source whose cursor another run holds is skipped (its rows are
    being tagged).

    Rows that committed late — inserted (their id given) before rows a run has already read, visible
    only after it — are not lost: each run first reads again the rows above the cursor's floor (the
    high-water mark of a run at least `lookback` ago) that have no entry yet. `lookback` is the
    late-commit window for the 15-minute run and a day for the nightly one."""
    rules = voc_topic_rules()
    counts: dict[str, int] = {}
    for name, source in SOURCES.items():
        VocCursor.objects.get_or_create(source=name, defaults={"marks": [[ORIGIN, 0]]})
        counts[name] = 0
        # Late rows: between the floor and what runs have read, the rows without an entry.
        with transaction.atomic():
            cursor = _claim_cursor(name)
            if cursor is None:
                continue
            after_id, up_to = _floor(cursor, now=timezone.now(), window=lookback), cursor.last_id
        for _batch in range(max_batches):
            with transaction.atomic():
                if _claim_cursor(name) is None:
                    break
                rows = source.untagged_rows(after_id=after_id, up_to=up_to, limit=batch_size)
                if not rows:
                    break
                counts[name] += voc_tag_verbatims(list(source.verbatims(rows)), rules=rules)
                after_id = rows[-1]["id"]
            if len(rows) < batch_size:
                break
        # New rows past the high-water mark.
        for _batch in range(max_batches):
            with transaction.atomic():
                cursor = _claim_cursor(name)
                if cursor is None:
                    break
                rows = source.rows(after_id=cursor.last_id, limit=batch_size)
                if rows:
                    counts[name] += voc_tag_verbatims(list(source.verbatims(rows)), rules=rules)
                    cursor.last_id = rows[-1]["id"]
                # The mark's time is taken after the read: every id up to last_id was inserted by then.
                _record_mark(cursor, now=timezone.now())
            if len(rows) < batch_size:
                break
    return counts


def voc_tag_late(*, window: dt.timedelta = NIGHTLY_WINDOW, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """The nightly catch-up: the rows of the last day without an entry (committed later than the
    late-commit window after their insert), anything new, and again the rows edited in the last day
    (a complaint whose 相关责任人, department or content changed since it was tagged)."""
    counts = voc_tag_new(lookback=window)
    rules = voc_topic_rules()
    since = timezone.now() - window
    for name, source in SOURCES.items():
        ids = source.changed_ids(since=since)
        for i in range(0, len(ids), batch_size):
            rows = source.rows_by_id(ids[i : i + batch_size])
            counts[name] += voc_tag_verbatims(list(source.verbatims(rows)), rules=rules)
    return counts


def voc_tag_month(
    *, month: dt.date, store_ids: list[int] | None = None, batch_size: int = BATCH_SIZE
) -> dict[str, int]:
    """Tag (again) every verbatim of `month` (of `store_ids`, or all stores): after the topic list
    changed, or to backfill. Leaves the incremental cursors alone."""
    rules = voc_topic_rules()
    start, end = month_bounds(month)
    counts: dict[str, int] = {}
    for name, source in SOURCES.items():
        ids = source.window_ids(start=start, end=end, store_ids=store_ids)
        counts[name] = 0
        for i in range(0, len(ids), batch_size):
            rows = source.rows_by_id(ids[i : i + batch_size])
            counts[name] += voc_tag_verbatims(list(source.verbatims(rows)), rules=rules)
    return counts


def voc_topic_save(*, topic: VocTopic) -> VocTopic:
    """Save a topic from the form or the admin; its keywords must name at least one word."""
    if not topic.keyword_list:
        raise ValidationError({"keywords": _("请至少填写一个关键词。")})
    topic.save()
    return topic


@transaction.atomic
def voc_feedback_record(*, entry: VocEntry, user: User, note: str, adopted: bool = False) -> list[str]:
    """The suggestion's feedback call is made (seed 003): who called, when, what was said, and whether
    the store adopted the suggestion. Recorded once: a second submit (two agents, a stale tab) leaves
    the first record. An adoption runs the registered handlers (voc.adoption: the club books the
    member's points) in the same transaction; returns what they said."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写反馈内容。")})
    now = timezone.now()
    updated = VocEntry.objects.filter(pk=entry.pk, needs_feedback=True, feedback_at__isnull=True).update(
        feedback_at=now, feedback_by=user, feedback_note=note, adopted=adopted
    )
    if not updated:
        raise ValidationError(_("该建议已登记反馈。"))
    entry.refresh_from_db()
    return suggestion_adopted(entry, user=user) if adopted else []
