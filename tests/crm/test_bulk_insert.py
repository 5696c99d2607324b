"""crm.importing.bulk.insert_rows: both paths — PostgreSQL's INSERT … SELECT unnest and the ORM path the
demo's SQLite takes — return the rows they inserted and skip the ones a unique constraint refuses."""

import pytest

from crm.importing import bulk
from crm.models import Store


@pytest.fixture(params=["postgresql", "orm"])
def path(request, monkeypatch):
    if request.param == "orm":
        monkeypatch.setattr(bulk, "_pg", lambda: False)
    return request.param


@pytest.mark.django_db
def test_insert_rows_returns_what_went_in_and_skips_conflicts(path):
    Store.objects.create(code="S1", name="一店")
    rows = [{"code": "S1", "name": "重复"}, {"code": "S2", "name": "二店"}, {"code": "S3", "name": "三店"}]
    inserted = bulk.insert_rows(Store, rows, returning=("id", "code"), skip_conflicts=True)
    assert sorted(code for _pk, code in inserted) == ["S2", "S3"]
    new_ids = set(Store.objects.filter(code__in=["S2", "S3"]).values_list("id", flat=True))
    assert {pk for pk, _code in inserted} == new_ids
    assert Store.objects.get(code="S1").name == "一店"
    again = bulk.insert_rows(Store, [{"code": "S4", "name": "四店"}], returning=("code",))
    assert again == [("S4",)]
