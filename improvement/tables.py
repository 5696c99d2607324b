"""Tables 14 (客户档案检核表) and 15 (EQC改善措施跟踪表) as report tables (SPEC §10.4, §10.5, §11):
`export_report file_audits --month M` and `export_report eqc_actions --month M`, and their pages in
the report index, registered from ImprovementConfig.ready().

- file_audits: the audits of the weeks whose Monday falls in M (see improvement.audits). SPEC fixes
  the headers (no 门店 column): an export of several stores groups the audits by store, each group
  under a line naming its store (in the 序号 column) and numbered from 1.
- eqc_actions: the actions decided in M (M0 = M), with their results as of today. Results are
  numbers (SPEC §9) in their own number format (`crm.reporting.Figure`): a score question's mean as
  8.53 in `0.00"分"`, a yes/no or choice question's share of non-negative answers as 0.853 in `0.0%`
  — one column holds both kinds, and a reader must see which one a figure is. The month in progress
  keeps its mark in the format ("8.53分 进行中"), the header row staying SPEC's: the cell is still a
  number a formula can read.
"""

import datetime as dt
from itertools import groupby

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crm.reporting import Figure, ReportColumn, ReportTable
from improvement import selectors
from improvement.choices import AuditStatus, EqcVerdict, FileKind
from improvement.eqc import EqcResult, eqc_evaluate
from reports.periods import month_label, store_label

FILE_AUDIT_COLUMNS = [
    ReportColumn("no", gettext_noop("序号"), "int", 6),
    ReportColumn("kind", gettext_noop("档案类别"), "text", 8),
    ReportColumn("file_no", gettext_noop("销售协议号/维修工单号"), "text", 20),
    ReportColumn("status", gettext_noop("检核状态"), "text", 8),
    ReportColumn("description", gettext_noop("异常状态描述"), "text", 30),
    ReportColumn("measure", gettext_noop("改进建议和措施"), "text", 30),
    ReportColumn("responsible", gettext_noop("问题责任人"), "text", 10),
]

EQC_COLUMNS = [
    ReportColumn("no", gettext_noop("序号"), "int", 6),
    ReportColumn("item", gettext_noop("弱项名称"), "text", 30),
    ReportColumn("cause", gettext_noop("原因分析"), "text", 30),
    ReportColumn("measure", gettext_noop("整改措施"), "text", 30),
    ReportColumn("owner", gettext_noop("责任人"), "text", 10),
    ReportColumn("due_on", gettext_noop("完成时间"), "date", 11),
    ReportColumn("r0", gettext_noop("当月结果"), "figure", 12),
    ReportColumn("r1", gettext_noop("+1月结果"), "figure", 12),
    ReportColumn("r2", gettext_noop("+2月结果"), "figure", 12),
    ReportColumn("r3", gettext_noop("+3月结果"), "figure", 12),
    ReportColumn("verdict", gettext_noop("检核结果"), "text", 8),
    ReportColumn("sign_off", gettext_noop("总经理检核"), "text", 20),
]


def build_file_audits(*, store_ids: list[int] | None, month: dt.date) -> ReportTable:
    kinds, statuses = dict(FileKind.choices), dict(AuditStatus.choices)
    audits = list(selectors.month_audits(store_ids=store_ids, month=month))  # by store, week, position
    several = len({a.store_id for a in audits}) > 1
    rows: list[dict] = []
    for _store_id, group in groupby(audits, key=lambda a: a.store_id):
        group = list(group)
        if several:
            # SPEC's headers stay: each store's audits under a line naming it, numbered from 1.
            rows.append({"no": group[0].store.name})
        rows.extend(
            {
                "no": index,
                "kind": str(kinds[audit.kind]),
                "file_no": audit.file_no,
                "status": str(statuses.get(audit.status, "")),
                "description": audit.abnormal_description,
                "measure": audit.improvement_measure,
                "responsible": audit.responsible.name if audit.responsible_id else "",
            }
            for index, audit in enumerate(group, start=1)
        )
    abnormal = sum(1 for a in audits if a.status == AuditStatus.ABNORMAL)
    unchecked = sum(1 for a in audits if not a.status)
    return ReportTable(
        name="file_audits",
        title=gettext_noop("客户档案检核表（表14）"),
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=FILE_AUDIT_COLUMNS,
        rows=rows,
        total_row={
            "kind": _("共 %(count)s 份") % {"count": len(audits)},
            "status": _("异常 %(count)s") % {"count": abnormal},
            "description": _("未检核 %(count)s 份") % {"count": unchecked},
        },
        notes=[_("检核周按其星期一所在月份归入月份。")],
    )


# Excel number formats: the number's part and the literal text after it (one quoted run).
SCORE_FORMAT = ("0.00", "分")
SHARE_FORMAT = ("0.0%", "")
IN_PROGRESS_MARK = gettext_noop("进行中")


def result_text(result: EqcResult, *, is_score: bool) -> str:
    """ "8.53分" or "85.3%"; empty for a month not begun or without answers."""
    if result.value is None:
        return ""
    if is_score:
        return _("%(mean)s分") % {"mean": f"{result.value:.2f}"}
    return f"{result.value * 100:.1f}%"


def result_figure(result: EqcResult, *, is_score: bool) -> Figure | None:
    """A result as the export's number: the mean or the share in its format, the month in progress
    marked in the format (and on the page's text) — None for a month not begun or without answers."""
    if result.value is None:
        return None
    (number, suffix), text = SCORE_FORMAT if is_score else SHARE_FORMAT, result_text(result, is_score=is_score)
    if result.in_progress:
        mark = _(IN_PROGRESS_MARK)
        suffix, text = f"{suffix} {mark}", f"{text} {mark}"
    number_format = f'{number}"{suffix}"' if suffix else number
    return Figure(value=result.value, number_format=number_format, text=text)


def sign_off_text(action) -> str:
    if not action.signed_off_at:
        return ""
    who = action.signed_off_by.get_full_name() or action.signed_off_by.username if action.signed_off_by else ""
    when = timezone.localtime(action.signed_off_at).date().isoformat()
    return " ".join(part for part in (who, when, action.sign_off_note) if part)


def build_eqc_actions(*, store_ids: list[int] | None, month: dt.date) -> ReportTable:
    actions = list(selectors.month_actions(store_ids=store_ids, month=month))
    evaluations = eqc_evaluate(actions)
    verdicts = dict(EqcVerdict.choices)
    rows = []
    for index, action in enumerate(actions, start=1):
        evaluation = evaluations[action.pk]
        row = {
            "no": index,
            "item": f"{action.question_code} {action.question_text}",
            "cause": action.cause_analysis,
            "measure": action.measure,
            "owner": action.owner,
            "due_on": action.due_on,
            "verdict": str(verdicts[evaluation.verdict]) if evaluation.verdict else "",
            "sign_off": sign_off_text(action),
        }
        for offset, result in enumerate(evaluation.results):
            row[f"r{offset}"] = result_figure(result, is_score=evaluation.is_score)
        rows.append(row)
    return ReportTable(
        name="eqc_actions",
        title=gettext_noop("EQC改善措施跟踪表（表15）"),
        store_label=store_label(store_ids),
        period_label=month_label(month),
        columns=EQC_COLUMNS,
        rows=rows,
        total_row={"item": _("共 %(count)s 项") % {"count": len(actions)}},
        notes=[
            _("结果为三个月累计：评分题为平均分，是否题和选择题为非负面回答占比；标“进行中”的为当月尚未结束的结果。")
        ],
    )
