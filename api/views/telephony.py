"""The telephone system (CTI) reports its calls: ringing, answered, ended (with talk time and the
recording as a URL or a file). The rules are telephony's (telephony.services.call_event_ingest,
telephony.attach); this view authenticates the CTI as an API client like every integration and
keeps the event within the client's stores."""

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from api.choices import Scope
from api.serializers import CallEventResultSerializer, CallEventSerializer, CallEventUploadSerializer, ErrorSerializer
from api.views.base import ClientView
from crm.scoping import user_store_ids
from telephony.services import UnknownCall, call_event_ingest


class CallEventView(ClientView):
    required_scope = Scope.CTI_EVENTS
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="call_event",
        summary="Report a call event (CTI)",
        description=(
            "One event of one call. The first event of a call attaches it (the dial request named by "
            "client_ref, else the task the agent holds, else the customer with that number, within the "
            "client's stores); the extension of the answered event decides the agent, whose browser pops "
            "the customer's page on an inbound call. Call ids are the client's own: a client sees only "
            "the calls it reported, and another client's call with the same id is another call. "
            "Repeating a (call_id, event) changes nothing. "
            "A recording file the limits refuse does not refuse the event: the answer says why."
        ),
        tags=["telephony"],
        request={"application/json": CallEventSerializer, "multipart/form-data": CallEventUploadSerializer},
        responses={
            200: CallEventResultSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            404: OpenApiResponse(ErrorSerializer, description="a call of a store outside the client's stores"),
        },
    )
    def post(self, request):
        try:
            data = request.data
        except RequestDataTooBig:
            raise ParseError(_("请求过大")) from None
        if not hasattr(data, "get"):
            raise ParseError(_("请求应为一个 JSON 对象"))
        upload = request.FILES.get("recording") if hasattr(request, "FILES") else None
        payload = {k: v for k, v in data.items() if k != "recording"}
        store_ids = user_store_ids(self.client)
        try:
            record, changed = call_event_ingest(
                payload=payload,
                recording_file=upload,
                store_ids=frozenset(store_ids) if store_ids is not None else None,
                client_id=self.client.pk,
            )
        except ValidationError as exc:
            raise ParseError("; ".join(exc.messages)) from None
        except UnknownCall:
            raise NotFound(_("未知的通话")) from None
        self.audit_counts = {"call": record.pk, "changed": int(changed)}
        return Response(
            {
                "call": record.pk,
                "changed": changed,
                "customer": record.customer_id,
                "recording": record.recording_state,
                "recording_error": record.recording_error,
            }
        )
