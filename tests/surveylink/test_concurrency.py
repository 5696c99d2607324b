"""Two submits of one link at once (a double tap, two tabs) record one response."""

import datetime

import pytest
import time_machine

from callbacks.models import CallAttempt, CallbackTask
from surveylink.services import SurveyLinkClosed, survey_link_answer
from surveys.models import Response
from tests.callbacks.factories import SalesTaskFactory
from tests.concurrency import run_at_once
from tests.surveylink.helpers import DAY, make_link


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_records_one(store_a):
    with time_machine.travel(DAY, tick=False):
        task = SalesTaskFactory(delivery__store=store_a)
    link = make_link(task)
    now = DAY + datetime.timedelta(hours=1)

    def submit(score):
        try:
            survey_link_answer(link=link, answers={"Q0": score}, now=now)
        except SurveyLinkClosed as exc:
            return ("refused", exc.state)
        return ("recorded", score)

    results = run_at_once(submit, [(9,), (3,)])
    assert sorted(kind for kind, _ in results) == ["recorded", "refused"]
    recorded = next(value for kind, value in results if kind == "recorded")
    assert ("refused", "answered") in results
    assert CallAttempt.objects.filter(task=task).count() == 1 and Response.objects.count() == 1
    assert CallbackTask.objects.get(pk=task.pk).overall_score == recorded
