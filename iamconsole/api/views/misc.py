"""Endpoints outside the IAM resources: the JSON 404 for unknown API URLs."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView


@extend_schema(exclude=True)
class UnknownURLView(APIView):
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []

    def _not_found(self, request, *args, **kwargs):
        raise NotFound()

    get = post = put = patch = delete = head = options = _not_found
