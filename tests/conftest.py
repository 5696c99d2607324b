"""Shared fixtures: two stores and named users per role, one of each store (healthchecks' named users)."""

import datetime
import os
import zoneinfo

import pytest
import time_machine

from crm.choices import Role
from tests.factories import StoreFactory, UserFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def clock_destination(raw: str, *, today: datetime.date | None = None) -> datetime.datetime | None:
    """`DCR_TEST_CLOCK`: `HH:MM` (today's Shanghai date at that local time), `YYYY-MM-DDTHH:MM` (local), or
    empty / `now` for the real clock."""
    raw = raw.strip()
    if raw in ("", "now"):
        return None
    if "T" in raw:
        return datetime.datetime.fromisoformat(raw).replace(tzinfo=SHANGHAI)
    hour, minute = (int(part) for part in raw.split(":"))
    day = today or datetime.datetime.now(SHANGHAI).date()
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def pytest_configure(config):
    """Run the whole session at another wall-clock time (`make test` runs it at 23:30 and at 12:00 local),
    so that a test which reads the real clock instead of freezing it fails in CI whatever hour CI runs at.
    The clock ticks on from there; tests that freeze time with time_machine nest inside it."""
    destination = clock_destination(os.environ.get("DCR_TEST_CLOCK", ""))
    if destination is not None:
        config._dcr_clock = time_machine.travel(destination, tick=True)
        config._dcr_clock.start()


def pytest_unconfigure(config):
    traveller = getattr(config, "_dcr_clock", None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config):
    destination = clock_destination(os.environ.get("DCR_TEST_CLOCK", ""))
    if destination is not None:
        return f"clock: the session starts at {destination.isoformat()} (DCR_TEST_CLOCK)"
    return None


@pytest.fixture
def working_hours():
    """A Monday 10:00 in Shanghai, ticking: for flows (browser ones included) that send an SMS at once,
    which quiet hours (21:00-08:00) would hold back, whatever hour the suite runs at."""
    moment = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(moment, tick=True):
        yield moment


def clear_own_cache() -> None:
    """Empty this test process's cache keys only. Django's RedisCache.clear() flushes the whole
    Redis database — the other xdist worker's throttle counters mid-test (a flaky 401 for a 429)
    and the Celery broker's queues with them; each process has its own KEY_PREFIX (settings.test)."""
    from django.core.cache import cache

    if not hasattr(cache, "_cache") or not hasattr(cache._cache, "get_client"):
        cache.clear()  # a local-memory cache: this process's own
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=cache.make_key("*"), count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def no_guessing_counted():
    """Each test starts with no unknown survey-link tokens counted for the test client's and the
    browser's address (127.0.0.1): a test that walks bad URLs must not get the next one refused."""
    from django.core.cache import cache

    from surveylink.throttle import miss_key

    cache.delete(miss_key("127.0.0.1"))


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: a test client request in English leaves English
    active in the thread afterwards (LocaleMiddleware activates, nothing deactivates)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def store_a(db):
    return StoreFactory(code="LA", name="六安鑫宝丰田")


@pytest.fixture
def store_b(db):
    return StoreFactory(code="HF", name="合肥鑫宝丰田")


@pytest.fixture
def agent(store_a):
    """Alice, a callback agent of store A."""
    return UserFactory(username="alice", display_name="王丽", roles=[Role.CALLBACK_AGENT], stores=[store_a])


@pytest.fixture
def agent_b(store_b):
    """Bob, a callback agent of store B only: the user who must never see store A's records."""
    return UserFactory(username="bob", display_name="李波", roles=[Role.CALLBACK_AGENT], stores=[store_b])


@pytest.fixture
def cr_manager(store_a):
    return UserFactory(username="carol", display_name="陈静", roles=[Role.CR_MANAGER], stores=[store_a])


@pytest.fixture
def general_manager(store_a):
    return UserFactory(username="gm", display_name="赵总", roles=[Role.GENERAL_MANAGER], stores=[store_a])


@pytest.fixture
def department_manager(store_a):
    return UserFactory(username="dm", display_name="孙经理", roles=[Role.DEPARTMENT_MANAGER], stores=[store_a])


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin1", display_name="管理员", roles=[Role.ADMINISTRATOR], is_staff=True)


@pytest.fixture
def client_for(client):
    """`client_for(user)` logs the test client in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def real_celery_worker():
    """A Celery worker thread on Redis, on a queue of its own (parallel test processes share the
    Redis database). Tasks sent while it runs are not eager. Needs `django_db(transaction=True)`."""
    import uuid

    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    queue = f"test-{uuid.uuid4().hex}"
    saved = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        with start_worker(app, queues=[queue], pool="solo", perform_ping_check=False, loglevel="WARNING"):
            yield app
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = saved
