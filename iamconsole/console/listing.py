"""List pages: search, path and tag filters, sorting and pagination from the query string.

Everything happens in the database (filters, ORDER BY, LIMIT/OFFSET), so a page costs the same
number of queries with 20 rows or 10,000. The per-row columns (counts, last use: `facts`) are
computed for the page's rows only, unless the listing is sorted by one of them: OFFSET skips
rows only after computing their select list, which on page 100 of 10,000 users is 5,000 rows of
correlated subqueries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import HttpRequest

PER_PAGE = 25
MAX_PER_PAGE = 200


@dataclass
class Listing:
    page: Page
    params: dict[str, str]
    sort: str
    sortable: tuple[str, ...]

    @property
    def rows(self):
        return self.page.object_list

    def url(self, **changes: str | int | None) -> str:
        """The query string of this listing with some parameters changed (None removes)."""
        params = {**self.params, **changes}
        return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})

    @property
    def prev_url(self) -> str:
        return self.url(page=self.page.previous_page_number()) if self.page.has_previous() \
            else ""

    @property
    def next_url(self) -> str:
        return self.url(page=self.page.next_page_number()) if self.page.has_next() else ""

    def sort_url(self, column: str) -> str:
        descending = self.sort == column
        return self.url(sort=f"-{column}" if descending else column, page=None)

    def sort_state(self, column: str) -> str:
        """aria-sort value for a column header."""
        if self.sort == column:
            return "ascending"
        if self.sort == f"-{column}":
            return "descending"
        return "none"


def _is_field(queryset: QuerySet, name: str) -> bool:
    try:
        queryset.model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _int(value: str | None, default: int, maximum: int) -> int:
    try:
        return max(1, min(int(value or default), maximum))
    except ValueError:
        return default


def build_listing(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    sortable: dict[str, str],
    default_sort: str = "name",
    search_fields: tuple[str, ...] = ("name",),
    tags: bool = False,
    extra_params: tuple[str, ...] = (),
    facts: Callable[[QuerySet], QuerySet] | None = None,
) -> Listing:
    """Apply ?q= (search), ?tag=key or key=value, ?sort=[-]column and ?page=/?per_page=.

    The path filter is the domain's PathPrefix (callers pass it to list_users etc.)."""
    get = request.GET
    q = get.get("q", "").strip()
    if q:
        from django.db.models import Q

        condition = Q()
        for field in search_fields:
            condition |= Q(**{f"{field}__icontains": q})
        queryset = queryset.filter(condition)
    tag = get.get("tag", "").strip() if tags else ""
    if tag:
        key, sep, value = tag.partition("=")
        key = key.strip()
        if sep:
            queryset = queryset.annotate(
                _tag_value=Cast(KeyTextTransform(key, "tags"), TextField())
            ).filter(_tag_value=value.strip())
        else:
            queryset = queryset.filter(tags__has_key=key)
    sort = get.get("sort", default_sort)
    column = sort.lstrip("-")
    if column not in sortable:
        sort, column = default_sort, default_sort.lstrip("-")
    order = sortable[column]
    descending = sort.startswith("-")
    by_fact = facts is not None and not _is_field(queryset, order)
    if by_fact:
        queryset = facts(queryset)
    queryset = queryset.order_by(f"-{order}" if descending else order, "pk")
    per_page = _int(get.get("per_page"), PER_PAGE, MAX_PER_PAGE)
    if facts is None or by_fact:
        page = Paginator(queryset, per_page).get_page(get.get("page"))
    else:
        page = Paginator(queryset.values_list("pk", flat=True), per_page).get_page(
            get.get("page"))
        ids = list(page.object_list)
        rows = {row.pk: row for row in facts(queryset.filter(pk__in=ids).order_by())}
        page.object_list = [rows[pk] for pk in ids if pk in rows]
    params = {name: get.get(name, "") for name in ("q", "path", "tag", *extra_params)}
    params["sort"] = sort if sort != default_sort else ""
    if per_page != PER_PAGE:
        params["per_page"] = str(per_page)
    return Listing(page=page, params=params, sort=sort, sortable=tuple(sortable))
