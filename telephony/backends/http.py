"""HTTP backend: POSTs JSON to settings.CTI_HTTP_URL with a bearer token (settings.CTI_HTTP_TOKEN).

Request body: {"extension", "number", "client_ref"} (client_ref is our DialRequest id; a CTI that
echoes it in its events lets them find the request). A 2xx answer may carry JSON {"call_id": ...}
(or "id"); anything else is an error with the status and the start of the answer.
"""

import json
import urllib.error
import urllib.request

from django.conf import settings

from telephony.backends import BaseCtiBackend, CtiBackendError


class HttpBackend(BaseCtiBackend):
    timeout = 5  # the agent waits on the page for the answer

    def __init__(self, url: str | None = None, token: str | None = None) -> None:
        self.url = url or settings.CTI_HTTP_URL
        self.token = token if token is not None else settings.CTI_HTTP_TOKEN
        if not self.url:
            raise CtiBackendError("CTI_HTTP_URL is not set")

    def dial(self, request) -> str:
        payload = json.dumps(
            {"extension": request.extension, "number": request.number, "client_ref": str(request.pk)}
        ).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        http_request = urllib.request.Request(self.url, data=payload, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(http_request, timeout=self.timeout) as response:
                raw = response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            detail = exc.read(200).decode(errors="replace")
            raise CtiBackendError(f"HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise CtiBackendError(f"CTI unreachable: {exc}") from exc
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            data = {}
        if isinstance(data, dict):
            for key in ("call_id", "id"):
                if data.get(key):
                    return str(data[key])[:100]
        return ""
