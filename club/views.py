"""Club pages (SPEC §10.6): the member list, a card with its ledger and actions, enrolment from the
customer page, activities with their participants. Thin: parse, call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from club import selectors
from club.forms import (
    ActivityForm,
    AdjustForm,
    CardFilterForm,
    ClubSettingsForm,
    ParticipantForm,
    RedeemForm,
    ReplaceForm,
)
from club.services import (
    ClubError,
    activity_create,
    activity_participant_add,
    card_enrol,
    card_renew,
    card_replace,
    club_settings_save,
    points_adjust,
    points_redeem,
)
from crm.models import Customer, Vehicle
from crm.params import id_param
from crm.scoping import get_scoped_or_404, store_being_edited, stores_for_user

PAGE_SIZE = 50


def _store_choices(user) -> list[tuple[int, str]]:
    return [(s.pk, s.name) for s in stores_for_user(user).order_by("code")]


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _error_text(error: Exception) -> str:
    return error.messages[0] if isinstance(error, ValidationError) else str(error)


@login_required
@permission_required("club.view_membercard", raise_exception=True)
def card_list(request):
    form = CardFilterForm(request.GET or None, stores=_store_choices(request.user))
    cards = selectors.card_list(user=request.user, filters=form.filters())
    page = Paginator(cards, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "query_string": _query_without_page(request)}
    return render(request, "club/card_list.html", context)


# action -> (form, permission)
ACTIONS = {
    "redeem": (RedeemForm, "club.add_pointentry"),
    "adjust": (AdjustForm, "club.add_pointentry"),
    "replace": (ReplaceForm, "club.add_membercard"),
    "renew": (None, "club.add_membercard"),
}


@login_required
@permission_required("club.view_membercard", raise_exception=True)
def card_detail(request, pk: int, forms: dict | None = None):
    card = selectors.card_detail(user=request.user, pk=pk)
    forms = forms or {}
    context = {
        "card": card,
        "today": timezone.localdate(),
        "ledger": selectors.card_ledger(card=card)[:500],
        "earlier": selectors.earlier_cards(card=card),
        "redeem_form": forms.get("redeem") or RedeemForm(),
        "adjust_form": forms.get("adjust") or AdjustForm(),
        "replace_form": forms.get("replace") or ReplaceForm(),
        "can_points": request.user.has_perm("club.add_pointentry"),
        "can_manage": request.user.has_perm("club.add_membercard"),
    }
    return render(request, "club/card_detail.html", context, status=400 if forms else 200)


@require_POST
@login_required
@permission_required("club.view_membercard", raise_exception=True)
def card_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    form_class, permission = ACTIONS[action]
    if not request.user.has_perm(permission):
        raise PermissionDenied
    card = selectors.card_detail(user=request.user, pk=pk)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        return card_detail(request, pk=pk, forms={action: form})
    data = form.cleaned_data if form else {}
    user = request.user
    try:
        if action == "redeem":
            points_redeem(card=card, user=user, **data)
            messages.success(request, _("已兑换 %(points)s 积分。") % {"points": data["points"]})
        elif action == "adjust":
            points_adjust(card=card, user=user, **data)
            messages.success(request, _("积分已调整。"))
        elif action == "replace":
            card = card_replace(card=card, user=user, **data)
            messages.success(request, _("已补发新卡 %(number)s，积分已转入。") % {"number": card.number})
        else:
            card = card_renew(card=card)
            messages.success(request, _("已续期至 %(day)s。") % {"day": card.expires_on})
    except (ClubError, ValidationError) as error:
        messages.error(request, _error_text(error))
    return redirect("club:card_detail", pk=card.pk)


@login_required
@permission_required("club.view_membercard", raise_exception=True)
def enrol(request, customer_pk: int):
    """入会 from the customer page: pick one of the customer's vehicles without a card."""
    customer = get_scoped_or_404(Customer.objects.select_related("store"), request.user, pk=customer_pk)
    if request.method == "POST":
        if not request.user.has_perm("club.add_membercard"):
            raise PermissionDenied
        vehicle_id = id_param(request.POST.get("vehicle"), name="vehicle")
        vehicle = Vehicle.objects.filter(pk=vehicle_id, owner=customer).first() if vehicle_id else None
        if vehicle is None:
            messages.error(request, _("请选择车辆。"))
        else:
            try:
                card = card_enrol(customer=customer, vehicle=vehicle)
            except ClubError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("已办理会员卡 %(number)s。") % {"number": card.number})
                return redirect("club:card_detail", pk=card.pk)
    context = {
        "customer": customer,
        "vehicles": selectors.enrolable_vehicles(customer=customer),
        "can_enrol": request.user.has_perm("club.add_membercard"),
    }
    return render(request, "club/enrol.html", context, status=400 if request.method == "POST" else 200)


@login_required
@permission_required("club.view_activity", raise_exception=True)
def activity_list(request):
    stores = _store_choices(request.user)
    form = ActivityForm(request.POST or None, stores=stores)
    if request.method == "POST":
        if not request.user.has_perm("club.add_activity"):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            store = get_scoped_or_404(
                stores_for_user(request.user), request.user, store_field="id", pk=data.pop("store")
            )
            try:
                activity = activity_create(store=store, **data)
            except ValidationError as error:
                messages.error(request, _error_text(error))
            else:
                return redirect("club:activity_detail", pk=activity.pk)
    page = Paginator(selectors.activity_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "can_add": request.user.has_perm("club.add_activity")}
    return render(request, "club/activity_list.html", context, status=400 if request.method == "POST" else 200)


@login_required
@permission_required("club.view_activity", raise_exception=True)
def activity_detail(request, pk: int):
    activity = selectors.activity_detail(user=request.user, pk=pk)
    form = ParticipantForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("club.add_participation"):
            raise PermissionDenied
        if form.is_valid():
            card = selectors.card_by_number(
                user=request.user, store_id=activity.store_id, number=form.cleaned_data["number"]
            )
            if card is None:
                messages.error(request, _("本店没有该会员卡号。"))
            else:
                try:
                    activity_participant_add(activity=activity, card=card, user=request.user)
                except ClubError as error:
                    messages.error(request, str(error))
                else:
                    messages.success(request, _("已登记 %(number)s。") % {"number": card.number})
                    return redirect("club:activity_detail", pk=activity.pk)
    context = {
        "activity": activity,
        "form": form,
        "participants": selectors.activity_participants(activity=activity),
        "can_add": request.user.has_perm("club.add_participation"),
    }
    return render(request, "club/activity_detail.html", context, status=400 if request.method == "POST" else 200)


@login_required
@permission_required("club.change_clubsettings", raise_exception=True)
def settings_edit(request):
    """A store's level thresholds; saving re-levels the store's active cards at once."""
    store, stores = store_being_edited(request.user, request.GET.get("store"))
    form = ClubSettingsForm(request.POST or None, instance=selectors.store_club_settings(store_id=store.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changed = club_settings_save(store=store, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("俱乐部设置已保存，%(n)s 张会员卡等级已变更。") % {"n": changed})
            return redirect(f"{request.path}?store={store.pk}")
    context = {
        "store": store,
        "stores": stores,
        "form": form,
        "levels": selectors.active_cards_by_level(store_id=store.pk),
    }
    return render(request, "club/settings.html", context, status=400 if form.errors else 200)
