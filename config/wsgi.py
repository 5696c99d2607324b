import os

from django.core.wsgi import get_wsgi_application

from config.env import settings_or_exit
from config.gc_tuning import tune_gc

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
settings_or_exit()  # a bad setting is one line in gunicorn's log, not a traceback per worker
application = get_wsgi_application()
tune_gc()  # after loading: collections skip what the application keeps (config/gc_tuning.py)
