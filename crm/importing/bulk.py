"""Set-based reads and writes for the DMS import and callback generation: one statement per table
and batch, fed with column arrays.

Django's bulk_create and bulk_update build a model instance per row and prepare every value of it
in Python (bulk_update also writes a CASE WHEN per row and field, whose cost grows with the square
of the batch). For an import of 100,000 repair orders those steps alone took longer than the
whole target. Here rows are plain tuples, and on PostgreSQL each call is one statement over
`unnest()` of one array per column, the same shape `COPY … ; INSERT … SELECT` would have without
the temporary table:

    INSERT INTO t (a, b, …) SELECT * FROM unnest(%s::int[], %s::text[], …) ON CONFLICT DO NOTHING RETURNING …
    UPDATE t SET a = v.a, … FROM unnest(%s::bigint[], %s::int[], …) AS v(id, a, …) WHERE t.id = v.id
    SELECT … FROM t JOIN unnest(%s::text[], …) AS k(a, …) ON t.a = k.a AND …

Other databases (SQLite, for the demo that needs no server) go through the ORM; the callers see
the same results.
"""

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models import Model
from django.db.models.expressions import RawSQL
from django.utils import timezone


def _pg() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def _array_cursor() -> Iterator[Any]:
    """A cursor that sends its parameters apart from the statement (server-side binding): Django's
    default client-side binding quotes each array element into the SQL text, slower than the
    statement itself for 1,000-row batches. Wrapped like Django's own cursors, so that query
    logging and query-count assertions see these statements too."""

    connection.ensure_connection()
    raw = ServerBindingCursor(connection.connection)
    wrapped = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with wrapped as cursor:
        yield cursor


def _field(model: type[Model], column: str):
    return next(f for f in model._meta.concrete_fields if f.column == column or f.attname == column)


def _array_type(model: type[Model], column: str) -> str:
    field = _field(model, column)
    # text, not varchar(n): an explicit cast would silently cut a value that is too long, where
    # the column's own type refuses it (as the ORM does).
    return "text[]" if field.get_internal_type() == "CharField" else f"{field.cast_db_type(connection)}[]"


def _unnest(model: type[Model], columns: Sequence[str]) -> str:
    return "unnest(" + ", ".join(f"%s::{_array_type(model, c)}" for c in columns) + ")"


