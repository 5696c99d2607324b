"""What every API view shares: bearer-token clients, a scope per view, throttling per client and
of failed authentication per address, and one audit-log entry per call (refused calls included,
except an address's calls refused for its failed authentications: only the first is logged)."""

import datetime as dt

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, ParseError, Throttled
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import APIView

from api.audit import api_call_log
from api.authentication import BearerTokenAuthentication
from api.models import ApiClient
from api.permissions import HasRequiredScope
from api.selectors import client_store_by_code
from api.throttling import ApiClientRateThrottle, AuthFailureThrottle
from crm import params
from crm.models import Store

STORE_PARAM = OpenApiParameter("store", OpenApiTypes.STR, description="store code (one of the client's stores)")
MONTH_PARAM = OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM", pattern=r"^\d{4}-\d{2}$")
WEEK_PARAM = OpenApiParameter(
    "week",
    OpenApiTypes.DATE,
    description="any day of the Monday-to-Sunday week, YYYY-MM-DD (default: the week the report's page opens on)",
)
# The years a period may be in (crm.periods.parse_month's: a week of 9999 has no end to query to).
YEARS = range(1900, 9999)


class ApiPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    # The schema is English (api.serializers): not DRF's texts, which it translates into Chinese.
    page_query_description = "page number, from 1"
    page_size_query_description = "rows per page (default 100, at most 500)"


# Mixed into APIView and DRF's generic views. (A comment, not a docstring: drf-spectacular would
# publish the docstring as the description of every operation that does not have its own.)
class ClientMixin:
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [HasRequiredScope]
    throttle_classes = [ApiClientRateThrottle]
    required_scope: str | None = None

    @property
    def client(self) -> ApiClient:
        return self.request.auth

    audited = True

    def perform_authentication(self, request):
        failures = AuthFailureThrottle()
        if failures.refuses(request, self):
            # Refused before the token is looked up: no query, and (but for the first) no audit row.
            self.audited = failures.first_refusal()
            # No principal: reading request.auth later (the audit) must not authenticate after all.
            request.user = request.auth = None
            raise Throttled(wait=failures.wait())
        super().perform_authentication(request)

    def handle_exception(self, exc):
        # No token or a bad one: 401 (NotAuthenticated when no token was sent and the permission
        # check refused; AuthenticationFailed for a wrong, revoked or malformed one).
        if isinstance(exc, NotAuthenticated | AuthenticationFailed):
            AuthFailureThrottle().record_failure(self.request, self)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if not self.audited:
            return response
        client = request.auth if isinstance(getattr(request, "auth", None), ApiClient) else None
        api_call_log(
            client=client,
            method=request.method,
            path=request.get_full_path(),
            status=response.status_code,
            counts=getattr(self, "audit_counts", None),
        )
        return response

    # --- query parameters shared by the lists and reports ---------------------------------------

    def store_param(self, value: str | None = None) -> Store | None:
        code = (value if value is not None else self.request.query_params.get("store", "")).strip()
        if not code:
            return None
        # A NUL byte cannot be compared by PostgreSQL (a 500): such a code names no store either.
        store = None if "\x00" in code else client_store_by_code(client=self.client, code=code)
        if store is None:
            # Another store's code is answered like a typo: nothing says it exists.
            raise ParseError(_("未知的门店代码：%(v)s") % {"v": code[:20]})
        return store

    def month_param(self, *, required: bool = False) -> dt.date | None:
        """`month=YYYY-MM` as the first day of the month, parsed by crm.params (crm.periods.parse_month,
        the pages' and exports' parser); a malformed month is a 400 with a readable message."""
        value = self.request.query_params.get("month", "").strip()
        if not value:
            if required:
                raise ParseError(_("请指定月份（YYYY-MM）"))
            return None
        try:
            return params.month_param(value)
        except BadRequest:
            raise ParseError(_("月份格式应为 YYYY-MM")) from None

    def week_param(self) -> dt.date | None:
        """`week=YYYY-MM-DD`, any day of the week (crm.params.date_param, the pages' parser)."""
        value = self.request.query_params.get("week", "").strip()
        if not value:
            return None
        try:
            day = params.date_param(value, name="week")
        except BadRequest:
            day = None
        if day is None or day.year not in YEARS:
            raise ParseError(_("周应写作该周任一天的日期（YYYY-MM-DD）"))
        return day

    def text_param(self, name: str) -> str:
        """A free-text query parameter, trimmed; one PostgreSQL cannot compare (a NUL byte) is a 400."""
        try:
            return params.text_param(self.request.query_params.get(name, ""), name=name).strip()
        except BadRequest:
            raise ParseError(_("参数含有无效字符：%(name)s") % {"name": name}) from None


class ClientView(ClientMixin, APIView):
    pass
