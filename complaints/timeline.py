"""The customer page's timeline entries for complaints (one query whatever the number of cases)."""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from complaints.models import Case
from complaints.selectors import cases_for_user
from crm.models import Customer
from crm.timeline import TimelineEntry

TONES = {"closed": "secondary", "unfounded": "secondary"}


def complaint_timeline_entries(customer: Customer, user=None) -> Iterable[TimelineEntry]:
    cases = Case.objects.all() if user is None else cases_for_user(user=user)
    for case in cases.filter(customer=customer).only(
        "pk", "case_no", "received_at", "state", "category", "content", "level"
    ):
        yield TimelineEntry(
            at=case.received_at,
            kind="complaint",
            title=_("投诉 %(no)s（%(level)s级，%(state)s）")
            % {"no": case.case_no, "level": case.level, "state": case.get_state_display()},
            body=case.content[:120],
            url=reverse("complaints:case_detail", args=[case.pk]),
            icon="exclamation-octagon",
            tone=TONES.get(case.state, "danger"),
        )