def _arrays(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


def ids_in(ids: Iterable[int]) -> Any:
    """The right-hand side of an `id__in` filter for many ids: one array parameter on PostgreSQL
    (`IN (SELECT unnest(%s))`) rather than one placeholder per id, which for the 100,000 ids of
    an import costs more to send and plan than the query does to run."""
    ids = list(ids)
    if _pg() and len(ids) > 1000:
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return ids


def fetch_by_keys(
    model: type[Model], key_columns: Sequence[str], keys: Iterable[tuple], columns: Sequence[str]
) -> dict[tuple, tuple]:
    """The rows of `model` whose `key_columns` equal one of `keys`: key -> values of `columns`."""
    keys = set(keys)
    if not keys:
        return {}
    width = len(key_columns)
    if _pg():
        table = model._meta.db_table
        names = ", ".join(f"k{i}" for i in range(width))
        join = " AND ".join(f't."{c}" = k.k{i}' for i, c in enumerate(key_columns))
        select = ", ".join(f't."{c}"' for c in (*key_columns, *columns))
        sql = f"SELECT {select} FROM {table} t JOIN {_unnest(model, key_columns)} AS k({names}) ON {join}"
        with _array_cursor() as cursor:
            cursor.execute(sql, _arrays(list(keys), width))
            found = cursor.fetchall()
    else:
        filters = {f"{_field(model, c).attname}__in": {k[i] for k in keys} for i, c in enumerate(key_columns)}
        attnames = [_field(model, c).attname for c in (*key_columns, *columns)]
        found = model.objects.filter(**filters).values_list(*attnames)
    return {tuple(row[:width]): tuple(row[width:]) for row in found if tuple(row[:width]) in keys}


def fetch_where_in(model: type[Model], column: str, values: Iterable[Any], columns: Sequence[str], **equal) -> list:
    """The `columns` of the rows whose `column` is one of `values` (and whose fields equal `equal`)."""
    values = list(set(values))
    if not values:
        return []
    if _pg():
        conditions = [f'"{column}" = ANY(%s::{_array_type(model, column)})']
        params: list[Any] = [values]
        for name, value in equal.items():
            conditions.append(f'"{_field(model, name).column}" IS NULL' if value is None else f'"{name}" = %s')
            params += [] if value is None else [value]
        select = ", ".join(f'"{c}"' for c in columns)
        with _array_cursor() as cursor:
            cursor.execute(f"SELECT {select} FROM {model._meta.db_table} WHERE {' AND '.join(conditions)}", params)
            return cursor.fetchall()
    filters = {f"{_field(model, column).attname}__in": values}
    filters |= {(f"{k}__isnull" if v is None else k): (True if v is None else v) for k, v in equal.items()}
    return list(model.objects.filter(**filters).values_list(*[_field(model, c).attname for c in columns]))


def insert_rows(
    model: type[Model], rows: Sequence[dict[str, Any]], *, returning: Sequence[str] = ("id",), skip_conflicts=False
) -> list[tuple]:
    """Insert `rows` (column -> value, the same columns in every row; every other field gets its
    model default, `auto_now` fields the current time). Returns the `returning` columns of the
    rows inserted; with `skip_conflicts`, a row that hits a unique constraint is left out (the
    caller reads it back by its key)."""
    if not rows:
        return []
    now = timezone.now()
    given = rows[0].keys()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.column in given]
    arrays: list[list[Any]] = []
    for f in fields:
        key = f.column if f.column in given else f.attname
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            arrays.append([now] * len(rows))
        elif key in given:
            arrays.append([row[key] for row in rows])
        else:
            arrays.append([f.get_db_prep_save(f.get_default(), connection)] * len(rows))
    columns = [f.column for f in fields]
    if _pg():
        table = model._meta.db_table
        conflict = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
        back = ", ".join(f'"{c}"' for c in returning)
        column_list = ", ".join(f'"{c}"' for c in columns)
        sql = f"INSERT INTO {table} ({column_list}) SELECT * FROM {_unnest(model, columns)}{conflict} RETURNING {back}"
        with _array_cursor() as cursor:
            cursor.execute(sql, arrays)
            return cursor.fetchall()
    objs = [model(**{f.attname: v for f, v in zip(fields, row, strict=True)}) for row in zip(*arrays, strict=True)]
    if skip_conflicts:
        # bulk_create(ignore_conflicts=True) sets no primary keys, so it cannot say which rows went in:
        # row by row, each in a savepoint (SQLite, the demo's database; PostgreSQL is the one above).
        inserted = []
        for obj in objs:
            try:
                with transaction.atomic():
                    model.objects.bulk_create([obj])
            except IntegrityError:
                continue
            inserted.append(obj)
        objs = inserted
    else:
        model.objects.bulk_create(objs)
    attnames = [_field(model, c).attname for c in returning]
    return [tuple(getattr(o, a) for a in attnames) for o in objs]


def update_rows(model: type[Model], columns: Sequence[str], rows: Sequence[tuple]) -> int:
    """Set `columns` of each row: `rows` are (primary key, *values). Returns the rows updated."""
    if not rows:
        return 0
    table = model._meta.db_table
    if _pg():
        pk = model._meta.pk.column
        names = ", ".join(f"v{i}" for i in range(len(columns)))
        assign = ", ".join(f'"{c}" = v.v{i}' for i, c in enumerate(columns))
        source = f"{_unnest(model, [pk, *columns])} AS v(id, {names})"
        sql = f"UPDATE {table} t SET {assign} FROM {source} WHERE t.{pk} = v.id"
        with _array_cursor() as cursor:
            cursor.execute(sql, _arrays(rows, len(columns) + 1))
            return cursor.rowcount
    assign = ", ".join(f'"{c}" = %s' for c in columns)
    fields = [_field(model, c) for c in columns]
    prepared = [
        [*(f.get_db_prep_save(v, connection) for f, v in zip(fields, row[1:], strict=True)), row[0]] for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f'UPDATE {table} SET {assign} WHERE "{model._meta.pk.column}" = %s', prepared)
    return len(rows)
