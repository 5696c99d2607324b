"""Tests run on PostgreSQL and Redis, as in production (SPEC §12)."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dealer_cr")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from .base import *  # noqa: F403
from .base import INSTALLED_APPS

# The tests load the demo (seed_demo and each app's demo step), as `make run` does (dev.py).
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = os.environ.get("TEST_MEDIA_ROOT", "/tmp/dealer-cr-test-media")
# Tasks run inline unless a test starts a real worker (tests/conftest.py `celery_worker`).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
AXES_ENABLED = True
LANGUAGE_CODE = "zh-hans"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
SMS_BACKEND = "crm.sms.backends.dev.DevBackend"
SMS_INBOUND_SECRET = "test-inbound-secret"
CTI_BACKEND = "telephony.backends.dev.DevBackend"

# Each test process (each xdist worker of each run) keeps its cache keys apart: counters that the
# pages keep in the cache (the survey link's guessing limit, API throttles) must not leak from one
# test run or worker into another through the shared Redis.
CACHES["default"]["KEY_PREFIX"] = f"test-{os.getpid()}"
