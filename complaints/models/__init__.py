from .attachments import CaseAttachment
from .calendar import CalendarDay, SlaPolicy, WorkingPeriod
from .cases import Case, CaseCounter, CaseEvent
from .notifications import Notification

__all__ = [
    "CalendarDay",
    "Case",
    "CaseAttachment",
    "CaseCounter",
    "CaseEvent",
    "Notification",
    "SlaPolicy",
    "WorkingPeriod",
]
