"""How REST API callers prove who they are.

1. AWS Signature Version 4 with an access key (`SigV4Authentication`): any AWS signer works
   (botocore's SigV4Auth, requests-aws4auth, aws-sigv4 in curl). The credential scope must name
   the service "iam" (or "execute-api", what API-Gateway-style signers default to); any region.
2. The console session cookie (`ConsoleSessionAuthentication`), with CSRF enforced on unsafe
   methods: a page of the console can call the API with the X-CSRFToken header.

Both put the domain-layer `Caller` in `request.auth`; views pass it to the domain operations.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from rest_framework.authentication import BaseAuthentication, SessionAuthentication

from iamconsole.accounts.session import caller_from_request
from iamconsole.iam import authn, decisions, sts

from .errors import CredentialsRejected

SIGV4_SERVICES = ("iam", "execute-api")


class SigV4Authentication(BaseAuthentication):
    """`reuse`: seconds this process may reuse a credential it read (authn.authenticate_signed):
    0, read on every request, but for the decision API (`kept_sigv4`)."""

    def __init__(self, reuse: float = 0.0):
        self.reuse = reuse

    def authenticate(self, request):
        meta = request._request.META
        if not authn.has_sigv4_credentials(meta):
            return None
        try:
            caller = authn.authenticate_sigv4(
                meta, request._request.body, expected_service=SIGV4_SERVICES, auth_method="api",
                reuse=self.reuse,
            )
        except authn.AuthenticationFailed as failure:
            raise CredentialsRejected(failure) from None
        # Every REST endpoint is an IAM operation: GetSessionToken credentials need MFA for it.
        sts.check_session_token_scope(caller, "iam", "*")
        return (caller.user if caller.user is not None else AnonymousUser(), caller)


def kept_sigv4() -> SigV4Authentication:
    """The decision API's: a service calls it for every request it serves, so its key is kept
    for the decision cache's second (decisions.TTL), as its principals are. (One class for the
    OpenAPI schema's one "sigv4" scheme.)"""
    return SigV4Authentication(reuse=decisions.TTL)


class ConsoleSessionAuthentication(SessionAuthentication):
    """DRF's session authentication (CSRF enforced) that also builds the console Caller."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, _ = result
        return (user, caller_from_request(request._request))
