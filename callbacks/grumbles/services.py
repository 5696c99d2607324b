"""Writes of grumbles (table 5): recording the handling, then the re-call after it."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.grumbles.rules import grumble_is_done
from callbacks.models import Grumble, HotAlert
from crm.models import Department, Staff, User
from crm.scoping import user_can_see_store

HANDLING_FIELDS = ("category", "content", "handling", "responsible_staff", "department", "handled_on", "result_summary")


def _locked_grumble(alert: HotAlert) -> Grumble:
    """The alert's table-5 row, made on first use, locked: two CR staff saving at once write one
    after the other (the unique one-to-one key stops a second row)."""
    Grumble.objects.get_or_create(alert=alert)
    return Grumble.objects.select_for_update().get(alert=alert)


def grumble_save(
    *,
    alert: HotAlert,
    user: User,
    category: str = "",
    content: str = "",
    handling: str = "",
    responsible_staff: Staff | None = None,
    department: Department | None = None,
    handled_on: dt.date | None = None,
    result_summary: str = "",
) -> Grumble:
    """Record how a grumble was handled (处理过程, 处理责任人, 处理完毕日期, 处理结果总结).

    Done (a handled date) needs the handling and its summary; the responsible person and the
    department are of the alert's store; the department defaults to the person's."""
    store_id = alert.task.store_id
    if not user_can_see_store(user, store_id):
        raise ValidationError(_("您无权处理该门店的抱怨。"))
    errors = {}
    if responsible_staff is not None and responsible_staff.store_id != store_id:
        errors["responsible_staff"] = _("处理责任人不属于该门店。")
    if department is not None and department.store_id != store_id:
        errors["department"] = _("责任部门不属于该门店。")
    if handled_on is not None:
        if not handling.strip():
            errors["handling"] = _("填写处理完毕日期前，请先填写处理过程。")
        if not result_summary.strip():
            errors["result_summary"] = _("填写处理完毕日期前，请先填写处理结果总结。")
        if handled_on < timezone.localtime(alert.raised_at).date():
            errors["handled_on"] = _("处理完毕日期不能早于预警日期。")
    if errors:
        raise ValidationError(errors)
    if department is None and responsible_staff is not None:
        department = responsible_staff.department
    with transaction.atomic():
        grumble = _locked_grumble(alert)
        grumble.category = category
        grumble.content = content.strip()
        grumble.handling = handling.strip()
        grumble.responsible_staff = responsible_staff
        grumble.department = department
        grumble.handled_on = handled_on
        grumble.result_summary = result_summary.strip()
        grumble.updated_by = user
        grumble.save()
    return grumble


def grumble_recall(*, alert: HotAlert, user: User, note: str, at: dt.datetime | None = None) -> Grumble:
    """Record the re-call after handling (再次回访记录): only once the grumble is handled."""
    if not user_can_see_store(user, alert.task.store_id):
        raise ValidationError(_("您无权处理该门店的抱怨。"))
    if not note.strip():
        raise ValidationError({"recall_note": _("请填写再次回访记录。")})
    with transaction.atomic():
        grumble = _locked_grumble(alert)
        if not grumble_is_done(grumble):
            raise ValidationError(_("抱怨处理完毕后才能登记再次回访。"))
        grumble.recall_note = note.strip()
        grumble.recall_at = at or timezone.now()
        grumble.recall_by = user
        grumble.updated_by = user
        grumble.save()
    return grumble
