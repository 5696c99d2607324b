"""Enumerations of the membership club (车友俱乐部, SPEC §10.6) and the rules that go with them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# A card is valid three years from its issue (or its renewal), seed 001's draft.
VALIDITY_YEARS = 3
# Activities earn between 200 and 500 points, chosen per activity (SPEC §10.6).
ACTIVITY_POINTS_MIN = 200
ACTIVITY_POINTS_MAX = 500
# An adopted suggestion (建议被采纳) earns 200 points (SPEC §10.6).
SUGGESTION_POINTS = 200
# Default level thresholds (points earned in the last 12 months) for a store without a settings row.
# Chosen where the spec is silent: a family car's yearly paid service is a few thousand yuan, so a
# silver member is a regular customer and a gold member a heavy one (two years of body work, fleet use).
DEFAULT_SILVER_FROM = 3000
DEFAULT_GOLD_FROM = 10000
LEVEL_WINDOW_DAYS = 365


class CardState(models.TextChoices):
    ACTIVE = "active", _("有效")
    REPLACED = "replaced", _("已补卡")


class Level(models.TextChoices):
    STANDARD = "standard", _("普卡")
    SILVER = "silver", _("银卡")
    GOLD = "gold", _("金卡")


class EntryKind(models.TextChoices):
    REPAIR_ORDER = "repair_order", _("维修消费")
    ACTIVITY = "activity", _("参加活动")
    ADJUSTMENT = "adjustment", _("人工调整")
    SUGGESTION = "suggestion", _("建议采纳")
    REDEMPTION = "redemption", _("积分兑换")
    TRANSFER_OUT = "transfer_out", _("补卡转出")
    TRANSFER_IN = "transfer_in", _("补卡转入")


# The kinds that count as points *earned* for the level (a redemption or a transfer does not).
EARNING_KINDS = (EntryKind.REPAIR_ORDER, EntryKind.ACTIVITY, EntryKind.ADJUSTMENT, EntryKind.SUGGESTION)


def level_for(earned: int, *, silver_from: int, gold_from: int) -> str:
    """The one rule of the levels: at or above a threshold reaches it."""
    if earned >= gold_from:
        return Level.GOLD
    if earned >= silver_from:
        return Level.SILVER
    return Level.STANDARD
