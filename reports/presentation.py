"""A ReportTable as the page shows it: formatted cells, a row limit, the 合计 row, and headers,
title and notes in the user's language.

Headers and titles are Chinese msgids (marked with gettext_noop where they are defined) so that
exports keep SPEC §9's Chinese headers (crm.reporting.export_language); the page translates them
here. Row labels, months and store labels are already built in the active language."""

from dataclasses import dataclass
from itertools import islice

from django.utils.translation import gettext as _

from crm.reporting import TOTAL_LABEL, ReportTable, format_cell

PAGE_ROW_LIMIT = 1000


@dataclass
class DisplayTable:
    table: ReportTable
    heading: str
    headers: list[str]
    rows: list[list[tuple[str, str]]]  # (text, kind) per cell
    total: list[tuple[str, str]] | None
    notes: list[str]
    truncated: bool


def display_table(table: ReportTable, *, limit: int = PAGE_ROW_LIMIT) -> DisplayTable:
    kinds = [c.kind for c in table.columns]
    taken = list(islice(iter(table.rows), limit + 1))
    rows = [[(format_cell(v, k), k) for v, k in zip(table.values(row), kinds, strict=False)] for row in taken[:limit]]
    total = table.total_values()
    if total and total[0] == TOTAL_LABEL:  # the writer's default label
        total[0] = _(TOTAL_LABEL)
    total_cells = [(format_cell(v, k), k) for v, k in zip(total, kinds, strict=False)] if total is not None else None
    heading = _("%(title)s（%(store)s，%(period)s）") % {
        "title": _(table.title),
        "store": table.store_label,
        "period": table.period_label,
    }
    return DisplayTable(
        table=table,
        heading=heading,
        headers=[_(c.header) for c in table.columns],
        rows=rows,
        total=total_cells,
        notes=[_(note) for note in table.notes],
        truncated=len(taken) > limit,
    )
