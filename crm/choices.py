"""Enumerations of the customer-file domain. A rule lives once: pages, imports and tests use these."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The seven roles of SPEC §1; each is a Django group of the same name."""

    CALLBACK_AGENT = "callback_agent", _("回访专员")
    RECEPTION = "reception", _("客户接待专员")
    CR_MANAGER = "cr_manager", _("客关部经理")
    DEPARTMENT_MANAGER = "department_manager", _("部门经理")
    CONSULTANT = "consultant", _("销售顾问/服务顾问")
    GENERAL_MANAGER = "general_manager", _("总经理")
    ADMINISTRATOR = "administrator", _("系统管理员")


class DepartmentKind(models.TextChoices):
    SALES = "sales", _("销售部")
    SERVICE = "service", _("服务部")
    PARTS = "parts", _("配件部")
    FINANCE = "finance", _("财务部")
    CUSTOMER_RELATIONS = "cr", _("客关部")
    GM_OFFICE = "gm_office", _("总经理室")


class StaffRole(models.TextChoices):
    SALES_CONSULTANT = "sc", _("销售顾问")
    SERVICE_ADVISOR = "sa", _("服务顾问")
    TECHNICIAN = "technician", _("维修技师")
    OTHER = "other", _("其他")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class CardType(models.TextChoices):
    """A card: bought here, no service visit yet. C card: at least one repair order here."""

    A = "A", _("A卡")
    C = "C", _("C卡")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信")
    EMAIL = "email", _("电子邮件")
    MAIL = "mail", _("信函")


class IncomeBand(models.TextChoices):
    """Monthly income bands of table 11 (seed 001)."""

    BELOW_2000 = "lt2000", _("1999以下")
    FROM_2000 = "2000_3999", _("2000~3999")
    FROM_4000 = "4000_5999", _("4000~5999")
    FROM_6000 = "ge6000", _("6000以上")


class Occupation(models.TextChoices):
    """Occupation groups of table 11 (seed 001)."""

    GOVERNMENT = "government", _("政府/事业单位")
    WHITE_COLLAR = "white_collar", _("白领/职员")
    SELF_EMPLOYED = "self_employed", _("个体")
    BUSINESS_OWNER = "owner", _("私营业主/老板")
    OTHER = "other", _("其他")


class InfoSource(models.TextChoices):
    """How the customer heard of the store (信息来源, table 11)."""

    MEDIA = "media", _("媒体")
    FRIENDS = "friends", _("亲友介绍")
    PRINT = "print", _("平面广告")
    OUTDOOR = "outdoor", _("户外广告")
    SHOWROOM = "showroom", _("展厅")
    INTERNET = "internet", _("网络")
    OTHER = "other", _("其他")


class PurchaseType(models.TextChoices):
    FIRST = "first", _("首购")
    ADDITIONAL = "additional", _("增购")
    REPLACEMENT = "replacement", _("换购")


class WorkType(models.TextChoices):
    FIRST_MAINTENANCE = "first_maintenance", _("首保")
    PERIODIC_MAINTENANCE = "maintenance", _("定期保养")
    GENERAL_REPAIR = "repair", _("一般维修")
    BODY_PAINT = "body_paint", _("钣喷")
    WARRANTY = "warranty", _("索赔")
    OTHER = "other", _("其他")


class MaritalStatus(models.TextChoices):
    SINGLE = "single", _("未婚")
    MARRIED = "married", _("已婚")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ImportOutcome(models.TextChoices):
    """How an import job's result is shown: a finished run whose every row failed is a failure."""

    PENDING = "pending", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    DONE_WITH_ERRORS = "partial", _("已完成（有错误行）")
    FAILED = "failed", _("失败")


def import_counts(summary: dict) -> tuple[int, int]:
    """(rows imported — created, updated or unchanged —, rows in error) of an import's per-sheet summary."""
    imported = sum(sheet.get(key, 0) for sheet in summary.values() for key in ("created", "updated", "unchanged"))
    return imported, sum(sheet.get("errors", 0) for sheet in summary.values())


def import_outcome(*, status: str, summary: dict) -> ImportOutcome:
    """The one rule for an import's result, shown on the upload list and the job page.

    The job's status says whether the run finished; a finished run that imported no row but reported
    errors failed as surely as an unreadable file, and one with both imported and failed rows is done
    with errors.
    """
    if status != ImportStatus.DONE:
        return ImportOutcome(status)
    imported, errors = import_counts(summary)
    if errors and not imported:
        return ImportOutcome.FAILED
    return ImportOutcome.DONE_WITH_ERRORS if errors else ImportOutcome.DONE
