from django import template

from crm.scoping import user_store_ids
from improvement.eqc import EqcResult
from improvement.selectors import overdue_actions
from improvement.tables import result_text

register = template.Library()

OVERDUE_SHOWN = 5


@register.simple_tag
def eqc_result(result: EqcResult, is_score: bool) -> str:
    return result_text(result, is_score=is_score) or "—"


@register.inclusion_tag("improvement/_overdue_actions.html", takes_context=True)
def overdue_eqc_actions(context) -> dict:
    """The overdue EQC actions of the user's stores, for the CR manager's and the GM's landing pages
    (two queries; nothing for a user who may not read actions)."""
    user = context["request"].user
    if not user.has_perm("improvement.view_eqcaction"):
        return {"overdue": []}
    qs = overdue_actions(user=user)
    shown = list(qs.select_related("store")[:OVERDUE_SHOWN])
    store_ids = user_store_ids(user)
    return {
        "overdue": shown,
        "count": qs.count() if len(shown) == OVERDUE_SHOWN else len(shown),
        "show_store": store_ids is None or len(store_ids) > 1,
    }
