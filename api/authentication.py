"""`Authorization: Bearer <token>`: the token is looked up by its sha256 (what the table holds)."""

import hmac

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api.models import ApiClient
from crm.tokens import token_hash

KEYWORD = b"bearer"


class BearerTokenAuthentication(BaseAuthentication):
    """Authenticates an ApiClient. request.user and request.auth are both the client: it is the
    principal crm.scoping scopes by (its stores), never a staff user."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Authorization 头格式应为：Bearer <令牌>"))
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("令牌无效")) from None
        digest = token_hash(token)
        # The lookup is by the hash of what was sent (nothing to learn from its timing about a
        # stored token); the compare_digest keeps the final comparison constant-time as well.
        client = ApiClient.objects.filter(token_hash=digest).first()
        if client is None or not hmac.compare_digest(client.token_hash, digest):
            raise exceptions.AuthenticationFailed(_("令牌无效"))
        if not client.usable:
            raise exceptions.AuthenticationFailed(_("该接口客户端已停用或吊销"))
        client.touch()
        return client, client

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
