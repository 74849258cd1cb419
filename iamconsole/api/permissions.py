"""The only permission gate in DRF: the request has a Caller. What the Caller may do is decided by
the policy engine inside each domain operation (the IAM action AWS uses for the operation)."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from iamconsole.iam.caller import Caller


class HasCaller(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, Caller)
