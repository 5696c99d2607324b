"""Appointment pages: the store's day board, booking (from the customer page, a callback call page,
an inbound call or a walk-in), the slot options the booking forms reload, state changes, the service
advisor's day and the store's slot settings. Thin over services and selectors."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from appointments import selectors, services
from appointments.choices import AppointmentState, Source
from appointments.forms import AppointmentChangeForm, AppointmentSettingsForm, BookingForm, slot_select_choices
from appointments.models import Appointment
from appointments.slots import slot_choices, store_appointment_settings
from callbacks.models import CallbackTask
from crm.links import pk_url_prefix
from crm.masking import can_see_full_numbers
from crm.models import Customer, Staff, Vehicle
from crm.params import id_param
from crm.scoping import get_scoped_or_404, store_being_edited

# 改约 is booking work on a booking: the booking permission and the change permission.
EDIT_PERMISSIONS = ("appointments.add_appointment", "appointments.change_appointment")


def _day_param(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _row_links(user) -> dict:
    """What every booking row links to, reversed once for the page (crm.links.pk_url_prefix)."""
    return {
        "customer_prefix": pk_url_prefix("crm:customer_detail"),
        "state_prefix": reverse("appointments:board"),
        "can_change": user.has_perm("appointments.change_appointment"),
        "can_edit": user.has_perms(EDIT_PERMISSIONS),
    }


@login_required
@permission_required("appointments.view_appointment", raise_exception=True)
def board(request):
    store, stores = store_being_edited(request.user, request.GET.get("store"))
    day = _day_param(request.GET.get("day"), timezone.localdate())
    context = {
        "store": store,
        "stores": stores,
        "day": day,
        "prev_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "board": selectors.day_board(user=request.user, store_id=store.pk, day=day),
        **_row_links(request.user),
        "full_numbers": can_see_full_numbers(request.user),
    }
    return render(request, "appointments/board.html", context)


@login_required
@permission_required("appointments.view_appointment", raise_exception=True)
def my_day(request):
    """The service advisor's day: the bookings given to his Staff record."""
    staff = Staff.objects.filter(user=request.user).select_related("store").first()
    day = _day_param(request.GET.get("day"), timezone.localdate())
    rows = selectors.advisor_day(user=request.user, staff=staff, day=day) if staff else []
    context = {
        "staff": staff,
        "day": day,
        "prev_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "rows": rows,
        **_row_links(request.user),
        "full_numbers": can_see_full_numbers(request.user),
    }
    return render(request, "appointments/my_day.html", context)


