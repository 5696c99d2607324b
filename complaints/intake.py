"""Intake from the form: prefill from GET parameters (a customer page, a call, a hot alert) and
resolve the customer and vehicle within the user's stores before `case_receive`."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from complaints.call_source import call_source
from complaints.choices import Channel
from complaints.models import Case
from complaints.selectors import FACT_FIELDS
from complaints.services import CaseError, case_receive
from crm.models import Customer, User, Vehicle
from crm.params import id_param
from crm.scoping import scope_for_user, user_can_see_store
from crm.services import customer_get_or_create


def _scoped_customer(user: User, customer_id: int | None) -> Customer | None:
    if customer_id is None:
        return None
    return scope_for_user(Customer.objects.select_related("store"), user).filter(pk=customer_id).first()


def _customer_vehicle(user: User, customer: Customer, vehicle_id: int | None) -> Vehicle | None:
    """A vehicle of the user's stores and of the customer's store, or None (another store's id is ignored)."""
    if vehicle_id is None:
        return None
    return scope_for_user(Vehicle.objects.all(), user).filter(pk=vehicle_id, store=customer.store_id).first()


def _scoped_hot_alert_id(user: User, hot_alert_id: int | None) -> int | None:
    """The hot alert the case comes from, if it is one of the user's stores (else dropped)."""
    if hot_alert_id is None or not call_source().hot_alert_visible(user, hot_alert_id):
        return None
    return hot_alert_id


def _scoped_task_id(user: User, task_id: int | None) -> int | None:
    """The callback task the case comes from, if it is one of the user's stores (else dropped)."""
    if task_id is None or not call_source().callback_task_visible(user, task_id):
        return None
    return task_id


def intake_initial(*, user: User, params: QueryDict) -> dict[str, Any]:
    """Initial form values and the customer/vehicle to show, from `customer`, `vehicle`, `channel`,
    `content` and `hot_alert` GET parameters; ids outside the user's stores are ignored."""
    customer = _scoped_customer(user, id_param(params.get("customer"), name="customer"))
    vehicle_id = id_param(params.get("vehicle"), name="vehicle")
    vehicle = None
    if customer is not None and vehicle_id:
        vehicle = _customer_vehicle(user, customer, vehicle_id)
    channel = params.get("channel") if params.get("channel") in Channel.values else ""
    hot_alert_id = _scoped_hot_alert_id(user, id_param(params.get("hot_alert"), name="hot_alert"))
    source_task_id = _scoped_task_id(user, id_param(params.get("task"), name="task"))
    form = {
        "customer_id": customer.pk if customer else None,
        "vehicle_id": vehicle.pk if vehicle else None,
        "channel": channel or (Channel.CALLBACK if hot_alert_id or source_task_id else ""),
        "content": params.get("content", ""),
        "hot_alert_id": hot_alert_id,
        "source_task_id": source_task_id,
    }
    return {"form": form, "context": {"customer": customer, "vehicle": vehicle, "hot_alert_id": hot_alert_id}}


def _customer_from_contact(user: User, data: dict[str, Any]) -> Customer:
    """The customer named by the form's name and mobile in the chosen store — found, or created for
    someone who is not a customer yet — or, with a mobile alone, the one customer of the user's
    stores with that mobile."""
    mobile, name, store = data.get("mobile", "").strip(), data.get("name", "").strip(), data.get("store")
    if name:
        if store is None or not user_can_see_store(user, store.pk):
            raise CaseError(_("请选择门店。"))
        try:
            return customer_get_or_create(store=store, name=name, mobile=mobile)[0]
        except ValidationError as exc:
            raise CaseError("；".join(exc.messages)) from exc
    if mobile:
        matches = list(scope_for_user(Customer.objects.select_related("store"), user).filter(mobile=mobile)[:2])
        if len(matches) > 1:
            raise CaseError(_("该手机号对应多个客户，请填写客户姓名，或从客户档案页发起投诉。"))
        if matches:
            return matches[0]
    raise CaseError(_("未找到客户：请填写客户姓名和手机（将建立客户档案），或从客户档案页发起。"))


@transaction.atomic  # a file created for the case goes with it when the case is refused
def intake_submit(*, user: User, data: dict[str, Any]) -> Case:
    """File the case from the form's cleaned data."""
    customer = _scoped_customer(user, data.get("customer_id")) or _customer_from_contact(user, data)
    vehicle = _customer_vehicle(user, customer, data.get("vehicle_id"))
    facts = {k: data.get(k, "") for k in FACT_FIELDS}
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
        hot_alert_id=_scoped_hot_alert_id(user, data.get("hot_alert_id")),
        source_task_id=_scoped_task_id(user, data.get("source_task_id")),
        contact_name=data.get("contact_name", ""),
        contact_phone=data.get("contact_phone", ""),
        complained_staff=data.get("complained_staff"),
        **facts,
    )
