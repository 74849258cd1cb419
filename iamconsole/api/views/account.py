"""Account-level endpoints: the password policy, the audit log (read only), who am I."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from iamconsole.iam import audit
from iamconsole.iam import identifiers as ids
from iamconsole.iam import services as iam

from .. import serializers as s
from ..pagination import paginate
from ..schema import paginated
from .base import IAMView, valid

AUDIT_ACTION = audit.LOOKUP_ACTION


def _policy_body(policy) -> dict:
    return {
        "minimum_password_length": policy.minimum_password_length,
        "require_symbols": policy.require_symbols,
        "require_numbers": policy.require_numbers,
        "require_uppercase_characters": policy.require_uppercase_characters,
        "require_lowercase_characters": policy.require_lowercase_characters,
        "allow_users_to_change_password": policy.allow_users_to_change_password,
        "max_password_age": policy.max_password_age,
        "password_reuse_prevention": policy.password_reuse_prevention,
        "hard_expiry": policy.hard_expiry,
        "expire_passwords": policy.expire_passwords,
    }


class PasswordPolicyView(IAMView):
    iam_actions = {"GET": "iam:GetAccountPasswordPolicy",
                   "PUT": "iam:UpdateAccountPasswordPolicy",
                   "DELETE": "iam:DeleteAccountPasswordPolicy"}

    @extend_schema(responses=s.PasswordPolicySerializer, summary="GetAccountPasswordPolicy")
    def get(self, request):
        return Response(_policy_body(iam.get_account_password_policy(self.caller)))

    @extend_schema(request=s.PasswordPolicySerializer, responses=s.PasswordPolicySerializer,
                   summary="UpdateAccountPasswordPolicy (omitted fields take AWS's defaults)")
    def put(self, request):
        data = valid(s.PasswordPolicySerializer, request.data)
        policy = iam.update_account_password_policy(self.caller, **data)
        return Response(_policy_body(policy))

    @extend_schema(responses={204: None}, summary="DeleteAccountPasswordPolicy")
    def delete(self, request):
        iam.delete_account_password_policy(self.caller)
        return Response(status=status.HTTP_204_NO_CONTENT)


def audit_events(caller, filters: dict):
    return audit.lookup_events(caller, **filters)


class AuditEventsView(IAMView):
    iam_actions = {"GET": AUDIT_ACTION}

    @extend_schema(parameters=[s.AuditFilterSerializer],
                   responses=paginated(s.AuditEventSerializer), summary="The audit log")
    def get(self, request):
        filters = valid(s.AuditFilterSerializer, request.query_params)
        return paginate(self, audit_events(self.caller, filters), s.AuditEventSerializer)


class AuditEventView(IAMView):
    iam_actions = {"GET": AUDIT_ACTION}

    @extend_schema(responses=s.AuditEventSerializer, summary="One audit event")
    def get(self, request, event_id):
        return Response(s.AuditEventSerializer(audit.lookup_event(self.caller, event_id)).data)


class CallerIdentityView(IAMView):
    """Like sts:GetCallerIdentity: always allowed for an authenticated caller."""

    @extend_schema(responses=s.CallerIdentitySerializer, summary="Who am I (GetCallerIdentity)")
    def get(self, request):
        caller = self.caller
        return Response({"arn": caller.arn, "user_id": caller.user_id,
                         "account": ids.account_id(), "auth_method": caller.auth_method,
                         "access_key_id": caller.access_key_id})
