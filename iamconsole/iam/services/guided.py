"""Guided flows: what the console's step-by-step pages do in one go, as one transaction of the
AWS operations a careful administrator would call one after another (each authorized and
audited as itself; the first refusal rolls the whole flow back)."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field

from ..caller import Caller
from ..models import Role, User
from ._common import operation
from .access_keys import NewAccessKey, create_access_key
from .groups import add_user_to_group
from .mfa import (
    deactivate_mfa_device,
    delete_virtual_mfa_device,
)
from .passwords import create_login_profile
from .permissions import attach_policy, list_attached_policies
from .roles import create_role
from .users import create_user


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


def generated_password(length: int = 20) -> str:
    """A console password meeting any password policy the product allows: upper and lower
    case letters, digits and symbols, from the OS's random source."""
    classes = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "!@#$%^&*()-_=+")
    while True:
        chars = [secrets.choice("".join(classes)) for _ in range(length)]
        if all(any(c in group for c in chars) for group in classes):
            return "".join(chars)


@dataclass
class NewUser:
    """What the create-user flow made; the password and the access key's secret are shown once
    and never stored in clear."""

    user: User
    password: str | None = None
    access_key: NewAccessKey | None = None
    attached: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


def policies_of_user(caller: Caller, user_name: str) -> list[str]:
    """The managed policy ARNs attached to `user_name` (ListAttachedUserPolicies): what "copy
    permissions from an existing user" attaches to the new one."""
    return [a.arn for a in list_attached_policies(caller, "user", user_name)]


@operation
def create_user_with_access(
    caller: Caller, user_name: str, *, path: str | None = "/",
    permissions_boundary: str | None = None, tags=None, password: str | None = None,
    password_reset_required: bool = False, groups: list[str] = (),
    policy_arns: list[str] = (), copy_policies_from: str | None = None,
    access_key: bool = False,
) -> NewUser:
    """CreateUser, then CreateLoginProfile (a console password), AddUserToGroup for each group,
    AttachUserPolicy for each policy (with those of `copy_policies_from`) and CreateAccessKey:
    one transaction, each step authorized and audited as itself."""
    user = create_user(caller, user_name, path=path, permissions_boundary=permissions_boundary,
                       tags=tags)
    made = NewUser(user)
    if password:
        create_login_profile(caller, user.name, password,
                             password_reset_required=password_reset_required)
        made.password = password
    for group in groups:
        add_user_to_group(caller, group, user.name)
        made.groups.append(group)
    arns_wanted = list(dict.fromkeys([*policy_arns, *(
        policies_of_user(caller, copy_policies_from) if copy_policies_from else [])]))
    for arn in arns_wanted:
        attach_policy(caller, "user", user.name, arn)
        made.attached.append(arn)
    if access_key:
        made.access_key = create_access_key(caller, user.name)
    made.user = User.objects.get(pk=user.pk)
    return made
