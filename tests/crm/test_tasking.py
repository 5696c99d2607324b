"""Services queue their app's tasks by registered name (crm.tasking), so that services never import
the tasks modules that import them. The names must resolve in a process that has imported no tasks
module yet — a web process or `seed_demo` — not only in a worker or in the test session (whose test
modules import the tasks)."""

import pytest
from celery.exceptions import NotRegistered

from crm.tasking import task_named
from tests.fresh_process import run_python

QUEUED_BY_NAME = (
    "crm.tasks.import_job_run_task",
    "crm.sms.tasks.sms_deliver",
    "callbacks.tasks.callback_sms_survey_send",
    "complaints.notifications_email",
)


def test_every_name_a_service_queues_resolves_in_a_fresh_process():
    script = (
        "import django; django.setup();"
        "from crm.tasking import task_named;"
        f"names = {QUEUED_BY_NAME!r};"
        "from celery import current_app;"
        "assert [n for n in names if n not in current_app.tasks], 'every task is registered already';"
        "print(' '.join(task_named(n).name for n in names))"
    )
    done = run_python(script)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == list(QUEUED_BY_NAME)


def test_an_unknown_name_is_refused():
    with pytest.raises(NotRegistered):
        task_named("crm.tasks.no_such_task")
