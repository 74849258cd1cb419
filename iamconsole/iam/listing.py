"""One page of a list of entities: search, tag filter, ordering and pagination in the database.

Everything happens in SQL (filters, ORDER BY, LIMIT/OFFSET), so a page costs the same number of
queries with 20 rows or 10,000. The per-row columns (counts, last use: `facts`, a function that
annotates a queryset) are computed for the page's rows only, unless the list is ordered by one
of them: OFFSET skips rows only after computing their select list, which on page 100 of 10,000
users is 5,000 rows of correlated subqueries.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from . import kinds


def _is_field(queryset: QuerySet, name: str) -> bool:
    try:
        queryset.model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def search(queryset: QuerySet, text: str, fields: tuple[str, ...] = ("name",)) -> QuerySet:
    """The rows one of whose `fields` contains `text` (case-insensitive); all for no text."""
    if not text:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": text})
    return queryset.filter(condition)


def tagged(queryset: QuerySet, tag: str | None) -> QuerySet:
    """The rows with the tag `key` (any value) or `key=value` (the first "=" separates); all for
    no tag. A kind without tags (groups) has none with any tag."""
    if not tag:
        return queryset
    kind = next((k for k in kinds.KINDS.values() if k.model is queryset.model), None)
    if kind is None or not kind.has_tags:
        return queryset.none()
    key, sep, value = tag.partition("=")
    queryset = queryset.filter(tags__has_key=key)
    if sep:
        queryset = queryset.annotate(
            _tag_value=Cast(KeyTextTransform(key, "tags"), TextField())
        ).filter(_tag_value=value)
    return queryset


def page(queryset: QuerySet, *, order: str, descending: bool = False, per_page: int,
         number: str | int | None, facts: Callable[[QuerySet], QuerySet] | None = None) -> Page:
    """Page `number` of `queryset` ordered by `order` (a field, or a column `facts` adds) then
    pk, the page's rows with their `facts`."""
    by_fact = facts is not None and not _is_field(queryset, order)
    if by_fact:
        queryset = facts(queryset)
    queryset = queryset.order_by(f"-{order}" if descending else order, "pk")
    if facts is None or by_fact:
        return Paginator(queryset, per_page).get_page(number)
    result = Paginator(queryset.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(result.object_list)
    rows = {row.pk: row for row in facts(queryset.filter(pk__in=ids).order_by())}
    result.object_list = [rows[pk] for pk in ids if pk in rows]
    return result


def excluding(queryset: QuerySet, pks) -> QuerySet:
    """The rows whose primary key is not among `pks`."""
    pks = set(pks)
    return queryset.exclude(pk__in=pks) if pks else queryset
