"""Forms of the appointment pages: a booking, a day board filter, a store's slot settings."""

import datetime as dt

from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appointments.choices import ServiceType, Source
from appointments.models import AppointmentSettings
from appointments.slots import parse_slot

# The sources a person picks on the booking page (a call page's booking names its own source).
PAGE_SOURCES = (Source.INBOUND, Source.WALK_IN, Source.CALLBACK)


def slot_option_label(row: dict) -> str:
    return _("%(slot)s（余 %(free)s / %(cap)s）") % {
        "slot": row["slot"].strftime("%H:%M"),
        "free": row["free"],
        "cap": row["capacity"],
    }


class SlotField(forms.CharField):
    """A slot start time "HH:MM" from a select whose options the page fills (with free places)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        slot = parse_slot(value)
        if slot is None:
            raise forms.ValidationError(_("请选择预约时段。"))
        return slot


def advisor_field(**kwargs) -> forms.TypedChoiceField:
    """The optional service advisor (服务顾问) of a booking; the form fills its choices."""
    return forms.TypedChoiceField(
        label=gettext_lazy("服务顾问"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        **kwargs,
    )


class AppointmentChangeForm(forms.Form):
    """When and what of a booking: the day, its slot, the service and the advisor (the booking page
    adds who and from where; the change page has these alone)."""

    day = forms.DateField(
        label=gettext_lazy("预约日期"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    slot = SlotField(label=gettext_lazy("预约时段"), widget=forms.Select(attrs={"class": "form-select"}))
    service_type = forms.ChoiceField(
        label=gettext_lazy("服务类型"), choices=ServiceType.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    advisor = advisor_field()

    def __init__(self, *args, advisors, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advisor"].choices = [("", "—"), *advisors]
        self.fields["slot"].widget.choices = slot_select_choices(slots)


class BookingForm(AppointmentChangeForm):
    vehicle = forms.TypedChoiceField(
        label=gettext_lazy("车辆"), coerce=int, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    source = forms.ChoiceField(label=gettext_lazy("预约来源"), widget=forms.Select(attrs={"class": "form-select"}))
    note = forms.CharField(
        label=gettext_lazy("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"})
    )

    field_order = ["day", "slot", "service_type", "vehicle", "advisor", "source", "note"]

    def __init__(self, *args, vehicles, advisors, slots, sources=PAGE_SOURCES, **kwargs):
        super().__init__(*args, advisors=advisors, slots=slots, **kwargs)
        self.fields["vehicle"].choices = [("", "—"), *vehicles]
        labels = dict(Source.choices)
        self.fields["source"].choices = [(s, labels[s]) for s in sources]


class OutreachBookingFields(forms.Form):
    """The booking fields of a call that ends in 已预约 (the outreach call page and the win-back
    contact): the date, its slot (the page reloads the options on a date change), the service and
    the advisor, all optional until the result is 已预约. One definition for both forms."""

    booked_on = forms.DateField(
        label=gettext_lazy("预约日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    booked_slot = SlotField(
        label=gettext_lazy("预约时段"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    service_type = forms.ChoiceField(
        label=gettext_lazy("服务类型"),
        required=False,
        choices=ServiceType.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    booked_advisor = advisor_field()

    def set_booking_choices(self, *, slots: list | None, advisors: list | None, store_id: int | None = None) -> None:
        """The slot options of the posted (or default) day and the store's advisors; with `store_id`,
        the date input reloads the slot options of the date picked (htmx)."""
        self.fields["booked_slot"].widget.choices = slot_select_choices(slots or [])
        self.fields["booked_advisor"].choices = [("", "—"), *(advisors or [])]
        if store_id is not None:
            self.fields["booked_on"].widget.attrs.update(
                {
                    "hx-get": f"{reverse('appointments:slot_options')}?store={store_id}",
                    "hx-trigger": "change",
                    "hx-target": "#id_booked_slot",
                    "hx-swap": "innerHTML",
                }
            )


def slot_select_choices(slots: list[dict]) -> list[tuple[str, str]]:
    return [("", "—")] + [(row["slot"].strftime("%H:%M"), slot_option_label(row)) for row in slots]


class BoardFilterForm(forms.Form):
    store = forms.TypedChoiceField(label=gettext_lazy("门店"), coerce=int, required=False)
    day = forms.DateField(label=gettext_lazy("日期"), required=False)

    def __init__(self, *args, stores, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [(s.pk, s.name) for s in stores]

    def day_or(self, default: dt.date) -> dt.date:
        return (self.cleaned_data.get("day") if self.is_valid() else None) or default


class AppointmentSettingsForm(forms.ModelForm):
    class Meta:
        model = AppointmentSettings
        fields = ["opens_at", "closes_at", "slot_minutes", "capacity"]
        widgets = {
            "opens_at": forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
            "closes_at": forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M"),
            "slot_minutes": forms.NumberInput(attrs={"class": "form-control", "min": 10, "max": 240}),
            "capacity": forms.NumberInput(attrs={"class": "form-control", "min": 1, "max": 100}),
        }

    def clean_slot_minutes(self):
        value = self.cleaned_data["slot_minutes"]
        if not 10 <= value <= 240:
            raise forms.ValidationError(_("时段长度须在10到240分钟之间。"))
        return value

    def clean_capacity(self):
        value = self.cleaned_data["capacity"]
        if not 1 <= value <= 100:
            raise forms.ValidationError(_("每时段可约台数须在1到100之间。"))
        return value

    # Closing after opening: AppointmentSettings.clean, which this form and the admin both run.
