"""CTI backends, chosen by settings.CTI_BACKEND like the SMS gateway's (crm.sms.backends).

A backend has one method, `dial(request) -> str`: it asks the telephone system to ring the agent's
extension and then the customer's number for one DialRequest, and returns the CTI's id for the call
(empty when it gives none), or raises `CtiBackendError` with a reason the agent reads.
"""

from django.conf import settings
from django.utils.module_loading import import_string


class CtiBackendError(Exception):
    """The telephone system refused the dial request or could not be reached."""


class BaseCtiBackend:
    def dial(self, request) -> str:  # pragma: no cover - interface
        raise NotImplementedError


def get_backend(path: str | None = None) -> BaseCtiBackend:
    return import_string(path or settings.CTI_BACKEND)()
