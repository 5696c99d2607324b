"""Glue between the case page's action forms and the workflow services: for each action, its form
and how its cleaned data calls the service. The rules themselves stay in `complaints.services`."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from complaints import forms as f
from complaints import services as s
from complaints.choices import Action
from complaints.models import Case
from crm.models import User


@dataclass(frozen=True)
class CaseAction:
    form: type[forms.Form]
    run: Callable[[Case, User, dict[str, Any]], Case]
    takes_case: bool = False  # the form needs the case (store-bound choices)

    def make_form(self, case: Case, data=None) -> forms.Form:
        kwargs = {"case": case} if self.takes_case else {}
        return self.form(data, prefix=None, **kwargs)


ACTIONS: dict[str, CaseAction] = {
    Action.DISPATCH: CaseAction(f.DispatchForm, lambda c, u, d: s.case_dispatch(case=c, user=u, **d), takes_case=True),
    Action.FIRST_CONTACT: CaseAction(f.MemoForm, lambda c, u, d: s.case_first_contact(case=c, user=u, **d)),
    Action.FEEDBACK: CaseAction(f.FeedbackForm, lambda c, u, d: s.case_feedback(case=c, user=u, **d)),
    Action.RESOLVE: CaseAction(f.MemoForm, lambda c, u, d: s.case_resolve(case=c, user=u, **d)),
    Action.RECALLBACK: CaseAction(f.RecallbackForm, lambda c, u, d: s.case_recallback(case=c, user=u, **d)),
    Action.CLOSE: CaseAction(f.CloseForm, lambda c, u, d: s.case_close(case=c, user=u, **d)),
    Action.UNFOUNDED: CaseAction(f.RequiredMemoForm, lambda c, u, d: s.case_mark_unfounded(case=c, user=u, **d)),
    Action.REOPEN: CaseAction(f.RequiredMemoForm, lambda c, u, d: s.case_reopen(case=c, user=u, **d)),
    Action.ESCALATE: CaseAction(f.EscalateForm, lambda c, u, d: s.case_escalate(case=c, user=u, **d)),
    Action.SET_STAFF: CaseAction(
        f.ComplainedStaffForm,
        lambda c, u, d: s.case_set_complained_staff(case=c, user=u, **d),
        takes_case=True,
    ),
    Action.TRANSFER: CaseAction(
        f.TransferForm,
        lambda c, u, d: s.case_transfer(case=c, user=u, store=c.store, **d),
        takes_case=True,
    ),
}


def action_forms(*, case: Case, user: User, bound: tuple[str, forms.Form] | None = None) -> dict[str, forms.Form]:
    """The forms of the actions this user may run on this case now, each labelled; `bound` replaces
    one of them with the submitted (invalid) form."""
    result = {}
    for name in s.allowed_actions(case=case, user=user):
        form = bound[1] if bound and bound[0] == name else ACTIONS[name].make_form(case)
        form.action_label = Action(name).label
        result[name] = form
    return result
