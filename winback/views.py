"""Win-back pages (SPEC §10.3): the list, the at-risk customers, an entry with its contact form, and
the monthly summary (win-back rate and reasons). Thin: parse, call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.selectors import advisor_choices
from appointments.slots import booking_day, slot_choices
from crm.masking import can_see_full_numbers
from crm.params import id_param, month_param
from crm.scoping import stores_for_user, user_store_ids
from winback import presentation, rules, selectors
from winback.forms import ContactForm, EntryFilterForm, SettingsForm
from winback.services import WinbackError, winback_contact_record, winback_settings_save

PAGE_SIZE = 50


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@permission_required("winback.view_winbackentry", raise_exception=True)
def entry_list(request):
    user = request.user
    form = EntryFilterForm(request.GET or None, advisors=selectors.advisor_choices(user=user))
    filters = form.filters(default_month=selectors.latest_month(user=user))
    page = Paginator(selectors.entry_list(user=user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    rate = selectors.winback_rates(store_ids=user_store_ids(user), months=[filters.month])[0]
    context = {
        "form": form,
        "month": filters.month,
        "rate": rate,
        "page_obj": page,
        "rows": presentation.entry_rows(page, full_numbers=can_see_full_numbers(user)),
        "query_string": _query_without_page(request),
        "tab": "entries",
    }
    return render(request, "winback/entry_list.html", context)


@login_required
@permission_required("winback.view_winbackentry", raise_exception=True)
def at_risk_list(request):
    """即将流失: customers whose last visit is 9 to 12 months old today, not on the list yet."""
    user = request.user
    customers = selectors.at_risk_customer_list(user=user, on=timezone.localdate())
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "rows": presentation.at_risk_rows(page, full_numbers=can_see_full_numbers(user)),
        "query_string": _query_without_page(request),
        "tab": "at_risk",
    }
    return render(request, "winback/at_risk_list.html", context)


@login_required
@permission_required("winback.view_winbackentry", raise_exception=True)
def entry_detail(request, pk: int):
    entry = selectors.entry_detail(user=request.user, pk=pk)
    form = ContactForm(
        request.POST or None,
        store_id=entry.store_id,
        slots=slot_choices(store_id=entry.store_id, day=booking_day(request.POST.get("booked_on"))),
        advisors=advisor_choices(store_id=entry.store_id),
    )
    if request.method == "POST":
        if not request.user.has_perm("winback.change_winbackentry"):
            raise PermissionDenied
        if form.is_valid():
            try:
                attempt = winback_contact_record(entry=entry, user=request.user, **form.cleaned_data)
            except (WinbackError, ValidationError) as error:
                messages.error(request, error.messages[0] if isinstance(error, ValidationError) else str(error))
            else:
                booked = getattr(attempt, "appointment", None)
                if booked is not None:
                    messages.success(
                        request,
                        _("联络记录已保存，已预约 %(day)s %(slot)s。")
                        % {"day": booked.day.isoformat(), "slot": booked.slot.strftime("%H:%M")},
                    )
                else:
                    messages.success(request, _("联络记录已保存。"))
                return redirect("winback:entry_detail", pk=entry.pk)
    context = {
        "entry": entry,
        "form": form,
        "contacts": selectors.entry_contacts(entry=entry),
        "phone": presentation.phone(entry.customer.mobile, full=can_see_full_numbers(request.user)),
        "can_contact": request.user.has_perm("winback.change_winbackentry") and entry.recovered_on is None,
    }
    return render(request, "winback/entry_detail.html", context, status=400 if form.errors else 200)


@login_required
@permission_required("winback.view_reasons", raise_exception=True)
def summary(request):
    """The monthly win-back rate (12 months) and the month's reasons, for the service department."""
    store_ids = user_store_ids(request.user)
    month = month_param(request.GET.get("month")) or selectors.latest_month(user=request.user)
    context = {
        "month": month,
        "rates": selectors.winback_rates(store_ids=store_ids, months=selectors.last_months(month)),
        "reasons": selectors.reason_summary(store_ids=store_ids, month=month),
        "tab": "summary",
    }
    return render(request, "winback/summary.html", context)


@login_required
@permission_required("winback.change_winbacksettings", raise_exception=True)
def settings_page(request):
    """The CR manager sets each of their stores' two numbers (a store without a row uses 12 / 9)."""
    stores = list(stores_for_user(request.user).order_by("code"))
    current = rules.store_settings([s.pk for s in stores])
    posted = id_param(request.POST.get("store"), name="store") if request.method == "POST" else None
    forms = []
    for store in stores:
        values = current[store.pk]
        initial = {"lost_after_months": values.lost_after_months, "at_risk_after_months": values.at_risk_after_months}
        bound = posted == store.pk
        form = SettingsForm(request.POST if bound else None, initial=initial, prefix=f"s{store.pk}")
        if bound and form.is_valid():
            winback_settings_save(store=store, **form.cleaned_data)
            messages.success(request, _("%(store)s 的流失客户设置已保存。") % {"store": store.name})
            return redirect("winback:settings")
        forms.append((store, form))
    if posted is not None and posted not in {s.pk for s in stores}:
        raise Http404
    return render(request, "winback/settings.html", {"forms": forms}, status=400 if posted else 200)
