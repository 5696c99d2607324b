"""Development backend: nothing leaves the machine. The message row is the record (the outbox page
shows it) and one log line says it would have gone."""

import logging

from crm.sms.backends import BaseSmsBackend

logger = logging.getLogger("crm.sms")


class DevBackend(BaseSmsBackend):
    def send(self, message) -> str:
        logger.info("SMS (dev backend, not sent) to %s: %s", message.mobile, message.body)
        return f"dev-{message.pk}"
