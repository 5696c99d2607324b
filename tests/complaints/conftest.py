"""Fixtures for complaint cases: a service department with its manager, an SA, and a case helper."""

import pytest

from complaints.choices import Category, Channel
from complaints.services import case_receive
from crm.choices import DepartmentKind, Role
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory


@pytest.fixture
def service_department(store_a, department_manager):
    return DepartmentFactory(store=store_a, kind=DepartmentKind.SERVICE, manager=department_manager)


@pytest.fixture
def advisor(store_a):
    """Sam, a service advisor (SC/SA role) of store A: the first-line handler."""
    return UserFactory(username="sam", display_name="周顾问", roles=[Role.CONSULTANT], stores=[store_a])


@pytest.fixture
def customer_a(store_a):
    return CustomerFactory(store=store_a, name="张伟", mobile="13955501234")


@pytest.fixture
def make_case(agent, store_a, customer_a):
    """`make_case(**overrides)` files a complaint through the intake service as agent Alice."""

    def _make(**overrides):
        values = {
            "user": agent,
            "store": store_a,
            "customer": customer_a,
            "channel": Channel.PHONE,
            "category": Category.REPAIR_QUALITY,
            "content": "保养后发动机异响，要求免费检修。",
            "demand": "免费检修",
        }
        values.update(overrides)
        return case_receive(**values)

    return _make


@pytest.fixture(params=["one statement", "row by row"])
def sweep_path(request, monkeypatch):
    """The SLA sweep on both its paths: PostgreSQL's one statement per batch, and the row-by-row
    path of other databases (the SQLite demo), run here on PostgreSQL."""
    from complaints import sweeps

    if request.param == "row by row":
        monkeypatch.setattr(sweeps, "_sweep_batch", sweeps._sweep_rows)
    return request.param
