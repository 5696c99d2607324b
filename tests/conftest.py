"""Shared fixtures: two stores and named users per role, one of each store (healthchecks' named users)."""

import pytest

from crm.choices import Role
from tests.factories import StoreFactory, UserFactory


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
