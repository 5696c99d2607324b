"""Appointment writes: book (capacity checked under the slot's row lock), change state, settings.

`appointment_book` is the one path every booking takes — the booking page, the callback call page,
and a reminder or win-back call that ends in 已预约 (retention.services / winback.services call
`appointment_book_for_outreach` inside the attempt's transaction, so a full slot refuses the
result and records nothing).
"""

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.choices import (
    MANUAL_CHANGES,
    OUTREACH_BOOKING_SOURCES,
    SMS_CHANGE,
    SMS_CONFIRM,
    SMS_EVE,
    AppointmentState,
    ServiceType,
    Source,
)
from appointments.models import Appointment, AppointmentSettings, SlotLock
from appointments.slots import places_free, slot_usage, store_appointment_settings
from crm.models import Customer, Staff, Store, User, Vehicle
from crm.sms.services import sms_send
from crm.sms.templates import render_sms_text, sms_template_body, store_placeholders

S = AppointmentState
# The texts of the confirmation and of the day-before reminder when the store group has no
# crm.SmsTemplate of that code (as callbacks.sms and surveylink keep theirs). Deliberately Chinese
# data, not gettext: they are SMS bodies sent to the customers, whose language is Chinese whatever
# language the agent's page (or the beat) runs in — a gettext string would turn English when an
# agent with an English interface books. A text to change is edited as the SmsTemplate.
CONFIRM_TEXT = (
    "尊敬的{salutation}，您已预约{date} {time}到{store_name}{service}，车辆{plate}。如需改期请致电{store_phone}。"
)
EVE_TEXT = (
    "尊敬的{salutation}，{store_name}温馨提示：您已预约明天（{date}）{time}来店{service}，"
    "我们恭候您的光临。如需改期请致电{store_phone}。"
)
CHANGE_TEXT = (
    "尊敬的{salutation}，您在{store_name}的预约已改为{date} {time}{service}，车辆{plate}。如需改期请致电{store_phone}。"
)
SMS_TEXTS = {SMS_CONFIRM: CONFIRM_TEXT, SMS_EVE: EVE_TEXT, SMS_CHANGE: CHANGE_TEXT}


def eve_related_key(*, appointment_id: int, day: dt.date) -> str:
    """The day-before SMS's key in the SMS log: the booking and its day, so a booking moved to
    another day after its reminder went gets one for the new day (and only one per day)."""
    return f"appointment:{appointment_id}:{day.isoformat()}"


class SlotFull(ValidationError):
    """The slot has no free place left."""


def _lock_slot(*, store_id: int, day: dt.date, slot: dt.time) -> None:
    """Take the (store, day, slot) row lock: created on first use (INSERT … ON CONFLICT DO NOTHING
    waits for a concurrent insert of the same key), then locked until the transaction ends."""
    SlotLock.objects.bulk_create([SlotLock(store_id=store_id, day=day, slot=slot)], ignore_conflicts=True)
    SlotLock.objects.select_for_update().get(store_id=store_id, day=day, slot=slot)


def _first_free_slot(*, store_id: int, day: dt.date, conf: AppointmentSettings) -> dt.time:
    used = slot_usage(store_id=store_id, day=day)
    for slot in conf.slots():
        if places_free(capacity=conf.capacity, used=used.get(slot, 0)):
            return slot
    raise SlotFull(_("%(day)s 已约满，请选择其他日期。") % {"day": day.isoformat()})


def _take_place(*, store_id: int, day: dt.date, slot: dt.time, conf: AppointmentSettings) -> None:
    """The capacity check of a booking or a move, under the slot's row lock (the caller's
    transaction holds it until the booking is written)."""
    _lock_slot(store_id=store_id, day=day, slot=slot)
    # Counted after the lock: a booking of this slot committed meanwhile is seen.
    used = slot_usage(store_id=store_id, day=day).get(slot, 0)
    if not places_free(capacity=conf.capacity, used=used):
        raise SlotFull(
            _("%(day)s %(slot)s 已约满（%(cap)s 台），请选择其他时段。")
            % {"day": day.isoformat(), "slot": slot.strftime("%H:%M"), "cap": conf.capacity}
        )


