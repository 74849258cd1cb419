"""Single-row reads on the hottest paths, without the ORM's query compilation.

Every signed request reads its access key and user, and most operations read one named entity:
`QuerySet.get()` spends more CPU compiling its SELECT (~0.5-0.8 ms, more with select_related)
than the database spends answering it, and `raw()` resolves its columns on every call. `one()`
sends a SELECT of the model's own columns (`one_with`: and of one related model), its column
list and converters worked out once per model, and builds the instances the way Django's
compiler does (the backend's and the fields' converters, then `Model.from_db`).
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from django.db import connection, models

from . import tenancy
from .tenancy import AccountOwned

M = TypeVar("M", bound=models.Model)


@functools.cache
def _columns(model: type[models.Model], vendor: str) -> tuple[str, list[str], list[tuple]]:
    """(qualified column list, attnames, per column (Col expression, converters))."""
    table = model._meta.db_table
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(table)}.{quote(field.column)}" for field in fields)
    converters = []
    for field in fields:
        col = field.get_col(table)
        converters.append(
            (col, [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]))
    return columns, [field.attname for field in fields], converters


def _build(model: type[M], attnames: list[str], converters: list[tuple], row) -> M:
    values: list[Any] = []
    for value, (col, functions) in zip(row, converters, strict=True):
        for convert in functions:
            value = convert(value, col, connection)
        values.append(value)
    return model.from_db(connection.alias, attnames, values)


def one(model: type[M], where: str, params: list) -> M | None:
    """The row of `model` matching `where`, or None. `where` is SQL over the model's own
    columns, written by us (never from input); every value is one of `params`. An
    account-owned model's row is looked for in the current account only, as `objects` does."""
    columns, attnames, converters = _columns(model, connection.vendor)
    table = connection.ops.quote_name(model._meta.db_table)
    if issubclass(model, AccountOwned):
        where, params = f'"account_id" = %s AND ({where})', [tenancy.current(), *params]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {where}", params)  # noqa: S608
        row = cursor.fetchone()
    return None if row is None else _build(model, attnames, converters, row)


def one_with(model: type[M], relation: str, where: str, params: list) -> M | None:
    """Like `one`, with the object of the foreign key `relation` read in the same query (an
    inner join: None when either is missing), as select_related would."""
    field = model._meta.get_field(relation)
    related = field.related_model
    columns, attnames, converters = _columns(model, connection.vendor)
    rel_columns, rel_attnames, rel_converters = _columns(related, connection.vendor)
    quote = connection.ops.quote_name
    table, rel_table = quote(model._meta.db_table), quote(related._meta.db_table)
    sql = (f"SELECT {columns}, {rel_columns} FROM {table} JOIN {rel_table} "  # noqa: S608
           f"ON {rel_table}.{quote(related._meta.pk.column)} = {table}.{quote(field.column)} "
           f"WHERE {where}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    obj = _build(model, attnames, converters, row[:len(attnames)])
    setattr(obj, relation, _build(related, rel_attnames, rel_converters, row[len(attnames):]))
    return obj
