"""CTI screen pop: a customer by mobile, plate or VIN; a customer's timeline."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ParseError
from rest_framework.response import Response

from api.choices import Scope
from api.selectors import (
    LookupKey,
    customer_for_client,
    customer_lookup,
    customer_timeline_for_client,
    customer_url,
)
from api.serializers import ErrorSerializer, LookupResponseSerializer, TimelineResponseSerializer
from api.views.base import ClientView
from crm.links import pk_url_prefix
from crm.masking import mask_phone


def _open_tasks(customer, request) -> list[dict]:
    tasks = [
        {
            "type": "callback",
            "id": t.pk,
            "kind": t.kind,
            "kind_label": str(t.get_kind_display()),
            "state": t.state,
            "window_opens_at": t.window_opens_at,
            "window_closes_at": t.window_closes_at,
            "url": request.build_absolute_uri(f"{pk_url_prefix('callbacks:call')}{t.pk}/"),
        }
        for t in customer.open_callback_tasks
    ]
    tasks += [
        {
            "type": "outreach",
            "id": t.pk,
            "kind": t.kind,
            "kind_label": str(t.get_kind_display()),
            "state": t.state,
            "window_opens_at": t.window_opens_at,
            "window_closes_at": t.window_closes_at,
            "url": request.build_absolute_uri(f"{pk_url_prefix('retention:call')}{t.pk}/"),
        }
        for t in customer.open_outreach_tasks
    ]
    return sorted(tasks, key=lambda t: t["window_closes_at"])


class CustomerLookupView(ClientView):
    required_scope = Scope.LOOKUP

    @extend_schema(
        operation_id="customer_lookup",
        summary="Find customers by mobile, plate or VIN (CTI screen pop)",
        tags=["lookup"],
        parameters=[
            OpenApiParameter(
                "mobile",
                OpenApiTypes.STR,
                description="mobile or landline; +86 / 0086 prefixes, spaces and full-width digits are accepted",
            ),
            OpenApiParameter("plate", OpenApiTypes.STR, description="any case, with or without spaces and the ·"),
            OpenApiParameter("vin", OpenApiTypes.STR, description="any case, with or without spaces"),
        ],
        responses={200: LookupResponseSerializer, 400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer},
    )
    def get(self, request):
        # Normalised as the importer does (+86, spaces, 苏A·12345, lower case) before the check: a key
        # that normalises to nothing ("+86", "·") names no customer and is a bad request.
        key = LookupKey(**{name: self.text_param(name) for name in ("mobile", "plate", "vin")}).normalized()
        if not (key.mobile or key.plate or key.vin):
            raise ParseError(_("请指定 mobile、plate 或 vin"))
        customers = customer_lookup(client=self.client, key=key)
        self.audit_counts = {"results": len(customers)}
        results = [
            {
                "id": c.pk,
                "store": c.store.code,
                "name": c.name,
                "mobile": mask_phone(c.mobile),
                "card_type": c.card_type,
                "last_visit_at": c.last_visit_at,
                "url": request.build_absolute_uri(customer_url(c.pk)),
                "vehicles": [
                    {"vin": v.vin, "plate": v.plate, "series": v.series, "model": v.model} for v in c.vehicles.all()
                ],
                "open_tasks": _open_tasks(c, request),
            }
            for c in customers
        ]
        return Response(LookupResponseSerializer({"results": results}).data)


class CustomerTimelineView(ClientView):
    required_scope = Scope.LOOKUP

    @extend_schema(
        operation_id="customer_timeline",
        summary="A customer's timeline (deliveries, ROs, callbacks, complaints, SMS, reminders)",
        tags=["lookup"],
        responses={200: TimelineResponseSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
    )
    def get(self, request, pk: int):
        customer = customer_for_client(client=self.client, pk=pk)
        if customer is None:
            raise Http404
        entries = customer_timeline_for_client(client=self.client, customer=customer)
        self.audit_counts = {"entries": len(entries)}
        data = {
            "customer_id": customer.pk,
            "entries": [
                {
                    "at": e.at,
                    "kind": e.kind,
                    "title": str(e.title),
                    "body": str(e.body or ""),
                    "url": request.build_absolute_uri(e.url) if e.url else None,
                }
                for e in entries
            ],
        }
        return Response(TimelineResponseSerializer(data).data)
