import os
import sys
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

if Path(sys.argv[0]).name == "celery":
    # Under the celery command (worker, beat) a bad setting is one line, not a traceback from inside
    # Celery's start-up. Anywhere else (manage.py, gunicorn, tests) the settings load as usual.
    from config.env import settings_or_exit

    settings_or_exit()

app = Celery("dealer_cr")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
