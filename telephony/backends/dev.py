"""Development backend: no telephone rings. The DialRequest row is the record and one INFO log line
says what would have been dialled; the call id it returns lets a developer post events by hand."""

import logging

from telephony.backends import BaseCtiBackend

logger = logging.getLogger("telephony")


class DevBackend(BaseCtiBackend):
    def dial(self, request) -> str:
        logger.info("CTI (dev backend, not dialled): extension %s → %s", request.extension, request.number)
        return f"dev-{request.pk}"
