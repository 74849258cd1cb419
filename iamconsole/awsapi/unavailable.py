"""Operations of botocore's IAM and STS models that AWS offers to onboarded partners only, or
for features iamconsole does not have (delegation requests, role templates): they answer
`OptInRequired` (HTTP 403), AWS's common error for "this account needs a subscription to the
service", with a message naming what is missing, instead of InvalidAction ("no such action").
The README lists them. The answer changes nothing, so it needs no authorization and no audit
record (the views answer it after authentication, before parsing the parameters)."""

from __future__ import annotations

from .protocol import QueryError

CODE = "OptInRequired"
STATUS = 403

# AWS: "This API is not available for general use. In order to use this API, a caller first
# need to go through an onboarding process described in the partner onboarding documentation."
DELEGATION = ("temporary access delegation for AWS partners (delegation requests and their "
              "trade-in tokens)")
# The Role Manager's role templates (AcquireRole creates a role from one).
ROLE_TEMPLATES = "role templates (the Role Manager)"

IAM: dict[str, str] = {
    **dict.fromkeys((
        "AcceptDelegationRequest", "AssociateDelegationRequest", "CreateDelegationRequest",
        "GetDelegationRequest", "ListDelegationRequests", "RejectDelegationRequest",
        "SendDelegationToken", "UpdateDelegationRequest",
        # its only entity type is a delegation request (summarized by an LLM)
        "GetHumanReadableSummary"), DELEGATION),
    "AcquireRole": ROLE_TEMPLATES,
    "GetRoleTemplateVersion": ROLE_TEMPLATES,
}
STS: dict[str, str] = {"GetDelegatedAccessToken": DELEGATION}


TABLES = {"iam": IAM, "sts": STS}


def refusal(service: str, operation: str | None) -> QueryError | None:
    """The OptInRequired answer to `operation` of `service` when it is one of the tables
    (before its parameters are validated: none of them could make it available), else None."""
    feature = TABLES.get(service, {}).get(operation or "")
    if feature is None:
        return None
    return QueryError(CODE, f"{operation} is not available: iamconsole does not offer "
                      f"{feature}, which AWS reserves for onboarded partners or features this "
                      "installation does not have.", STATUS)
