"""The data-fix list renders records without a reporter (imported from the DMS callback results)."""

from django.urls import reverse
from django.utils import timezone

from callbacks.models import DataFixRecord
from tests.callbacks.factories import SalesTaskFactory


def test_data_fix_list_shows_records_without_reporter(store_a, agent, client_for):
    task = SalesTaskFactory(delivery__store=store_a)
    DataFixRecord.objects.create(
        task=task, customer=task.customer, reported_at=timezone.now(), reported_by=None, wrong_number="13900000000"
    )
    response = client_for(agent).get(reverse("callbacks:data_fix_list"))
    assert response.status_code == 200
    assert "13900000000" in response.content.decode()
    assert "系统" in response.content.decode()
