"""Typed errors carrying AWS's error codes end to end.

The domain raises them; the console shows a form error, the REST API answers JSON with `status`,
the Query API answers AWS's XML error envelope with the same code and status.
"""

from __future__ import annotations

import sys


class IAMError(Exception):
    code = "ServiceFailure"
    status = 500
    sender_fault = False

    def __init__(self, message: str, *, field: str | None = None, findings: list | None = None):
        super().__init__(message)
        self.message = message
        self.field = field  # the input the error is about, for forms
        self.findings = findings or []  # policy-validation findings, for the policy editor

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


class ClientError(IAMError):
    status = 400
    sender_fault = True


def client_error(code: str, status: int = 400, doc: str | None = None) -> type[ClientError]:
    """The ClientError subclass named after AWS's error `code`, answered with HTTP `status`
    (defined in the calling module, as `NAME = client_error("NAME")`)."""
    module = sys._getframe(1).f_globals.get("__name__", __name__)
    return type(code, (ClientError,), {"code": code, "status": status, "__doc__": doc,
                                       "__module__": module, "__qualname__": code})


# AWS's IAM error codes (the class is named as the code) and their HTTP status.
NoSuchEntity = client_error("NoSuchEntity", 404)
EntityAlreadyExists = client_error("EntityAlreadyExists", 409)
DeleteConflict = client_error("DeleteConflict", 409)
LimitExceeded = client_error("LimitExceeded", 409)
MalformedPolicyDocument = client_error("MalformedPolicyDocument")
InvalidInput = client_error("InvalidInput")
ValidationError = client_error("ValidationError")
PasswordPolicyViolation = client_error("PasswordPolicyViolation")
InvalidAuthenticationCode = client_error("InvalidAuthenticationCode", 403)
ConcurrentModification = client_error(
    "ConcurrentModification", 409,
    "A stale edit: the object changed since the caller read it (If-Match / form revision).")
InvalidUserType = client_error("InvalidUserType")
PolicyNotAttachable = client_error("PolicyNotAttachable")
UnmodifiableEntity = client_error("UnmodifiableEntity")
# SSH public keys, signing certificates, service-specific credentials.
InvalidPublicKey = client_error("InvalidPublicKey")
UnrecognizedPublicKeyEncoding = client_error("UnrecognizedPublicKeyEncoding")
DuplicateSSHPublicKey = client_error("DuplicateSSHPublicKey")
MalformedCertificate = client_error("MalformedCertificate")
InvalidCertificate = client_error("InvalidCertificate")
DuplicateCertificate = client_error("DuplicateCertificate", 409)
NotSupportedService = client_error("NotSupportedService", 404)
KeyPairMismatch = client_error("KeyPairMismatch")


class AccessDenied(ClientError):
    code, status = "AccessDenied", 403

    def __init__(self, message: str, *, action: str = "", resource: str = "",
                 encoded_message: str = "", **kwargs):
        super().__init__(message, **kwargs)
        self.action = action
        self.resource = resource
        # The encoded authorization failure message of a policy decision (authz_messages):
        # iamconsole's REST API answers it; AWS IAM's Query API does not.
        self.encoded_message = encoded_message

    def as_dict(self) -> dict:
        return {**super().as_dict(), "action": self.action, "resource": self.resource}
