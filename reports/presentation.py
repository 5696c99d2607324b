"""A ReportTable as the page shows it: formatted cells, a row limit, the 合计 row."""

from dataclasses import dataclass
from itertools import islice

from crm.reporting import ReportTable, format_cell

PAGE_ROW_LIMIT = 1000


@dataclass
class DisplayTable:
    table: ReportTable
    rows: list[list[tuple[str, str]]]  # (text, kind) per cell
    total: list[tuple[str, str]] | None
    truncated: bool


def display_table(table: ReportTable, *, limit: int = PAGE_ROW_LIMIT) -> DisplayTable:
    kinds = [c.kind for c in table.columns]
    taken = list(islice(iter(table.rows), limit + 1))
    rows = [[(format_cell(v, k), k) for v, k in zip(table.values(row), kinds, strict=False)] for row in taken[:limit]]
    total = table.total_values()
    total_cells = [(format_cell(v, k), k) for v, k in zip(total, kinds, strict=False)] if total is not None else None
    return DisplayTable(table=table, rows=rows, total=total_cells, truncated=len(taken) > limit)
