"""The demo's steps, in the order `seed_demo` runs them. Each step is idempotent and draws from its
own random generator (seeded with its name), so adding a step never changes another's data."""

from collections.abc import Callable
from dataclasses import dataclass

from demo.api import seed_api_demo
from demo.appointments import seed_appointments_demo
from demo.callbacks import seed_callbacks_demo
from demo.club import seed_club_demo
from demo.complaints import seed_complaints_demo
from demo.context import DemoContext
from demo.crm import seed_crm_demo
from demo.grumbles import seed_grumbles_demo
from demo.improvement import seed_improvement_demo
from demo.retention import seed_retention_demo
from demo.sms import seed_sms_demo
from demo.surveylink import seed_surveylink_demo
from demo.telephony import seed_telephony_demo
from demo.voc import seed_voc_demo
from demo.winback import seed_winback_demo


@dataclass(frozen=True)
class DemoStep:
    name: str
    run: Callable[[DemoContext], None]


STEPS: tuple[DemoStep, ...] = (
    DemoStep("crm", seed_crm_demo),  # stores, staff, users, customers, deliveries and ROs
    # Before callbacks: the repair orders this step adds get their callbacks from that step.
    DemoStep("winback", seed_winback_demo),
    DemoStep("callbacks", seed_callbacks_demo),
    DemoStep("sms", seed_sms_demo),
    DemoStep("complaints", seed_complaints_demo),
    # After complaints: the hot alerts it did not turn into cases are the grumbles.
    DemoStep("grumbles", seed_grumbles_demo),
    DemoStep("retention", seed_retention_demo),
    DemoStep("improvement", seed_improvement_demo),
    # After the ROs and the win-back come-backs: members are enrolled from them.
    DemoStep("club", seed_club_demo),
    # After the callbacks: a call (talk time, some recordings) behind the recent attempts.
    DemoStep("telephony", seed_telephony_demo),
    # After retention: a week of bookings around today; the no-show run puts follow-up calls in the queue.
    DemoStep("appointments", seed_appointments_demo),
    DemoStep("api", seed_api_demo),  # an API client with the demo token, for every demo store
    # After callbacks: a few open tasks get the customer's survey link, printed to open.
    DemoStep("surveylink", seed_surveylink_demo),
    # Last: it tags the verbatims every step before it recorded.
    DemoStep("voc", seed_voc_demo),
)


def demo_steps() -> tuple[DemoStep, ...]:
    return STEPS
