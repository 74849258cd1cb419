"""List pages: search, path and tag filters, sorting and pagination from the query string.

The filtering, ordering and paging happen in the database (iam.listing), so a page costs the
same number of queries with 20 rows or 10,000; the per-row columns (`facts`) are computed for
the page's rows only unless the listing is sorted by one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from iamconsole.iam import listing

PER_PAGE = 25
MAX_PER_PAGE = 500
PAGE_SIZES = (25, 50, 100, 500)


@dataclass
class Listing:
    page: Page
    params: dict[str, str]
    sort: str
    sortable: tuple[str, ...]

    @property
    def rows(self):
        return self.page.object_list

    @property
    def filtered(self) -> bool:
        """Whether a search or filter narrows the rows (an empty page then says so)."""
        return any(value and not (name == "path" and value == "/")
                   for name, value in self.params.items()
                   if name not in ("sort", "per_page"))

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

    @property
    def page_sizes(self) -> list[dict]:
        """The page-size choices, each with its URL (back to page 1) and whether it is current."""
        return [{"size": size, "url": self.url(per_page=size if size != PER_PAGE else None,
                                               page=None),
                 "current": size == self.page.paginator.per_page} for size in PAGE_SIZES]

    @property
    def page_links(self) -> list[dict]:
        """Numbered links around the current page (first, last and two either side)."""
        count, number = self.page.paginator.num_pages, self.page.number
        shown = sorted({1, count, *range(max(1, number - 2), min(count, number + 2) + 1)})
        return [{"number": n, "url": self.url(page=n), "current": n == number}
                for n in shown] if count > 1 else []

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
    queryset = listing.search(queryset, get.get("q", "").strip(), search_fields)
    if tags:
        key, sep, value = get.get("tag", "").partition("=")
        queryset = listing.tagged(queryset, f"{key.strip()}{sep}{value.strip()}")
    sort = get.get("sort", default_sort)
    column = sort.lstrip("-")
    if column not in sortable:
        sort, column = default_sort, default_sort.lstrip("-")
    per_page = _int(get.get("per_page"), PER_PAGE, MAX_PER_PAGE)
    page = listing.page(queryset, order=sortable[column], descending=sort.startswith("-"),
                        per_page=per_page, number=get.get("page"), facts=facts)
    params = {name: get.get(name, "") for name in ("q", "path", "tag", *extra_params)}
    params["sort"] = sort if sort != default_sort else ""
    if per_page != PER_PAGE:
        params["per_page"] = str(per_page)
    return Listing(page=page, params=params, sort=sort, sortable=tuple(sortable))


def rows_listing(request: HttpRequest, rows: list, params: dict[str, str]) -> Listing:
    """Page ?page= (?per_page=) of rows computed in Python (a report's), with the page links
    keeping `params` (the report's filters)."""
    per_page = _int(request.GET.get("per_page"), PER_PAGE, MAX_PER_PAGE)
    params = dict(params)
    if per_page != PER_PAGE:
        params["per_page"] = str(per_page)
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    return Listing(page=page, params=params, sort="", sortable=())
