"""API clients: one per integration (a DMS, a telephone system, a reporting tool)."""

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.choices import Scope


class ApiClient(models.Model):
    """An integration allowed to call the API (接口客户端): its token's hash, the stores it may
    touch and what it may do (scopes). Revoked, it is refused at once; it is never deleted, so the
    audit log keeps naming it.

    To crm.scoping it is a principal like a user (`is_api_client`, `api_store_ids`): every query
    it makes is scoped to its stores by the same helper the pages use."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    # The token's first characters, so the administrator can tell which token a client holds.
    token_prefix = models.CharField(_("令牌前缀"), max_length=12, editable=False)
    stores = models.ManyToManyField("crm.Store", verbose_name=_("门店"), related_name="+")
    scopes = models.JSONField(_("权限范围"), default=list, help_text=Scope.help_text())
    is_active = models.BooleanField(_("启用"), default=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近调用时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    note = models.TextField(_("备注"), blank=True)

    is_api_client = True  # read by crm.scoping
    is_authenticated = True  # DRF's IsAuthenticated and crm.scoping treat it as signed in
    is_anonymous = False

    class Meta:
        verbose_name = _("接口客户端")
        verbose_name_plural = _("接口客户端")

    def __str__(self) -> str:
        return self.name

    @property
    def usable(self) -> bool:
        return self.is_active and self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def api_store_ids(self) -> frozenset[int]:
        """The stores this client may touch (crm.scoping); read once per request."""
        cached = getattr(self, "_store_ids", None)
        if cached is None:
            cached = frozenset(self.stores.filter(is_active=True).values_list("id", flat=True))
            self._store_ids = cached
        return cached

    def has_perm(self, perm: str) -> bool:
        """A client holds no staff permission (masking: it never sees full numbers by a role)."""
        return False

    def has_role(self, *roles) -> bool:
        return False

    def touch(self, now=None) -> None:
        """Record the call, at most once a minute: a push of 20 batches must not write 20 times."""
        now = now or timezone.now()
        if self.last_used_at is None or now - self.last_used_at > dt.timedelta(minutes=1):
            ApiClient.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
