import os

from django.core.wsgi import get_wsgi_application

from config.env import settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")
settings_or_exit()  # a bad setting is one line in gunicorn's log, not a traceback per worker
application = get_wsgi_application()
