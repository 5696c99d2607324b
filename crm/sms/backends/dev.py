"""Development backend: nothing leaves the machine. The message row is the record (the outbox page
shows it) and one DEBUG log line says it would have gone."""

import logging

from crm.sms.backends import BaseSmsBackend

logger = logging.getLogger("crm.sms")


class DevBackend(BaseSmsBackend):
    def send(self, message) -> str:
        # DEBUG: a demo sends dozens of messages and the outbox page shows each body; `make run`'s
        # console gets the summary lines of the callers (seed_demo, the queue flush) instead.
        logger.debug("SMS (dev backend, not sent) to %s: %s", message.mobile, message.body)
        return f"dev-{message.pk}"
