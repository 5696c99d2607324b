"""DMS push: deliveries, repair orders and callback results as JSON, through the DMS importer."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import ParseError
from rest_framework.response import Response

from api.choices import Scope
from api.selectors import client_stores
from api.serializers import ErrorSerializer, PushRequestSerializer, PushResponseSerializer, push_request_schema
from api.services import dms_push
from api.views.base import ClientView


class DmsPushView(ClientView):
    """POST a batch (up to 500 rows) of one DMS sheet; each row is imported as `import_dms` would."""

    required_scope = Scope.DMS_PUSH
    sheet_key = ""

    def push(self, request):
        envelope = PushRequestSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        store = self.store_param(envelope.validated_data.get("store", ""))
        if store is None:
            # A client of one store pushes into it; a client of several names the store per batch
            # or per row (the sheet's `store` column), as the file import's --store.
            stores = list(client_stores(client=self.client)[:2])
            store = stores[0] if len(stores) == 1 else None
            if not stores:
                raise ParseError(_("该接口客户端没有可用的门店"))
        result = dms_push(
            client=self.client, sheet_key=self.sheet_key, records=envelope.validated_data["items"], store=store
        )
        self.audit_counts = result.counts()
        return Response({"sheet": result.sheet, "summary": result.summary, "items": result.items})


def _push_schema(sheet_key: str, summary: str):
    return extend_schema(
        operation_id=f"dms_push_{sheet_key}",
        summary=summary,
        tags=["dms"],
        request=push_request_schema(sheet_key),
        responses={
            200: PushResponseSerializer,
            400: OpenApiResponse(description="the envelope is not a list of 1–500 objects, or an unknown store"),
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
    )


class DeliveriesPushView(DmsPushView):
    sheet_key = "deliveries"

    @_push_schema("deliveries", "Push deliveries (交车)")
    def post(self, request):
        return self.push(request)


class RepairOrdersPushView(DmsPushView):
    sheet_key = "repair_orders"

    @_push_schema("repair_orders", "Push repair orders (工单)")
    def post(self, request):
        return self.push(request)


class CallbackResultsPushView(DmsPushView):
    sheet_key = "callback_results"

    @_push_schema("callback_results", "Push callback results (回访结果)")
    def post(self, request):
        return self.push(request)