@transaction.atomic
def appointment_book(
    *,
    customer: Customer,
    day: dt.date,
    slot: dt.time | None,
    service_type: str,
    source: str,
    vehicle: Vehicle | None = None,
    advisor: Staff | None = None,
    origin: models.Model | None = None,
    note: str = "",
    user: User | None = None,
    store: Store | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Book the customer's vehicle into a slot of his store's day. The slot's row lock is taken
    before its places are counted, so two bookings of the last place cannot both succeed
    (SlotFull). `slot=None` takes the first slot of the day with a free place (a booked date
    recorded without a time). The confirmation SMS is queued through the gateway (quiet hours)."""
    now = now or timezone.now()
    store_id = store.pk if store is not None else customer.store_id
    if day < timezone.localdate(now):
        raise ValidationError({"day": _("预约日期不能早于今天。")})
    if service_type not in ServiceType.values:
        raise ValidationError({"service_type": _("请选择服务类型。")})
    if source not in Source.values:
        raise ValidationError({"source": _("预约来源无效。")})
    if vehicle is not None and vehicle.owner_id not in (None, customer.pk):
        raise ValidationError({"vehicle": _("该车辆不属于此客户。")})
    if advisor is not None and advisor.store_id != store_id:
        raise ValidationError({"advisor": _("服务顾问不属于该门店。")})
    conf = store_appointment_settings(store_id)
    if slot is None:
        slot = _first_free_slot(store_id=store_id, day=day, conf=conf)
    elif slot not in conf.slots():
        raise ValidationError({"slot": _("该时段不在营业时间内。")})
    _take_place(store_id=store_id, day=day, slot=slot, conf=conf)
    appointment = Appointment.objects.create(
        store_id=store_id,
        customer=customer,
        vehicle=vehicle,
        day=day,
        slot=slot,
        service_type=service_type,
        advisor=advisor,
        source=source,
        origin_type=ContentType.objects.get_for_model(origin) if origin is not None else None,
        origin_id=origin.pk if origin is not None else None,
        note=note.strip(),
        created_by=user,
    )
    _send_confirmation(appointment, now=now)
    return appointment


def appointment_sms_context(appointment: Appointment) -> dict[str, str]:
    customer = appointment.customer
    return {
        **store_placeholders(appointment.store),
        "customer_name": customer.name,
        "salutation": customer.salutation,
        "plate": appointment.vehicle.plate if appointment.vehicle else "",
        "date": appointment.day.isoformat(),
        "time": appointment.slot.strftime("%H:%M"),
        "service": ServiceType(appointment.service_type).label,
    }


def appointment_sms_template(code: str) -> str:
    """The text of the appointment SMS `code` (SMS_CONFIRM, SMS_EVE, SMS_CHANGE): the SmsTemplate,
    else ours.
    Read once per send or per sweep, rendered per booking with `appointment_sms_body`."""
    return sms_template_body(code=code, default=SMS_TEXTS[code])


def appointment_sms_body(template: str, appointment: Appointment) -> str:
    return render_sms_text(template, appointment_sms_context(appointment))


def _send_appointment_sms(appointment: Appointment, *, code: str, related_key: str, now: dt.datetime) -> None:
    """The confirmation and the notice of a move: one path through the gateway (quiet hours,
    consent), idempotent per (reason, related_key)."""
    body = appointment_sms_body(appointment_sms_template(code), appointment)
    sms_send(
        store=appointment.store,
        customer=appointment.customer,
        mobile=appointment.customer.mobile,
        body=body,
        reason=code,
        related_key=related_key,
        now=now,
    )


def _send_confirmation(appointment: Appointment, *, now: dt.datetime) -> None:
    _send_appointment_sms(appointment, code=SMS_CONFIRM, related_key=f"appointment:{appointment.pk}", now=now)


def _send_change_notice(appointment: Appointment, *, now: dt.datetime) -> None:
    # The new day and slot name the message; the moment of the move keeps a move back to a
    # time announced before (A → B → A) from being taken for a message already sent.
    key = f"appointment:{appointment.pk}:{appointment.day.isoformat()} {appointment.slot:%H:%M}@{now:%Y%m%d%H%M%S}"
    _send_appointment_sms(appointment, code=SMS_CHANGE, related_key=key, now=now)


def appointment_book_for_outreach(
    *,
    task,
    user: User | None,
    day: dt.date,
    slot: dt.time | None = None,
    service_type: str = "",
    advisor_id: int | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """The booking a reminder, win-back or no-show follow-up call that ends in 已预约 makes (called
    inside the attempt's transaction: a refused booking refuses the result)."""
    advisor = Staff.objects.filter(pk=advisor_id).first() if advisor_id else None
    source = OUTREACH_BOOKING_SOURCES[task.kind]  # every kind has one (a test holds it)
    return appointment_book(
        customer=task.customer,
        vehicle=task.vehicle,
        store=task.store,
        day=day,
        slot=slot,
        service_type=service_type or ServiceType.MAINTENANCE,
        source=source,
        advisor=advisor,
        origin=task,
        note=note,
        user=user,
        now=now,
    )


@transaction.atomic
def appointment_change(
    *,
    appointment: Appointment,
    day: dt.date,
    slot: dt.time,
    service_type: str,
    advisor: Staff | None,
    now: dt.datetime | None = None,
) -> Appointment:
    """改约: move a booking still booked to another day or slot (the same capacity check as a
    booking, under the new slot's row lock), or change its service type or advisor. The state stays
    booked. A move to another day or slot sends the customer the new time (SMS_CHANGE), and the
    day-before SMS, keyed on the booking and its day, goes again on the eve of the new day even when
    the old day's reminder went already. A change of service type or advisor alone sends nothing."""
    now = now or timezone.now()
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if locked.state != S.BOOKED:
        raise ValidationError(_("只能修改尚未到店的预约。"))
    if service_type not in ServiceType.values:
        raise ValidationError({"service_type": _("请选择服务类型。")})
    if advisor is not None and advisor.store_id != locked.store_id:
        raise ValidationError({"advisor": _("服务顾问不属于该门店。")})
    moved = (day, slot) != (locked.day, locked.slot)
    if moved:
        if day < timezone.localdate(now):
            raise ValidationError({"day": _("预约日期不能早于今天。")})
        conf = store_appointment_settings(locked.store_id)
        if slot not in conf.slots():
            raise ValidationError({"slot": _("该时段不在营业时间内。")})
        _take_place(store_id=locked.store_id, day=day, slot=slot, conf=conf)
    locked.day, locked.slot, locked.service_type, locked.advisor = day, slot, service_type, advisor
    locked.save(update_fields=["day", "slot", "service_type", "advisor"])
    if moved:
        _send_change_notice(locked, now=now)
    return locked


def appointment_set_state(
    *, appointment: Appointment, state: str, user: User | None, now: dt.datetime | None = None
) -> bool:
    """A state change from the day board (arrived, cancelled, no-show; arrived after a no-show):
    one conditional UPDATE, so two clicks or a click and the beat change it once. False when the
    booking had already moved on."""
    now = now or timezone.now()
    allowed_from = [frm for frm, tos in MANUAL_CHANGES.items() if state in tos]
    if not allowed_from:
        raise ValidationError(_("不能改为该状态。"))
    changed = Appointment.objects.filter(pk=appointment.pk, state__in=allowed_from)
    if state == S.NO_SHOW:  # not before the booked day
        changed = changed.filter(day__lte=timezone.localdate(now))
    return bool(changed.update(state=state, state_changed_at=now, state_changed_by=user))


def appointment_settings_save(*, store: Store, data: dict) -> AppointmentSettings:
    AppointmentSettings(store=store, **data).clean()  # the one rule of the hours (the admin's too)
    conf, _created = AppointmentSettings.objects.update_or_create(store=store, defaults=data)
    return conf
