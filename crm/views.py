from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.card_flags import customer_card_flags
from crm.forms import CustomerSearchForm, ImportUploadForm, customer_section_form_class
from crm.masking import can_see_full_numbers
from crm.models import Customer, ImportJob
from crm.params import text_param
from crm.roles import landing_url_name
from crm.scoping import get_scoped_or_404
from crm.search import search_everything
from crm.selectors import (
    CARD_SECTION_BY_KEY,
    customer_audit_trail,
    customer_card_sections,
    customer_get,
    customer_list_page,
    customer_search,
    customer_vehicles,
    import_jobs_recent,
    import_jobs_visible,
)
from crm.services import customer_update_section, import_job_create
from crm.timeline import customer_timeline

CUSTOMERS_PER_PAGE = 25


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its main page; a user with no landing page sees the navigation cards."""
    url_name = landing_url_name(request.user)
    if url_name:
        return redirect(url_name)
    return render(request, "crm/home.html")


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The navbar's search box: customers, complaints, ... of the user's stores (crm.search)."""
    query = text_param(request.GET.get("q"), name="q", max_length=100).strip()
    sections = search_everything(user=request.user, query=query)
    return render(request, "crm/search.html", {"query": query, "sections": sections})


@login_required
@permission_required("crm.view_customer", raise_exception=True)
def customer_list(request: HttpRequest) -> HttpResponse:
    form = CustomerSearchForm(request.GET or None, user=request.user)
    form.is_valid()  # an invalid field (another store's id) drops out of cleaned_data; the rest still filter
    filters = getattr(form, "cleaned_data", {})
    customers = customer_search(
        user=request.user,
        query=filters.get("q", ""),
        card_type=filters.get("card_type") or None,
        store_id=filters["store"].pk if filters.get("store") else None,
    )
    page_obj = Paginator(customer_list_page(customers=customers), CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page_obj": page_obj,
        "query_string": params.urlencode(),
        "full_numbers": can_see_full_numbers(request.user),
        "searching": bool(filters.get("q")),
        # The store filter and column only help users who see more than one store.
        "multi_store": len(form.fields["store"].queryset) > 1,
    }
    return render(request, "crm/customer_list.html", context)


@login_required
@permission_required("crm.view_customer", raise_exception=True)
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = customer_get(user=request.user, pk=pk)
    full_numbers = can_see_full_numbers(request.user)
    context = {
        "customer": customer,
        "full_numbers": full_numbers,
        "sections": customer_card_sections(customer=customer, full_numbers=full_numbers),
        "vehicles": customer_vehicles(customer=customer),
        "timeline": customer_timeline(customer, user=request.user),
        "flags": customer_card_flags(customer),
        "audit_rows": customer_audit_trail(customer=customer, full_numbers=full_numbers),
        "can_edit": request.user.has_perm("crm.change_customer"),
    }
    return render(request, "crm/customer_detail.html", context)


@login_required
@permission_required("crm.change_customer", raise_exception=True)
def customer_edit(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    if section not in CARD_SECTION_BY_KEY:
        raise Http404
    customer = get_scoped_or_404(Customer.objects.select_related("store"), request.user, pk=pk)
    form = customer_section_form_class(section)(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        if form.changed_data:
            customer_update_section(customer=customer, data={k: form.cleaned_data[k] for k in form.changed_data})
            messages.success(request, _("客户档案已保存。"))
        return redirect(f"{reverse('crm:customer_detail', args=[customer.pk])}#section-{section}")
    context = {"customer": customer, "form": form, "section": CARD_SECTION_BY_KEY[section]}
    return render(request, "crm/customer_edit.html", context)


# --- DMS import -------------------------------------------------------------------------------


@login_required
@permission_required("crm.add_importjob", raise_exception=True)
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(user=request.user, store=form.cleaned_data["store"], upload=form.cleaned_data["file"])
        return redirect("crm:import_detail", pk=job.pk)
    return render(request, "crm/import_upload.html", {"form": form, "jobs": import_jobs_recent(user=request.user)})


def _scoped_job(request: HttpRequest, pk: int) -> ImportJob:
    job = import_jobs_visible(user=request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


@login_required
@permission_required("crm.view_importjob", raise_exception=True)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _scoped_job(request, pk)
    template = "crm/partials/import_progress.html" if request.htmx else "crm/import_detail.html"
    return render(request, template, {"job": job})


@login_required
@permission_required("crm.view_importjob", raise_exception=True)
def import_errors(request: HttpRequest, pk: int) -> FileResponse:
    job = _scoped_job(request, pk)
    if not job.error_file:
        raise Http404
    return FileResponse(job.error_file.open("rb"), as_attachment=True, filename=f"导入错误-{job.pk}.xlsx")
