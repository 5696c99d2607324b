from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.choices import PurchaseType, WorkType

from .customers import Customer, Vehicle
from .organisation import RepairTeam, Staff, Store


class Delivery(models.Model):
    """A new-car delivery (交车) imported from the DMS; the source event of a sales callback."""

    store = models.ForeignKey(Store, verbose_name=_("门店"), on_delete=models.PROTECT, related_name="deliveries")
    delivery_no = models.CharField(_("销售协议号"), max_length=40)
    delivered_on = models.DateField(_("交车日期"))
    customer = models.ForeignKey(Customer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="deliveries")
    vehicle = models.ForeignKey(Vehicle, verbose_name=_("车辆"), on_delete=models.PROTECT, related_name="deliveries")
    sales_consultant = models.ForeignKey(
        Staff, verbose_name=_("销售顾问"), on_delete=models.PROTECT, related_name="deliveries"
    )
    purchase_type = models.CharField(_("购买类型"), max_length=20, choices=PurchaseType.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("交车")
        verbose_name_plural = _("交车")
        ordering = ["-delivered_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["store", "delivery_no"], name="delivery_unique_no_per_store")]
        indexes = [models.Index(fields=["store", "delivered_on"], name="delivery_store_date_idx")]

    def __str__(self) -> str:
        return self.delivery_no


class RepairOrder(models.Model):
    """A repair order (工单) imported from the DMS; its 交车时间 is the source event of a service callback."""

    store = models.ForeignKey(Store, verbose_name=_("门店"), on_delete=models.PROTECT, related_name="repair_orders")
    ro_no = models.CharField(_("工单号"), max_length=40)
    opened_at = models.DateTimeField(_("进厂时间"))
    delivered_at = models.DateTimeField(_("交车时间"), null=True, blank=True)
    promised_at = models.DateTimeField(_("预计交车时间"), null=True, blank=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="repair_orders"
    )
    vehicle = models.ForeignKey(Vehicle, verbose_name=_("车辆"), on_delete=models.PROTECT, related_name="repair_orders")
    mileage_km = models.PositiveIntegerField(_("行驶里程"), null=True, blank=True)
    service_advisor = models.ForeignKey(
        Staff, verbose_name=_("服务顾问"), on_delete=models.PROTECT, related_name="repair_orders"
    )
    repair_team = models.ForeignKey(
        RepairTeam,
        verbose_name=_("维修班组"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repair_orders",
    )
    work_type = models.CharField(_("维修类型"), max_length=20, choices=WorkType.choices, blank=True)
    estimate_amount = models.DecimalField(_("预估金额"), max_digits=12, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("结算金额"), max_digits=12, decimal_places=2, null=True, blank=True)
    is_rework = models.BooleanField(_("是否返修"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-opened_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["store", "ro_no"], name="repair_order_unique_no_per_store")]
        indexes = [
            models.Index(fields=["store", "delivered_at"], name="ro_store_delivered_idx"),
            models.Index(fields=["vehicle", "delivered_at"], name="ro_vehicle_delivered_idx"),
            models.Index(fields=["customer", "opened_at"], name="ro_customer_opened_idx"),
        ]

    def __str__(self) -> str:
        return self.ro_no
