from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.choices import (
    CardType,
    ContactMethod,
    Gender,
    IncomeBand,
    InfoSource,
    MaritalStatus,
    Occupation,
)
from crm.validators import validate_id_number, validate_landline, validate_mobile, validate_plate, validate_vin

from .organisation import Store


class Customer(models.Model):
    """A customer file (客户档案): the A card (sales) or C card (after-sales) of seed 001 tables 9–10.

    `card_type` is derived from history (C once the customer has a repair order here) and stored so
    that lists can filter on it over 300,000 customers; `crm.services.customer_refresh_cards` keeps it.
    """

    store = models.ForeignKey(Store, verbose_name=_("门店"), on_delete=models.PROTECT, related_name="customers")
    name = models.CharField(_("客户姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birthday = models.DateField(_("生日"), null=True, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, validators=[validate_id_number])
    # Contact
    mobile = models.CharField(_("手机"), max_length=11, validators=[validate_mobile])
    mobile_invalid = models.BooleanField(_("手机号无效"), default=False, help_text=_("回访发现空号或号码错误时标记"))
    landline = models.CharField(_("固定电话"), max_length=20, blank=True, validators=[validate_landline])
    email = models.EmailField(_("电子邮箱"), blank=True)
    im_account = models.CharField(_("QQ/微信"), max_length=50, blank=True)
    province = models.CharField(_("省份"), max_length=20, blank=True)
    city = models.CharField(_("城市"), max_length=20, blank=True)
    district = models.CharField(_("区县"), max_length=30, blank=True)
    address = models.CharField(_("家庭住址"), max_length=200, blank=True)
    mailing_address = models.CharField(_("邮寄地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮编"), max_length=6, blank=True)
    preferred_contact = models.CharField(_("希望联系方式"), max_length=10, choices=ContactMethod.choices, blank=True)
    preferred_time = models.CharField(_("方便联系时段"), max_length=50, blank=True)
    may_call = models.BooleanField(_("同意电话回访"), default=True)
    may_sms = models.BooleanField(_("同意接收短信"), default=True)
    # Personal (table 9 个人信息)
    industry = models.CharField(_("行业"), max_length=50, blank=True)
    occupation = models.CharField(_("职业"), max_length=20, choices=Occupation.choices, blank=True)
    position = models.CharField(_("职务"), max_length=50, blank=True)
    income_band = models.CharField(_("收入(月)"), max_length=20, choices=IncomeBand.choices, blank=True)
    hobbies = models.CharField(_("兴趣爱好"), max_length=200, blank=True)
    personality = models.CharField(_("性格特点"), max_length=100, blank=True)
    clubs = models.CharField(_("参加社团"), max_length=100, blank=True)
    marital_status = models.CharField(_("婚否"), max_length=10, choices=MaritalStatus.choices, blank=True)
    wedding_anniversary = models.DateField(_("结婚纪念日"), null=True, blank=True)
    education = models.CharField(_("学历"), max_length=20, blank=True)
    school = models.CharField(_("毕业院校"), max_length=50, blank=True)
    license_class = models.CharField(_("驾证类别"), max_length=10, blank=True)
    license_review_date = models.DateField(_("驾证年审日期"), null=True, blank=True)
    driving_years = models.PositiveSmallIntegerField(_("驾龄"), null=True, blank=True)
    # Relationship (table 10)
    info_source = models.CharField(_("信息来源"), max_length=20, choices=InfoSource.choices, blank=True)
    is_referral = models.BooleanField(_("是否转介绍"), default=False)
    is_member = models.BooleanField(_("是否会员"), default=False)
    member_level = models.CharField(_("会员级别"), max_length=20, blank=True)
    is_vip = models.BooleanField(_("是否VIP"), default=False)
    notes = models.TextField(_("备注"), blank=True)
    # Derived from history (see class docstring)
    card_type = models.CharField(_("卡类型"), max_length=1, choices=CardType.choices, default=CardType.A)
    first_service_at = models.DateTimeField(_("首次来店维修时间"), null=True, blank=True)
    last_visit_at = models.DateTimeField(_("最近来店时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        ordering = ["-id"]
        permissions = [("view_full_phone", "Can see full phone and id numbers (unmasked)")]
        # The DMS has no customer key: a customer is matched by mobile + name within a store.
        constraints = [
            models.UniqueConstraint(fields=["store", "mobile", "name"], name="customer_unique_mobile_name_per_store")
        ]
        indexes = [
            models.Index(fields=["mobile"], name="customer_mobile_idx"),
            models.Index(fields=["store", "card_type"], name="customer_store_card_idx"),
            models.Index(fields=["store", "last_visit_at"], name="customer_store_last_visit_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def salutation(self) -> str:
        """Surname + 先生/女士, as the call scripts address the customer."""
        title = {Gender.MALE: "先生", Gender.FEMALE: "女士"}.get(self.gender, "先生/女士")
        return f"{self.name[:1]}{title}" if self.name else title


class Vehicle(models.Model):
    """A vehicle (车辆), keyed by VIN; one owner at a time, with ownership history."""

    store = models.ForeignKey(Store, verbose_name=_("门店"), on_delete=models.PROTECT, related_name="vehicles")
    vin = models.CharField(_("车架号"), max_length=17, unique=True, validators=[validate_vin])
    plate = models.CharField(_("车牌号"), max_length=10, blank=True, validators=[validate_plate])
    series = models.CharField(_("车系"), max_length=30, blank=True)
    model = models.CharField(_("车型"), max_length=60, blank=True)
    options = models.CharField(_("选装"), max_length=100, blank=True)
    exterior_colour = models.CharField(_("外观颜色"), max_length=20, blank=True)
    interior_colour = models.CharField(_("内饰颜色"), max_length=20, blank=True)
    sfx = models.CharField("SFX", max_length=20, blank=True)
    certificate_no = models.CharField(_("合格证号"), max_length=30, blank=True)
    invoice_no = models.CharField(_("发票号"), max_length=30, blank=True)
    purchase_date = models.DateField(_("购车日期"), null=True, blank=True)
    purchased_here = models.BooleanField(_("是否在我店购买"), default=False)
    mileage_km = models.PositiveIntegerField(_("行驶里程"), null=True, blank=True)
    warranty_end = models.DateField(_("保修截止日期"), null=True, blank=True)
    warranty_km = models.PositiveIntegerField(_("保修里程"), default=60000)
    insurance_at_store = models.BooleanField(_("是否我店投保"), default=False)
    insurance_policy_no = models.CharField(_("保单号"), max_length=40, blank=True)
    insurance_date = models.DateField(_("投保日"), null=True, blank=True)
    annual_inspection_date = models.DateField(_("年审日期"), null=True, blank=True)
    next_maintenance_date = models.DateField(_("下次保养时间"), null=True, blank=True)
    next_maintenance_km = models.PositiveIntegerField(_("下次保养里程"), null=True, blank=True)
    owner = models.ForeignKey(
        Customer, verbose_name=_("车主"), null=True, blank=True, on_delete=models.SET_NULL, related_name="vehicles"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("车辆")
        verbose_name_plural = _("车辆")
        indexes = [models.Index(fields=["plate"], name="vehicle_plate_idx")]

    def __str__(self) -> str:
        return f"{self.plate or self.vin} {self.model}".strip()


class VehicleOwnership(models.Model):
    """One period of ownership of a vehicle (过户记录); `ended_on` is empty for the current owner."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="ownerships")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="ownerships")
    started_on = models.DateField(_("起始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("车辆归属")
        verbose_name_plural = _("车辆归属")
        ordering = ["vehicle", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle"], condition=models.Q(ended_on__isnull=True), name="vehicle_one_current_owner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vehicle_id} → {self.customer_id} ({self.started_on}–{self.ended_on or ''})"
