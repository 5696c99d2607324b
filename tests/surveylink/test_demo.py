"""The survey-link seed_demo step: the first store sends links instead of the score SMS, a few open
tasks get one (one already answered as a web success), the open ones are printed and open without
login; a second run changes nothing and prints the same links."""

import io
import random
import re

import time_machine

from callbacks.choices import AttemptSource, TaskState
from demo.context import DemoContext
from demo.surveylink import seed_surveylink_demo
from surveylink.choices import LinkMode
from surveylink.models import StoreSurveyLinkSettings, SurveyLink
from tests.callbacks.factories import SalesTaskFactory, ServiceTaskFactory
from tests.surveylink.helpers import DAY


def _run():
    out = io.StringIO()
    seed_surveylink_demo(DemoContext(rng=random.Random(1), stdout=out, data={}))
    return out.getvalue()


def test_demo_links_are_printed_open_and_idempotent(store_a, client):
    with time_machine.travel(DAY, tick=False):
        SalesTaskFactory.create_batch(3, delivery__store=store_a)
        ServiceTaskFactory.create_batch(2, repair_order__store=store_a)
        first = _run()
        assert StoreSurveyLinkSettings.objects.get(store=store_a).mode == LinkMode.INSTEAD
        assert SurveyLink.objects.count() == 4
        answered = SurveyLink.objects.get(answered_at__isnull=False)
        assert answered.task.state == TaskState.DONE and answered.task.attempts.get().source == AttemptSource.WEB
        urls = re.findall(r"http://127\.0\.0\.1:\d+(/s/[A-Za-z0-9_-]{16}/)", first)
        assert len(urls) == 3
        for url in urls:
            assert client.get(url).status_code == 200
        assert _run() == first and SurveyLink.objects.count() == 4
