"""The customer's survey page at the SPEC §12 scale (issue 16 item 4, target under 100 ms): the
GET of an open link and the POST of a full questionnaire (recorded through the call page's service:
response, attempt, task done, its stored figures), each on a link of its own (a link works once).

Everything runs in one transaction that is rolled back: the scale database keeps no rows.
"""

from __future__ import annotations

import statistics

# A full, content sales questionnaire as the page posts it.
ANSWERS = {"q_Q0": "9", "q_Q1": "10", "q_Q2": "9", "q_Q3": "是", "q_Q5": "否", "q_Q11": "满意"}


def bench_survey_link(report, runs: int) -> None:
    from django.test import Client
    from django.utils import timezone

    from bench.run import Figure, count_queries, rolled_back, timed
    from callbacks.choices import CallbackKind, TaskState
    from callbacks.models import CallbackTask
    from crm.tokens import token_hash
    from surveylink.models import SurveyLink
    from surveys.selectors import template_current_version

    now = timezone.now()
    client = Client()
    with rolled_back():
        tasks = list(
            CallbackTask.objects.filter(
                state=TaskState.OPEN, kind=CallbackKind.SALES, window_opens_at__lte=now, window_closes_at__gte=now
            ).order_by("id")[: 2 * runs + 2]
        )
        if len(tasks) < 2 * runs + 2:
            raise RuntimeError(f"only {len(tasks)} open sales tasks at the anchor")
        version = template_current_version(kind=CallbackKind.SALES)
        tokens = [f"bench-{i:010d}" for i in range(len(tasks))]
        SurveyLink.objects.bulk_create(
            SurveyLink(
                task=task,
                token_hash=token_hash(token),
                version=version,
                created_at=now,
                expires_at=task.window_closes_at,
            )
            for task, token in zip(tasks, tokens, strict=True)
        )

        def get(token):
            def request():
                response = client.get(f"/s/{token}/")
                if response.status_code != 200:
                    raise RuntimeError(f"GET survey page: HTTP {response.status_code}")

            return request

        def post(token):
            def request():
                response = client.post(f"/s/{token}/", ANSWERS)
                if response.status_code != 302:
                    raise RuntimeError(f"POST survey page: HTTP {response.status_code}")

            return request

        get_tokens, post_tokens = tokens[: runs + 1], tokens[runs + 1 :]
        get(get_tokens[0])()  # warm-up
        get_ms = statistics.median(timed(get(t)) for t in get_tokens[1:])
        get_queries = count_queries(get(get_tokens[0]))
        post(post_tokens[0])()  # warm-up
        post_ms = statistics.median(timed(post(t)) for t in post_tokens[1:-1])
        post_queries = count_queries(post(post_tokens[-1]))
        links = SurveyLink.objects.count()
    open_tasks = f"{len(tasks)} links on the scale's open sales tasks ({links:,} in the table)"
    report.add(
        Figure("survey link page, GET", get_ms, "ms", 100, "< 100 ms", note=f"{get_queries} queries; {open_tasks}")
    )
    report.add(
        Figure(
            "survey link page, POST (answers recorded)",
            post_ms,
            "ms",
            100,
            "< 100 ms",
            note=f"{post_queries} queries; response, attempt, task done, figures",
        )
    )
