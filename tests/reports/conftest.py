"""Report fixtures: the complaint helpers of tests/complaints, reused."""

from tests.complaints.conftest import advisor, customer_a, make_case, service_department  # noqa: F401
