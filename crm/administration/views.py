"""The administrator's pages: parse, call a selector or a service, render."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.administration.access import administrator_required
from crm.administration.forms import DepartmentForm, StoreForm, UserForm, UserSearchForm
from crm.administration.selectors import store_list, stores_managed, user_search, with_role_codes
from crm.administration.services import (
    AdministrationError,
    department_save,
    store_save,
    user_deactivate,
    user_save,
)
from crm.models import Department, Store, User
from crm.scoping import get_scoped_or_404

USERS_PER_PAGE = 30


@administrator_required
def user_list(request: HttpRequest) -> HttpResponse:
    form = UserSearchForm(request.GET or None, stores=stores_managed(user=request.user))
    page_obj = Paginator(user_search(**form.filters()), USERS_PER_PAGE).get_page(request.GET.get("page"))
    page_obj.object_list = with_role_codes(page_obj.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    context = {"form": form, "page_obj": page_obj, "query_string": params.urlencode()}
    return render(request, "crm/administration/user_list.html", context)


@administrator_required
def user_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = get_object_or_404(User, pk=pk) if pk else None
    form = UserForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = user_save(user=user, by=request.user, **form.service_kwargs())
        except AdministrationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("用户 %(name)s 已保存。") % {"name": saved.username})
            return redirect("crm:user_list")
    return render(request, "crm/administration/user_form.html", {"form": form, "edited": user})


@administrator_required
@require_POST
def user_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = get_object_or_404(User, pk=pk)
    try:
        user_deactivate(user=user, by=request.user)
    except AdministrationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("用户 %(name)s 已停用。") % {"name": user.username})
    return redirect("crm:user_list")


@administrator_required
def store_index(request: HttpRequest) -> HttpResponse:
    return render(request, "crm/administration/store_list.html", {"stores": store_list(user=request.user)})


@administrator_required
def store_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    store = get_scoped_or_404(Store.objects.all(), request.user, store_field="id", pk=pk) if pk else None
    form = StoreForm(request.POST or None, instance=store)
    if request.method == "POST" and form.is_valid():
        saved = store_save(store=store, fields=form.cleaned_data)
        messages.success(request, _("门店 %(name)s 已保存。") % {"name": saved.name})
        return redirect("crm:store_list")
    return render(request, "crm/administration/store_form.html", {"form": form, "store": store})


@administrator_required
def department_edit(request: HttpRequest, store_pk: int, pk: int | None = None) -> HttpResponse:
    store = get_scoped_or_404(Store.objects.all(), request.user, store_field="id", pk=store_pk)
    department = get_object_or_404(Department, pk=pk, store=store) if pk else None
    form = DepartmentForm(request.POST or None, instance=department, store=store)
    if request.method == "POST" and form.is_valid():
        try:
            department_save(department=department, store=store, fields=form.cleaned_data)
        except AdministrationError as error:
            form.add_error("kind", str(error))
        else:
            messages.success(request, _("部门已保存。"))
            return redirect("crm:store_list")
    context = {"form": form, "store": store, "department": department}
    return render(request, "crm/administration/department_form.html", context)
