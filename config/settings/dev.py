from .base import *  # noqa: F403
from .base import INSTALLED_APPS, env

# The demo data of `make run` (seed_demo, dev settings by manage.py's default) and of the tests'
# demo checks; never production's: imports every app, imported by none.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]

DEBUG = env.bool("DEBUG", default=True)
# A known inbound secret so that a local gateway simulator can post replies.
SMS_INBOUND_SECRET = env.str("SMS_INBOUND_SECRET", default="dev-inbound-secret")
# The demo's address (`make run` serves on 127.0.0.1:$DCR_PORT): the survey-link SMS carry a full URL.
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{env.str('DCR_PORT', default='8000')}")
