"""Typed errors carrying AWS's error codes end to end.

The domain raises them; the console shows a form error, the REST API answers JSON with `status`,
the Query API answers AWS's XML error envelope with the same code and status.
"""

from __future__ import annotations


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


class NoSuchEntity(ClientError):
    code, status = "NoSuchEntity", 404


class EntityAlreadyExists(ClientError):
    code, status = "EntityAlreadyExists", 409


class DeleteConflict(ClientError):
    code, status = "DeleteConflict", 409


class LimitExceeded(ClientError):
    code, status = "LimitExceeded", 409


class MalformedPolicyDocument(ClientError):
    code = "MalformedPolicyDocument"


class InvalidInput(ClientError):
    code = "InvalidInput"


class ValidationError(ClientError):
    code = "ValidationError"


class PasswordPolicyViolation(ClientError):
    code = "PasswordPolicyViolation"


class InvalidAuthenticationCode(ClientError):
    code, status = "InvalidAuthenticationCode", 403


class EntityTemporarilyUnmodifiable(ClientError):
    code, status = "EntityTemporarilyUnmodifiable", 409


class ConcurrentModification(ClientError):
    """A stale edit: the object changed since the caller read it (If-Match / form revision)."""

    code, status = "ConcurrentModification", 409


class InvalidUserType(ClientError):
    code = "InvalidUserType"


class PolicyNotAttachable(ClientError):
    code = "PolicyNotAttachable"


class UnmodifiableEntity(ClientError):
    code = "UnmodifiableEntity"


class AccessDenied(ClientError):
    code, status = "AccessDenied", 403

    def __init__(self, message: str, *, action: str = "", resource: str = "", **kwargs):
        super().__init__(message, **kwargs)
        self.action = action
        self.resource = resource

    def as_dict(self) -> dict:
        return {**super().as_dict(), "action": self.action, "resource": self.resource}


class PolicyEvaluation(IAMError):
    code = "PolicyEvaluation"
