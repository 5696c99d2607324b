"""SMS backends, chosen by settings.SMS_BACKEND like Django's e-mail backends.

A backend has one method, `send(message) -> str`: it hands one outbound SmsMessage to the gateway
and returns the gateway's id for it, or raises `SmsBackendError` with a reason to log.
"""

from django.conf import settings
from django.utils.module_loading import import_string


class SmsBackendError(Exception):
    """The gateway refused or could not be reached; the message is marked failed with this text."""


class BaseSmsBackend:
    def send(self, message) -> str:  # pragma: no cover - interface
        raise NotImplementedError


def get_backend(path: str | None = None) -> BaseSmsBackend:
    return import_string(path or settings.SMS_BACKEND)()
