"""Intake from the form: prefill from GET parameters (a customer page, a call, a hot alert) and
resolve the customer and vehicle within the user's stores before `case_receive`."""

from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from complaints.choices import Channel
from complaints.models import Case
from complaints.services import CaseError, case_receive
from crm.models import Customer, User, Vehicle
from crm.params import id_param
from crm.scoping import scope_for_user


def _scoped_customer(user: User, customer_id: int | None) -> Customer | None:
    if customer_id is None:
        return None
    return scope_for_user(Customer.objects.select_related("store"), user).filter(pk=customer_id).first()


def intake_initial(*, user: User, params: QueryDict) -> dict[str, Any]:
    """Initial form values and the customer/vehicle to show, from `customer`, `vehicle`, `channel`,
    `content` and `hot_alert` GET parameters; ids outside the user's stores are ignored."""
    customer = _scoped_customer(user, id_param(params.get("customer"), name="customer"))
    vehicle_id = id_param(params.get("vehicle"), name="vehicle")
    vehicle = None
    if customer is not None and vehicle_id:
        vehicle = Vehicle.objects.filter(pk=vehicle_id, store=customer.store_id).first()
    channel = params.get("channel") if params.get("channel") in Channel.values else ""
    hot_alert_id = id_param(params.get("hot_alert"), name="hot_alert")
    form = {
        "customer_id": customer.pk if customer else None,
        "vehicle_id": vehicle.pk if vehicle else None,
        "channel": channel or (Channel.CALLBACK if hot_alert_id else ""),
        "content": params.get("content", ""),
        "hot_alert_id": hot_alert_id,
    }
    return {"form": form, "context": {"customer": customer, "vehicle": vehicle, "hot_alert_id": hot_alert_id}}


def intake_submit(*, user: User, data: dict[str, Any]) -> Case:
    """File the case from the form's cleaned data."""
    customer = _scoped_customer(user, data.get("customer_id"))
    if customer is None and data.get("mobile"):
        matches = list(scope_for_user(Customer.objects.select_related("store"), user).filter(mobile=data["mobile"])[:2])
        if len(matches) > 1:
            raise CaseError(_("该手机号对应多个客户，请从客户档案页发起投诉。"))
        customer = matches[0] if matches else None
    if customer is None:
        raise CaseError(_("未找到客户：请从客户档案页发起，或填写档案中登记的手机号。"))
    vehicle = None
    if data.get("vehicle_id"):
        vehicle = Vehicle.objects.filter(pk=data["vehicle_id"], store=customer.store_id).first()
    facts = {
        k: data.get(k, "")
        for k in ("fact_when", "fact_where", "fact_what", "fact_view", "fact_basis", "fact_why", "fact_how_much")
    }
    return case_receive(
        user=user,
        store=customer.store,
        customer=customer,
        vehicle=vehicle,
        channel=data["channel"],
        category=data["category"],
        level=data.get("level") or "",
        content=data["content"],
        demand=data.get("demand", ""),
        hot_alert_id=data.get("hot_alert_id"),
        **facts,
    )
