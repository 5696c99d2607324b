from .calendar import CalendarDay, SlaPolicy, WorkingPeriod
from .notifications import Notification

__all__ = ["CalendarDay", "Notification", "SlaPolicy", "WorkingPeriod"]
