from .base import *  # noqa: F403
from .base import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
# A known inbound secret so that a local gateway simulator can post replies.
SMS_INBOUND_SECRET = env_str("SMS_INBOUND_SECRET", "dev-inbound-secret")
