"""HTTP backend: POSTs JSON to settings.SMS_HTTP_URL with a bearer token (settings.SMS_HTTP_TOKEN).

Request body: {"mobile", "content", "client_ref"} (client_ref is our message id, so a gateway that
deduplicates can). A 2xx answer may carry JSON {"id": ...} (or "message_id"/"msgid"), the gateway's
id; anything else is an error with the status and the start of the answer.
"""

import json
import urllib.error
import urllib.request

from django.conf import settings

from crm.sms.backends import BaseSmsBackend, SmsBackendError


class HttpBackend(BaseSmsBackend):
    timeout = 10

    def __init__(self, url: str | None = None, token: str | None = None) -> None:
        self.url = url or settings.SMS_HTTP_URL
        self.token = token if token is not None else settings.SMS_HTTP_TOKEN
        if not self.url:
            raise SmsBackendError("SMS_HTTP_URL is not set")

    def send(self, message) -> str:
        payload = json.dumps(
            {"mobile": message.mobile, "content": message.body, "client_ref": str(message.pk)}, ensure_ascii=False
        ).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=payload, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:200].decode(errors="replace")
            raise SmsBackendError(f"HTTP {exc.code}: {detail}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsBackendError(f"gateway unreachable: {exc}") from exc
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            data = {}
        if isinstance(data, dict):
            for key in ("id", "message_id", "msgid"):
                if data.get(key):
                    return str(data[key])
        return ""
