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


def voc_tag_new(*, batch_size: int = BATCH_SIZE, max_batches: int = MAX_BATCHES) -> dict[str, int]:
    """Tag the verbatims recorded since the last run, per source (the beat task). Each batch and its
    cursor advance commit together; a source whose cursor another run holds is skipped (its rows are
    being tagged)."""
    rules = voc_topic_rules()
    counts: dict[str, int] = {}
    for name, source in SOURCES.items():
        VocCursor.objects.get_or_create(source=name)
        counts[name] = 0
        for _batch in range(max_batches):
            with transaction.atomic():
                cursor = VocCursor.objects.select_for_update(skip_locked=True).filter(source=name).first()
                if cursor is None:
                    break
                rows = source.rows(after_id=cursor.last_id, limit=batch_size)
                if not rows:
                    break
                counts[name] += voc_tag_verbatims(list(source.verbatims(rows)), rules=rules)
                cursor.last_id = rows[-1]["id"]
                cursor.save(update_fields=["last_id", "updated_at"])
            if len(rows) < batch_size:
                break
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
