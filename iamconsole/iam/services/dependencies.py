"""Delete with dependencies: what blocks deleting a user, group, role or managed policy (its
keys, MFA devices, memberships, attachments, inline policies, instance profiles, policy
versions...), each as one removal, and `delete_with_dependencies`, which removes them all and
then deletes the entity in one transaction.

Each removal is the AWS operation a careful administrator would call by hand
(DeleteAccessKey, DetachUserPolicy, RemoveUserFromGroup...), so each is authorized on its own
and audited on its own; the first one refused (or failing) rolls every change back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import authz, kinds
from ..caller import Caller
from ..kinds import Kind
from ..models import ManagedPolicy, Role, User
from . import (
    access_keys,
    groups,
    guided,
    instance_profiles,
    passwords,
    permissions,
    policies,
    roles,
    service_credentials,
    signing_certificates,
    ssh_keys,
    users,
)
from ._common import operation
from .lookup import get_policy_by_arn


@dataclass(frozen=True)
class Dependency:
    """One thing to remove before the entity can go: what it is ("access key AKIA..."), the
    AWS action that removes it and how (`remove(caller)`)."""

    label: str
    action: str
    remove: Callable[[Caller], Any]


def _identity_policies(kind: Kind, entity: Any) -> list[Dependency]:
    key, name = kind.key, entity.name
    found = [Dependency(f"inline policy {p.name}", kind.action("Delete{noun}Policy"),
                        lambda c, p=p.name: permissions.delete_inline_policy(c, key, name, p))
             for p in entity.inline_policies.order_by("name")]
    found += [Dependency(f"attached policy {a.policy.arn}", kind.action("Detach{noun}Policy"),
                         lambda c, arn=a.policy.arn: permissions.detach_policy(c, key, name, arn))
              for a in entity.policy_attachments.select_related("policy").order_by("pk")]
    return found


def _user(user: User) -> list[Dependency]:
    name = user.name
    found = []
    if user.has_usable_password():
        found.append(Dependency("login profile (console password)", "iam:DeleteLoginProfile",
                                lambda c: passwords.delete_login_profile(c, name)))
    found += [Dependency(f"access key {k.access_key_id}", "iam:DeleteAccessKey",
                         lambda c, k=k.access_key_id: access_keys.delete_access_key(c, k, name))
              for k in user.access_keys.order_by("pk")]
    found += [Dependency(f"signing certificate {s.certificate_id}", "iam:DeleteSigningCertificate",
                         lambda c, i=s.certificate_id:
                         signing_certificates.delete_signing_certificate(c, name, i))
              for s in user.signing_certificates.order_by("pk")]
    found += [Dependency(f"SSH public key {s.ssh_public_key_id}", "iam:DeleteSSHPublicKey",
                         lambda c, i=s.ssh_public_key_id:
                         ssh_keys.delete_ssh_public_key(c, name, i))
              for s in user.ssh_public_keys.order_by("pk")]
    found += [Dependency(f"service-specific credential {s.credential_id}",
                         "iam:DeleteServiceSpecificCredential",
                         lambda c, i=s.credential_id:
                         service_credentials.delete_service_specific_credential(c, name, i))
              for s in user.service_specific_credentials.order_by("pk")]
    for device in user.mfa_devices.order_by("pk"):
        serial = device.serial_number
        found.append(Dependency(f"MFA device {serial} (deactivated and deleted)",
                                "iam:DeactivateMFADevice",
                                lambda c, s=serial: guided.reset_mfa_device(c, name, s)))
    found += _identity_policies(kinds.USER, user)
    found += [Dependency(f"membership of group {g.name}", "iam:RemoveUserFromGroup",
                         lambda c, g=g.name: groups.remove_user_from_group(c, g, name))
              for g in user.iam_groups.order_by("name")]
    return found


def _group(group) -> list[Dependency]:
    name = group.name
    found = [Dependency(f"member {u.name}", "iam:RemoveUserFromGroup",
                        lambda c, u=u.name: groups.remove_user_from_group(c, name, u))
             for u in group.members.order_by("name")]
    return found + _identity_policies(kinds.GROUP, group)


def _role(role: Role) -> list[Dependency]:
    name = role.name
    found = [Dependency(f"instance profile {p.name}", "iam:RemoveRoleFromInstanceProfile",
                        lambda c, p=p.name:
                        instance_profiles.remove_role_from_instance_profile(c, p, name))
             for p in role.instance_profiles.order_by("name")]
    return found + _identity_policies(kinds.ROLE, role)


def _policy(policy: ManagedPolicy) -> list[Dependency]:
    arn = policy.arn
    found = []
    for kind in kinds.IDENTITIES.values():
        for attachment in getattr(policy, f"{kind.key}_attachments").select_related(kind.key) \
                .order_by("pk"):
            holder = getattr(attachment, kind.key).name
            found.append(Dependency(
                f"attachment to {kind.key} {holder}", kind.action("Detach{noun}Policy"),
                lambda c, k=kind.key, h=holder: permissions.detach_policy(c, k, h, arn)))
    for kind, model in ((kinds.USER, User), (kinds.ROLE, Role)):
        for holder in model.objects.filter(permissions_boundary=policy).order_by("name"):
            found.append(Dependency(
                f"permissions boundary of {kind.key} {holder.name}",
                kind.action("Delete{noun}PermissionsBoundary"),
                lambda c, k=kind, h=holder.name: k.op("Delete{noun}PermissionsBoundary")(c, h)))
    found += [Dependency(f"policy version {v.version_id}", "iam:DeletePolicyVersion",
                         lambda c, v=v.version_id: policies.delete_policy_version(c, arn, v))
              for v in policy.versions.filter(is_default=False).order_by("number")]
    return found


_DEPENDENCIES: dict[str, Callable[[Any], list[Dependency]]] = {
    "user": _user, "group": _group, "role": _role, "policy": _policy}
_DELETE: dict[str, Callable[[Caller, str], None]] = {
    "user": users.delete_user, "group": groups.delete_group, "role": roles.delete_role,
    "policy": policies.delete_policy}


# The kinds whose deletion may remove its dependencies first.
DELETES_WITH_DEPENDENCIES = frozenset(_DELETE)


def deletion_dependencies(kind: Kind | str, entity: Any) -> list[Dependency]:
    """Everything that blocks deleting `entity`, in the order it is removed (empty: it can be
    deleted as it is)."""
    key = kind if isinstance(kind, str) else kind.key
    return _DEPENDENCIES[key](entity)


def _entity(kind: Kind, ident: str, caller: Caller) -> Any:
    action = kind.action("Delete{noun}")
    if kind.key == "policy":
        return get_policy_by_arn(ident, caller, action)
    return kind.find(ident, caller, action)


@operation
def delete_with_dependencies(caller: Caller, kind: Kind | str, ident: str) -> list[str]:
    """Remove everything that blocks deleting the entity `ident` (a name; a policy: its ARN),
    then delete it: one transaction, each removal authorized and audited as its own AWS
    operation. Returns what was removed. The deletion itself is authorized first, so a caller
    who may not delete the entity changes nothing."""
    spec = kinds.get(kind) if isinstance(kind, str) else kind
    if spec.key not in _DELETE:
        raise KeyError(spec.key)
    entity = _entity(spec, ident, caller)
    authz.check(caller, spec.action("Delete{noun}"), entity.arn)
    if spec.key == "role":
        roles.check_modifiable(entity)
    removed = []
    for dependency in deletion_dependencies(spec, entity):
        dependency.remove(caller)
        removed.append(dependency.label)
    _DELETE[spec.key](caller, entity.arn if spec.key == "policy" else entity.name)
    return removed
