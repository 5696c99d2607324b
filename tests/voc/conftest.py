from importlib import import_module

import pytest
from django.apps import apps


def ensure_default_topics() -> None:
    """Re-create the starting topic list if a transactional test flushed the table its data migration
    filled. Idempotent, like the migration itself."""
    import_module("voc.migrations.0002_default_topics").add_topics(apps, None)


@pytest.fixture(autouse=True)
def default_topics(request):
    if request.node.get_closest_marker("django_db"):
        ensure_default_topics()
