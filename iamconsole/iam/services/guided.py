"""Guided flows: what the console's step-by-step pages do in one go, as one transaction of the
AWS operations a careful administrator would call one after another (each authorized and
audited as itself; the first refusal rolls the whole flow back)."""

from __future__ import annotations

from .. import arns, authz
from ..caller import Caller
from ..models import Role
from ._common import operation
from .mfa import (
    deactivate_mfa_device,
    default_device_name,
    delete_virtual_mfa_device,
    mfa_enrollment_required,
)
from .permissions import attach_policy
from .roles import create_role


@operation
def create_role_with_permissions(caller: Caller, role_name: str, assume_role_policy_document: str,
                                 policy_arns: list[str], **role: object) -> Role:
    """CreateRole, then AttachRolePolicy for each of `policy_arns`."""
    created = create_role(caller, role_name, assume_role_policy_document, **role)
    for arn in policy_arns:
        attach_policy(caller, "role", created.name, arn)
    return created


@operation
def reset_mfa_device(caller: Caller, user_name: str, serial_number: str) -> None:
    """An administrator's reset of a user's MFA device: DeactivateMFADevice, then
    DeleteVirtualMFADevice (the user enrolls a new one, or the administrator assigns one)."""
    deactivate_mfa_device(caller, user_name, serial_number)
    delete_virtual_mfa_device(caller, serial_number)


def may_enroll_own_mfa(caller: Caller) -> bool:
    """Whether the signed-in IAM user may set up their own virtual MFA device: their policies
    allow CreateVirtualMFADevice on the device they would get and EnableMFADevice on
    themselves (AWS's self-service policy), or the account requires them to enroll. The
    console offers "set up MFA" only then."""
    user = caller.user
    if user is None or caller.role is not None:
        return False
    if user.is_root or mfa_enrollment_required(user):
        return True
    device = arns.entity("mfa", default_device_name(user))
    return authz.is_allowed(caller, "iam:CreateVirtualMFADevice", device) and \
        authz.is_allowed(caller, "iam:EnableMFADevice", user.arn)
