"""Single-row reads on the hottest paths, without the ORM's query compilation.

Every signed request reads its access key and user, and most operations read one named entity:
`QuerySet.get()` spends more CPU compiling its SELECT (~0.5-0.8 ms, more with select_related)
than the database spends answering it, and `raw()` resolves its columns on every call. `one()`
sends a SELECT of the model's own columns, prepared once per model, and builds the instance the
way Django's compiler does (the backend's and the fields' converters, then `Model.from_db`).
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


@functools.cache
def _shape(model: type[models.Model], vendor: str) -> tuple[str, list[str], list[tuple]]:
    """(SELECT … FROM table, attnames, per column (Col expression, converters))."""
    table = model._meta.db_table
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    converters = []
    for field in fields:
        col = field.get_col(table)
        converters.append(
            (col, [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]))
    select = f"SELECT {columns} FROM {quote(table)}"  # noqa: S608 - names from the model
    return select, [field.attname for field in fields], converters


def one(model: type[M], where: str, params: list) -> M | None:
    """The row of `model` matching `where`, or None. `where` is SQL over the model's own
    columns, written by us (never from input); every value is one of `params`."""
    select, attnames, converters = _shape(model, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(f"{select} WHERE {where}", params)
        row = cursor.fetchone()
    if row is None:
        return None
    values: list[Any] = []
    for value, (col, functions) in zip(row, converters, strict=True):
        for convert in functions:
            value = convert(value, col, connection)
        values.append(value)
    return model.from_db(connection.alias, attnames, values)
