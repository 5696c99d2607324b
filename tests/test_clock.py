"""The session clock of `make test` (DCR_TEST_CLOCK): the suite runs at 23:30 and at 12:00 local time."""

import datetime
import os

from django.utils import timezone

from tests.conftest import SHANGHAI, clock_destination


def test_clock_destination_reads_a_local_time_of_today_or_a_full_local_moment():
    day = datetime.date(2027, 2, 28)
    assert clock_destination("23:30", today=day) == datetime.datetime(2027, 2, 28, 23, 30, tzinfo=SHANGHAI)
    assert clock_destination("2027-03-01T00:10") == datetime.datetime(2027, 3, 1, 0, 10, tzinfo=SHANGHAI)
    assert clock_destination("") is None and clock_destination("now") is None


def test_the_session_runs_at_the_configured_local_time():
    destination = clock_destination(os.environ.get("DCR_TEST_CLOCK", ""))
    if destination is None:
        # The real clock: Django's clock is the system's.
        assert abs(timezone.now() - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(seconds=5)
    else:
        # The clock ticks on from the destination for as long as the session runs (well under an hour).
        assert destination <= timezone.now() < destination + datetime.timedelta(hours=1)
