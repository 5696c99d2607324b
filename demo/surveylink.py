"""seed_demo step: the customer's survey link (issue 16 item 4). The first store sends the link
instead of the SMS score survey; a few open tasks of each kind get a link, one of them already
answered through the page's service, and the open links are printed so that a user can open one
(on a phone, or a narrow browser window) without logging in.

Idempotent: a demo link's token is derived from the task (an HMAC with SECRET_KEY), so the next
run finds the same links and prints them again; real links get random tokens (surveylink.services).
"""

import base64
import datetime
import hashlib
import hmac
import os

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from callbacks.choices import CallbackKind, TaskState
from callbacks.models import CallbackTask
from crm.models import Store
from surveylink.choices import LinkMode, LinkState
from surveylink.models import StoreSurveyLinkSettings, SurveyLink
from surveylink.selectors import survey_link_state
from surveylink.services import survey_link_answer, survey_link_send

LINKS_PER_KIND = 2


def demo_token(task_id: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"surveylink-demo:{task_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode()


def seed_surveylink_demo(ctx) -> None:
    store = Store.objects.order_by("id").first()
    if store is None:
        return
    StoreSurveyLinkSettings.objects.get_or_create(store=store, defaults={"mode": LinkMode.INSTEAD})
    now = timezone.now()
    open_now = CallbackTask.objects.filter(
        store=store,
        state=TaskState.OPEN,
        window_opens_at__lte=now,
        window_closes_at__gt=now + datetime.timedelta(hours=12),  # open a while yet
        customer__may_sms=True,
        customer__mobile_invalid=False,
    )
    demo_links = SurveyLink.objects.filter(task__store=store).select_related("task")
    if not demo_links.exists():
        for kind in (CallbackKind.SALES, CallbackKind.SERVICE):
            for task in (
                open_now.filter(kind=kind)
                .select_related("customer", "store", "vehicle")
                .order_by("-id")[:LINKS_PER_KIND]
            ):
                survey_link_send(task=task, now=now, token=demo_token(task.pk))
        # One already answered on the page (a web success with a hot alert: the call page shows it).
        first = demo_links.order_by("id").first()
        if first is not None:
            overall = "Q0" if first.task.kind == CallbackKind.SALES else "Q1"
            survey_link_answer(link=first, answers={overall: "5", "Q11": "等待时间太长，希望改进"}, now=now)
    base = settings.SITE_URL.rstrip("/") or f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
    shown = [link for link in demo_links.order_by("id") if survey_link_state(link, now) == LinkState.OPEN]
    ctx.stdout.write(
        f"survey links: {demo_links.count()} demo links ({store.name} sends them instead of the SMS score)"
    )
    for link in shown:
        ctx.stdout.write(f"  open without login: {base}{reverse('surveylink:page', args=[demo_token(link.task_id)])}")
