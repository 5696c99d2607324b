from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
# A known inbound secret so that a local gateway simulator can post replies.
SMS_INBOUND_SECRET = env.str("SMS_INBOUND_SECRET", default="dev-inbound-secret")
CTI_WEBHOOK_SECRET = env.str("CTI_WEBHOOK_SECRET", default="dev-cti-secret")
