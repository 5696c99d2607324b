"""What the API returns (and what drf-spectacular documents). Requests are parsed in the views:
a pushed row is handed to the importer as it came, so its messages are the importer's.

The schema's texts (help texts here, summaries and parameter descriptions in the views) are English
on purpose, not gettext: the OpenAPI document and its docs pages are read by the DMS, CTI and BI
integrators' developers, not by the department's users, and one schema for every caller keeps it
stable whatever language the request negotiates. Chinese appears only where it names something in
the data: a DMS sheet's column header (the importer's own, SPEC §5). Error `detail`s, which a CTI
may show to an agent, go through gettext in the views."""

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from crm.importing.registry import handler_for_key

MAX_PUSH_ITEMS = 500


class PushRequestSerializer(serializers.Serializer):
    """Validates the envelope only; each item's values are checked by the DMS importer."""

    store = serializers.CharField(required=False, allow_blank=True, max_length=20)
    items = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, max_length=MAX_PUSH_ITEMS, min_length=1
    )


def push_request_schema(sheet_key: str):
    """The request of a push, documented from the sheet's own columns (SPEC §5): one source."""
    handler = handler_for_key(sheet_key)
    fields = {
        column.key: serializers.CharField(
            required=False,
            allow_null=True,
            help_text=f"DMS column {column.zh}{' (required)' if column.required else ''}",
        )
        for column in handler.columns
    }
    item = inline_serializer(name=f"{handler.key.title().replace('_', '')}Row", fields=fields)
    return inline_serializer(
        name=f"{handler.key.title().replace('_', '')}Push",
        fields={
            "store": serializers.CharField(
                required=False,
                help_text="store code; when absent, the client's only store, or each row's `store` column",
            ),
            "items": serializers.ListField(child=item, min_length=1, max_length=MAX_PUSH_ITEMS),
        },
    )


class RowMessageSerializer(serializers.Serializer):
    column = serializers.CharField()
    reason = serializers.CharField()


class PushItemSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="position in `items`, from 0")
    outcome = serializers.ChoiceField(choices=["created", "updated", "unchanged", "error"])
    errors = RowMessageSerializer(many=True)
    warnings = RowMessageSerializer(many=True)


class PushSummarySerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.IntegerField()
    warnings = serializers.IntegerField()


class PushResponseSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    summary = PushSummarySerializer()
    items = PushItemSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


# --- lookups ----------------------------------------------------------------------------------


class VehicleOutSerializer(serializers.Serializer):
    vin = serializers.CharField()
    plate = serializers.CharField()
    series = serializers.CharField()
    model = serializers.CharField()


class OpenTaskSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["callback", "outreach"])
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    state = serializers.CharField()
    window_opens_at = serializers.DateTimeField()
    window_closes_at = serializers.DateTimeField()
    url = serializers.CharField()


class CustomerLookupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    store = serializers.CharField()
    name = serializers.CharField()
    mobile = serializers.CharField(help_text="masked, e.g. 138****1234")
    card_type = serializers.CharField()
    last_visit_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(help_text="the customer page (screen pop)")
    vehicles = VehicleOutSerializer(many=True)
    open_tasks = OpenTaskSerializer(many=True)


class LookupResponseSerializer(serializers.Serializer):
    results = CustomerLookupSerializer(many=True)


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_null=True)


class TimelineResponseSerializer(serializers.Serializer):
    customer_id = serializers.IntegerField()
    entries = TimelineEntrySerializer(many=True)


# --- lists for reporting tools -------------------------------------------------------------------


class CallbackTaskOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    store = serializers.CharField(source="store.code")
    kind = serializers.CharField()
    state = serializers.CharField()
    customer_id = serializers.IntegerField()
    customer_name = serializers.CharField(source="customer.name")
    vin = serializers.CharField(source="vehicle.vin")
    plate = serializers.CharField(source="vehicle.plate")
    window_opens_at = serializers.DateTimeField()
    window_closes_at = serializers.DateTimeField()
    last_disposition = serializers.CharField()
    final_disposition = serializers.CharField()
    overall_score = serializers.IntegerField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)


class ComplaintOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_no = serializers.CharField()
    store = serializers.CharField(source="store.code")
    received_at = serializers.DateTimeField()
    channel = serializers.CharField()
    category = serializers.CharField()
    level = serializers.CharField()
    state = serializers.CharField()
    customer_id = serializers.IntegerField()
    customer_name = serializers.CharField(source="customer.name")
    department = serializers.CharField(source="department.kind", allow_null=True, default=None)
    dispatched_at = serializers.DateTimeField(allow_null=True)
    first_contact_at = serializers.DateTimeField(allow_null=True)
    feedback_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class ReminderOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    store = serializers.CharField(source="store.code")
    kind = serializers.CharField()
    customer_id = serializers.IntegerField()
    customer_name = serializers.CharField(source="customer.name")
    vin = serializers.CharField(source="vehicle.vin", allow_null=True, default=None)
    plate = serializers.CharField(source="vehicle.plate", allow_null=True, default=None)
    due_on = serializers.DateField()
    send_on = serializers.DateField()
    channel = serializers.CharField()
    status = serializers.CharField()
    skip_reason = serializers.CharField()
    returned_on = serializers.DateField(allow_null=True)


class ReportInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    group = serializers.CharField()
    period = serializers.ChoiceField(
        choices=["month", "quarter", "year", "week"],
        help_text="month: the month given; quarter / year: the quarter or year holding it; week: a week report",
    )
    path = serializers.CharField(help_text="where to read it")


class ReportColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    header = serializers.CharField()
    kind = serializers.CharField()


# A report cell: text, a number, a boolean or null — or, in a column of kind "figure" (table 15's
# results: a mean score in one row, a share in another), an object with the number and the text the
# page shows (which carries the unit and the 进行中 mark of the month in progress).
FIGURE_SCHEMA = {
    "type": "object",
    "properties": {
        "value": {"type": "number", "description": "the number: a mean score, or a share as a fraction (0.853)"},
        "text": {
            "type": "string",
            "description": "as the page shows it (with the unit and, for the month in progress, its mark)",
        },
    },
    "required": ["value", "text"],
    "additionalProperties": False,
}
CELL_SCHEMA = {
    "nullable": True,
    "anyOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}, FIGURE_SCHEMA],
    "description": 'a cell; in a column of kind "figure" an object {value, text} (or null)',
}


@extend_schema_field(CELL_SCHEMA)
class ReportCellField(serializers.JSONField):
    pass


class ReportTableSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    store_label = serializers.CharField()
    period_label = serializers.CharField()
    columns = ReportColumnSerializer(many=True)
    rows = serializers.ListField(child=serializers.ListField(child=ReportCellField(allow_null=True)))
    total = serializers.ListField(child=ReportCellField(allow_null=True), allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())


class WeeklyReportSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    week = serializers.DateField(help_text="the week's Monday")
    period_label = serializers.CharField()
    tables = ReportTableSerializer(many=True)


# --- telephony (CTI call events) ------------------------------------------------------------------


class CallEventSerializer(serializers.Serializer):
    """One call event as the CTI posts it (JSON, or multipart with the recording file)."""

    call_id = serializers.CharField(max_length=100, help_text="the CTI's id of the call")
    event = serializers.ChoiceField(choices=["ringing", "answered", "ended"])
    direction = serializers.ChoiceField(choices=["out", "in"], required=False, help_text="default out")
    extension = serializers.CharField(max_length=20, required=False, help_text="the agent's extension")
    number = serializers.CharField(max_length=20, required=False, help_text="the customer's number")
    client_ref = serializers.CharField(
        max_length=20, required=False, help_text="the dial request id Dealer CR sent with click-to-call"
    )
    duration = serializers.IntegerField(
        min_value=0, max_value=86400, required=False, help_text="talk time in seconds (ended)"
    )
    at = serializers.FloatField(required=False, help_text="Unix time of the event (default: when received)")
    recording_url = serializers.URLField(
        max_length=500, required=False, help_text="where Dealer CR fetches the recording (ended)"
    )


class CallEventUploadSerializer(CallEventSerializer):
    recording = serializers.FileField(required=False, help_text="the recording file itself (ended)")


class CallEventResultSerializer(serializers.Serializer):
    call = serializers.IntegerField(help_text="Dealer CR's id of the call")
    changed = serializers.BooleanField(help_text="false for a repeated (call, event)")
    customer = serializers.IntegerField(allow_null=True)
    recording = serializers.CharField(help_text="recording state: '', pending, stored, failed, rejected, deleted")
    recording_error = serializers.CharField(required=False, help_text="why a posted file was refused")