@login_required
@permission_required("appointments.add_appointment", raise_exception=True)
def book(request):
    customer_id = id_param(request.GET.get("customer"), name="customer")
    if customer_id is None:
        # A booking is for a customer: the page is opened from his file or a call page.
        messages.info(request, _("请先在客户档案中找到客户，再从客户页面预约。"))
        return redirect("crm:customer_list")
    customer = get_scoped_or_404(Customer.objects.select_related("store"), request.user, pk=customer_id)
    callback_id = id_param(request.GET.get("callback_task"), name="callback_task")
    # The call page's task must be this customer's: a booking is never linked to another's call.
    tasks = CallbackTask.objects.filter(customer=customer)
    callback = get_scoped_or_404(tasks, request.user, pk=callback_id) if callback_id else None
    day = _day_param(request.POST.get("day") or request.GET.get("day"), timezone.localdate() + dt.timedelta(days=1))
    vehicles = list(Vehicle.objects.filter(owner=customer).order_by("id").values_list("id", "plate", "vin"))
    form = BookingForm(
        request.POST or None,
        initial={
            "day": day,
            "source": Source.CALLBACK if callback else Source.INBOUND,
            "vehicle": vehicles[0][0] if vehicles else None,
        },
        vehicles=[(pk, plate or vin) for pk, plate, vin in vehicles],
        advisors=selectors.advisor_choices(store_id=customer.store_id),
        slots=slot_choices(store_id=customer.store_id, day=day),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment = services.appointment_book(
                customer=customer,
                vehicle=Vehicle.objects.filter(owner=customer, pk=data["vehicle"]).first() if data["vehicle"] else None,
                advisor=Staff.objects.filter(store_id=customer.store_id, pk=data["advisor"]).first()
                if data["advisor"]
                else None,
                day=data["day"],
                slot=data["slot"],
                service_type=data["service_type"],
                source=data["source"],
                origin=callback if data["source"] == Source.CALLBACK else None,
                note=data["note"],
                user=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("已预约：%(day)s %(slot)s") % {"day": appointment.day, "slot": appointment.slot.strftime("%H:%M")},
            )
            return redirect(_board_url(appointment))
    context = {"customer": customer, "callback": callback, "form": form, "day": day}
    return render(request, "appointments/book.html", context, status=400 if form.errors else 200)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _board_url(appointment: Appointment) -> str:
    return f"{reverse('appointments:board')}?store={appointment.store_id}&day={appointment.day}"


@login_required
@permission_required(EDIT_PERMISSIONS, raise_exception=True)
def edit(request, pk: int):
    """改约: another day or slot (the booking's capacity check), the service or the advisor of a
    booking still booked; reached from the day board."""
    appointment = get_scoped_or_404(Appointment.objects.select_related("customer", "store"), request.user, pk=pk)
    if appointment.state != AppointmentState.BOOKED:
        messages.warning(request, _("只能修改尚未到店的预约。"))
        return redirect(_board_url(appointment))
    day = _day_param(request.POST.get("day"), appointment.day)
    form = AppointmentChangeForm(
        request.POST or None,
        initial={
            "day": appointment.day,
            "slot": appointment.slot.strftime("%H:%M"),
            "service_type": appointment.service_type,
            "advisor": appointment.advisor_id,
        },
        advisors=selectors.advisor_choices(store_id=appointment.store_id),
        slots=slot_choices(store_id=appointment.store_id, day=day),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        advisor = Staff.objects.filter(store_id=appointment.store_id, pk=data["advisor"]).first()
        try:
            appointment = services.appointment_change(
                appointment=appointment,
                day=data["day"],
                slot=data["slot"],
                service_type=data["service_type"],
                advisor=advisor if data["advisor"] else None,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("已改约：%(day)s %(slot)s") % {"day": appointment.day, "slot": appointment.slot.strftime("%H:%M")},
            )
            return redirect(_board_url(appointment))
    context = {"appointment": appointment, "form": form}
    return render(request, "appointments/edit.html", context, status=400 if form.errors else 200)


@login_required
@permission_required("appointments.view_appointment", raise_exception=True)
def slot_options(request):
    """The <option>s of the slot select for a store's day, with free places (htmx, on date change)."""
    store, _stores = store_being_edited(request.user, request.GET.get("store"))
    day = _day_param(request.GET.get("day") or request.GET.get("booked_on"), timezone.localdate())
    choices = slot_select_choices(slot_choices(store_id=store.pk, day=day, conf=store_appointment_settings(store.pk)))
    return render(request, "appointments/_slot_options.html", {"choices": choices})


@login_required
@require_POST
@permission_required("appointments.change_appointment", raise_exception=True)
def set_state(request, pk: int):
    appointment = get_scoped_or_404(Appointment.objects.all(), request.user, pk=pk)
    state = request.POST.get("state", "")
    try:
        changed = services.appointment_set_state(appointment=appointment, state=state, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if changed:
            messages.success(request, _("已更新：%(state)s") % {"state": AppointmentState(state).label})
        else:
            messages.warning(request, _("该预约状态已变化，未更新。"))
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect(f"{reverse('appointments:board')}?store={appointment.store_id}&day={appointment.day}")


@login_required
@permission_required("appointments.change_appointmentsettings", raise_exception=True)
def settings_edit(request):
    store, stores = store_being_edited(request.user, request.GET.get("store"))
    conf = store_appointment_settings(store.pk)
    form = AppointmentSettingsForm(request.POST or None, instance=conf)
    if request.method == "POST" and form.is_valid():
        services.appointment_settings_save(store=store, data=form.cleaned_data)
        messages.success(request, _("预约设置已保存。"))
        return redirect(f"{request.path}?store={store.pk}")
    slots = conf.slots()
    return render(
        request, "appointments/settings.html", {"store": store, "stores": stores, "form": form, "slots": slots}
    )
