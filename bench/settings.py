"""Settings of `make bench`: production-like (DEBUG off, cached templates) on the bench database.

`bench.scale.setup_django()` points DATABASE_URL at the scale database before this module loads.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import ALLOWED_HOSTS

DEBUG = False
# The Django test Client calls the views as host "testserver".
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# Tens of thousands of notification e-mails go to memory, not to the console or an SMTP server.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Nothing measured may wait on a broker: a task queued after commit runs inline.
CELERY_TASK_ALWAYS_EAGER = True
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
