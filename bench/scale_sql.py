"""Bulk-loading helpers of the scale data set: COPY from Python and INSERT … SELECT over
generate_series, with the model defaults filled in."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

# --- COPY and INSERT … SELECT helpers ------------------------------------------------------------


def _plain(value):
    from psycopg.types.json import Jsonb

    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict | list):
        return Jsonb(value)
    return value


def _fixed_defaults(model, supplied: Iterable[str], anchor: dt.datetime) -> dict[str, object]:
    """Values for every NOT NULL column not supplied: the field default, or the anchor for
    auto_now / auto_now_add. (Django keeps defaults in Python, not in the database.)"""
    supplied = set(supplied)
    fixed = {}
    for field in model._meta.concrete_fields:
        if field.column in supplied or field.primary_key or field.null:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            fixed[field.column] = anchor
        elif field.has_default():
            fixed[field.column] = _plain(field.get_default())
        elif field.get_internal_type() in ("CharField", "TextField", "EmailField"):
            fixed[field.column] = ""
        else:
            raise ValueError(f"{model.__name__}.{field.name}: no value and no default")
    return fixed


def copy_rows(cursor, model, columns: list[str], rows: Iterable[tuple], anchor: dt.datetime) -> int:
    """COPY `rows` (tuples in `columns` order) into the model's table, defaults filled in."""
    fixed = _fixed_defaults(model, columns, anchor)
    names = ", ".join(f'"{c}"' for c in [*columns, *fixed])
    tail = tuple(fixed.values())
    count = 0
    with cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, *tail))
            count += 1
    return count


def insert_select(cursor, model, exprs: dict[str, str], from_sql: str, anchor: dt.datetime) -> int:
    """`INSERT INTO table (cols) SELECT exprs FROM …`, defaults filled in as literals."""
    from psycopg import sql

    fixed = _fixed_defaults(model, exprs, anchor)
    names = ", ".join(f'"{c}"' for c in [*exprs, *fixed])
    literals = [sql.Literal(v).as_string(cursor.connection) for v in fixed.values()]
    select = ", ".join([*exprs.values(), *literals])
    cursor.execute(f"INSERT INTO {model._meta.db_table} ({names}) SELECT {select} {from_sql}")
    return cursor.rowcount


def reset_sequence(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
    )


# --- repair orders, callback tasks, attempts (INSERT … SELECT generate_series) -------------------


def rand(expr: str, salt: int, n: int) -> str:
    """SQL for a pseudo-random integer in [0, n) from an id: a hash, so that the choices of one
    row are independent of each other and of the store (ids and stores are related by `mod`)."""
    return f"mod(abs(hashint8(({expr}) * 64 + {salt})::bigint), {n})"


def sql_literal(cur, value) -> str:
    from psycopg import sql

    return sql.Literal(value).as_string(cur.connection)
