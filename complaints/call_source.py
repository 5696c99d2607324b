"""What complaints asks of callbacks about a case opened from a call: may the user name this hot
alert or callback task, and what follows when the case is received. CallbacksConfig.ready()
registers the answers (as crm.timeline's providers and crm.importing's post-import steps are).

Imports run one way, callbacks → complaints (callbacks notifies through complaints and counts its
cases). complaints names callbacks only in Case's foreign keys (by string, no import) and reaches
its code through this hook, so no complaints module imports a callbacks one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from complaints.models import Case
    from crm.models import User


@dataclass(frozen=True)
class CallSource:
    # Whether the user may see the hot alert / callback task of that id (an intake naming another
    # store's is dropped).
    hot_alert_visible: Callable[[User, int], bool]
    callback_task_visible: Callable[[User, int], bool]
    # A case was received from a hot alert, in the intake's transaction.
    case_received_from_alert: Callable[[Case, User], None]


_registered: list[CallSource] = []


def register_call_source(source: CallSource) -> None:
    """Called once, from CallbacksConfig.ready()."""
    _registered[:] = [source]


def call_source() -> CallSource:
    if not _registered:
        raise ImproperlyConfigured("callbacks registers complaints' call source in CallbacksConfig.ready()")
    return _registered[0]
