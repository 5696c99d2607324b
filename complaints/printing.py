"""The printed complaint form (table 6 of seed 001, 紧急投诉应对联络表): what the paper form holds,
read from one case the user may see (complaints.selectors.case_detail: store scope and a
consultant's own cases), laid out by templates/complaints/case_print.html.

Phone numbers are masked for users without crm.view_full_phone (crm.masking, SPEC §12), as on
the case page: a printed form leaves the system."""

import datetime as dt
from dataclasses import dataclass

from complaints import selectors
from complaints.choices import Channel
from complaints.models import Case
from crm.masking import phone_for
from crm.models import Delivery, RepairOrder, User

# The paper form's 反映渠道 boxes (来人 / 来电 / 函件 / E-Mail), then the channels the system adds.
FORM_CHANNELS = (
    Channel.VISIT,
    Channel.PHONE,
    Channel.LETTER,
    Channel.EMAIL,
    Channel.CALLBACK,
    Channel.SMS,
    Channel.MANUFACTURER,
)


@dataclass(frozen=True)
class CaseForm:
    """Table 6, cell by cell."""

    case: Case
    phone: str
    address: str
    sale: str  # 销售情况: the vehicle's delivery (date, consultant), or ""
    mileage_km: int | None  # 行驶里程: from the vehicle's latest repair order
    channels: list[tuple[str, bool]]  # (label, ticked)
    facts: list[tuple[str, str]]


def case_print_form(*, user: User, pk: int, now: dt.datetime) -> CaseForm:
    """The form of case `pk` (404 outside the user's cases). Three queries."""
    case = selectors.case_detail(user=user, pk=pk, now=now)
    sale, mileage = "", None
    if case.vehicle_id:
        delivery = (
            Delivery.objects.filter(vehicle_id=case.vehicle_id, store_id=case.store_id)
            .select_related("sales_consultant")
            .order_by("-delivered_on", "-pk")
            .first()
        )
        if delivery is not None:
            sale = f"{delivery.delivered_on:%Y-%m-%d} · {delivery.sales_consultant.name}"
        mileage = (
            RepairOrder.objects.filter(store_id=case.store_id, vehicle_id=case.vehicle_id, mileage_km__isnull=False)
            .order_by("-opened_at", "-pk")
            .values_list("mileage_km", flat=True)
            .first()
        )
    customer = case.customer
    address = " ".join(part for part in (customer.city, customer.district, customer.address) if part)
    return CaseForm(
        case=case,
        phone=phone_for(user, case.contact_phone or customer.mobile),
        address=address,
        sale=sale,
        mileage_km=mileage,
        channels=[(str(channel.label), case.channel == channel) for channel in FORM_CHANNELS],
        facts=selectors.case_facts(case=case),
    )
