"""limit/offset pagination: `?limit=` (default 100, at most 1000) and `?offset=`."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination

from .errors import APIError

MAX_OFFSET = 10**9


class Pagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000

    def get_offset(self, request):
        raw = request.query_params.get(self.offset_query_param)
        if raw is None:
            return 0
        if not raw.isascii() or not raw.isdigit() or int(raw) > MAX_OFFSET:
            raise APIError("ValidationError",
                           f"offset must be a whole number between 0 and {MAX_OFFSET}.")
        return int(raw)

    def get_limit(self, request):
        raw = request.query_params.get(self.limit_query_param)
        if raw is None:
            return self.default_limit
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= self.max_limit:
            raise APIError("ValidationError",
                           f"limit must be a whole number between 1 and {self.max_limit}.")
        return int(raw)


def paginate(view, queryset, serializer_class, **context):
    """One page of `queryset` in the paginated envelope {count, next, previous, results}."""
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, view.request, view=view)
    data = serializer_class(page, many=True, context=context).data
    return paginator.get_paginated_response(data)
