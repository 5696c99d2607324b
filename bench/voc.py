"""The voice of the customer at SPEC §12 scale (issue 14 item 1): tagging a month's verbatims (target
under 10 s) and the VOC page (target under 300 ms, queries constant), for the group GM (10 stores)
and one store's GM, plus the drill-down.

The scale set records no questionnaire text answers, so the month's responses get a Q11 remark
each (every third response, as the demo's share of customers who say something) — phrases from
seeds 001 and 004, each made unique by a number so that the per-batch segmentation cache saves
nothing (the worst case). Call notes and complaints of the month are the set's own. Everything runs
in a transaction that is rolled back: the database keeps no rows.
"""

from __future__ import annotations

import time

PHRASES = [
    "洗车不干净",
    "等了2个小时",
    "休息区很舒服",
    "价格太贵了，工时费比别家高",
    "服务顾问态度很好，很耐心",
    "保养后发动机有异响",
    "希望能提供代步车",
    "建议休息区增加充电插座",
    "配件等了两周还没到货",
    "结算排队太久",
    "没有",
    "挺满意的",
    "钣喷后颜色有色差",
    "交车时间一拖再拖",
    "旧件没给我看",
    "收费项目没解释清楚",
    "空调出风有异味，怀疑滤芯没换",
]


def bench_voc(report, runs: int) -> None:
    from django.db import connection
    from django.urls import reverse
    from django.utils import timezone

    from bench.run import Figure, client_for, count_queries, get_ok, median_ms, rolled_back
    from crm.models import User
    from crm.periods import add_months, month_bounds
    from surveys.models import Question
    from voc import segmentation
    from voc.models import VocEntry, VocMention
    from voc.services import voc_tag_month

    month = add_months(timezone.localdate().replace(day=1), -1)  # the last whole month
    start, end = month_bounds(month)
    with rolled_back():
        q11 = dict(
            Question.objects.filter(code="Q11", version__responses__isnull=False)
            .distinct()
            .values_list("version_id", "id")
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO surveys_answer (response_id, question_id, text, choice, is_negative) "
                "SELECT r.id, q.question_id, (%s::text[])[1 + r.id %% %s] || '（第' || r.id || '号）', '', false "
                "FROM surveys_response r JOIN unnest(%s::bigint[], %s::bigint[]) AS q(version_id, question_id) "
                "ON q.version_id = r.version_id "
                "WHERE r.answered_at >= %s AND r.answered_at < %s AND r.id %% 3 = 0 "
                "ON CONFLICT DO NOTHING",
                [PHRASES, len(PHRASES), list(q11), list(q11.values()), start, end],
            )
            remarks = cursor.rowcount
            cursor.execute("ANALYZE surveys_answer")
        started = time.perf_counter()
        segmentation.tokenizer()  # the process's one-off dictionary load, timed apart
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        counts = voc_tag_month(month=month)
        tag_s = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE voc_vocentry")
            cursor.execute("ANALYZE voc_vocmention")
        report.add(
            Figure(
                f"VOC tagging of {month:%Y-%m} (10 stores)",
                tag_s,
                "s",
                10,
                "< 10 s",
                note=f"{sum(counts.values()):,} verbatims ({', '.join(f'{k} {v:,}' for k, v in counts.items())}), "
                f"{VocMention.objects.count():,} mentions; +{load_s:.1f} s jieba dictionary load once per process; "
                f"{remarks:,} Q11 remarks added",
            )
        )
        query = f"?month={month:%Y-%m}"
        store_gm = User.objects.filter(username__endswith="_gm").exclude(username="group_gm").order_by("username")[0]
        for username, who in (("group_gm", "group GM, 10 stores"), (store_gm.username, "store GM")):
            page = get_ok(client_for(username), reverse("voc:page") + query)
            report.add(
                Figure(
                    f"VOC page (server), {who}",
                    median_ms(page, runs),
                    "ms",
                    300,
                    "< 300 ms",
                    note=f"{count_queries(page)} queries",
                )
            )
        topic_id = VocMention.objects.filter(month=month).values_list("topic_id", flat=True).first()
        drill = get_ok(client_for("group_gm"), reverse("voc:verbatims") + f"{query}&topic={topic_id}")
        report.add(
            Figure(
                "VOC drill-down (server), group GM, 30 verbatims of a topic",
                median_ms(drill, runs),
                "ms",
                300,
                "< 300 ms",
                note=f"{count_queries(drill)} queries; {VocEntry.objects.filter(month=month).count():,} in the month",
            )
        )
