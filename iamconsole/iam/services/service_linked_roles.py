"""Service-linked roles: CreateServiceLinkedRole, DeleteServiceLinkedRole,
GetServiceLinkedRoleDeletionStatus.

A service-linked role is a role under `/aws-service-role/<service principal>/`, named
`AWSServiceRoleFor<Service>[_<suffix>]`, trusted by the service principal alone. AWS's own
services choose their role's name and attach their policy; iamconsole has no AWS services, so
the name is derived from the principal (`elasticbeanstalk.amazonaws.com` →
`AWSServiceRoleForElasticbeanstalk`, each `-` part capitalized) and no policy is attached.
Deletion is done at once: the task id AWS answers is recorded in the audit log with the
deletion, and GetServiceLinkedRoleDeletionStatus reads it from there (SUCCEEDED).
"""

from __future__ import annotations

import json
import re
import uuid

from .. import audit, authz, kinds
from ..caller import Caller
from ..errors import InvalidInput, NoSuchEntity
from ..models import AuditEvent, Role
from . import _entity
from ._common import check_description, operation
from .principals import unbind_deleted_principal
from .roles import find_role, role_summary

SERVICE_ROLE_PATH = "/aws-service-role/"
NAME_PREFIX = "AWSServiceRoleFor"
_SERVICE = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)*\.amazonaws\.com$")
_SUFFIX = re.compile(r"^[\w+=,.@-]+$", re.ASCII)
_TASK = re.compile(r"^task/aws-service-role/(?P<service>[^/]+)/(?P<role>[^/]+)/"
                   r"(?P<uuid>[0-9a-f-]{36})$")


def _role_name(service: str, custom_suffix: str | None) -> str:
    title = "".join(part[:1].upper() + part[1:] for part in service.split(".")[0].split("-"))
    name = f"{NAME_PREFIX}{title}" + (f"_{custom_suffix}" if custom_suffix else "")
    if len(name) > 64:
        raise InvalidInput(f"The role name {name} is longer than 64 characters: use a shorter "
                           "CustomSuffix.", field="custom_suffix")
    return name


def _trust_policy(service: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


def is_service_linked(role: Role) -> bool:
    return role.path.startswith(SERVICE_ROLE_PATH)


@operation
def create_service_linked_role(caller: Caller, aws_service_name: str, *,
                               description: str | None = None,
                               custom_suffix: str | None = None) -> Role:
    """CreateServiceLinkedRole, authorized as iam:CreateServiceLinkedRole on the new role's ARN
    with iam:AWSServiceName."""
    if not isinstance(aws_service_name, str) or not _SERVICE.match(aws_service_name):
        raise InvalidInput(f"Invalid service name {aws_service_name!r}: a service principal "
                           "such as elasticbeanstalk.amazonaws.com.", field="aws_service_name")
    if custom_suffix is not None and not _SUFFIX.match(custom_suffix):
        raise InvalidInput(f"Invalid CustomSuffix {custom_suffix!r}.", field="custom_suffix")
    name = _role_name(aws_service_name, custom_suffix)
    path = f"{SERVICE_ROLE_PATH}{aws_service_name}/"
    arn = kinds.ROLE.arn(name, path)
    authz.check(caller, "iam:CreateServiceLinkedRole", arn,
                {"iam:AWSServiceName": aws_service_name})
    if Role.objects.filter(name__ci=name).exists():
        raise InvalidInput(f"Service role name {name} has been taken in this account, please "
                           "try a different suffix.", field="custom_suffix")
    role = Role.objects.create(name=name, path=path,
                               assume_role_policy_document=_trust_policy(aws_service_name),
                               description=check_description(description))
    audit.record(caller, "iam:CreateServiceLinkedRole", resource_type="role",
                 resource_name=role.name, resource_arn=role.arn, new=role_summary(role))
    return role


@operation
def delete_service_linked_role(caller: Caller, role_name: str) -> str:
    """DeleteServiceLinkedRole: the role (a service-linked one only), its policies with it;
    answers the deletion task id."""
    role = find_role(role_name, caller, "iam:DeleteServiceLinkedRole")
    authz.check(caller, "iam:DeleteServiceLinkedRole", role.arn)
    if not is_service_linked(role):
        raise InvalidInput(f"The role {role.name} is not a service-linked role: use DeleteRole.",
                           field="role_name")
    service = role.path[len(SERVICE_ROLE_PATH):].strip("/")
    task_id = f"task/aws-service-role/{service}/{role.name}/{uuid.uuid4()}"
    old = role_summary(role)
    # The service controls a service-linked role's policies: they go with it.
    role.inline_policies.all().delete()
    role.policy_attachments.all().delete()
    _entity.check_deletable(kinds.ROLE, role)
    unbind_deleted_principal(caller, role)
    role.delete()
    audit.record(caller, "iam:DeleteServiceLinkedRole", resource_type="role",
                 resource_name=old["RoleName"], resource_arn=old["Arn"], old=old,
                 new={"DeletionTaskId": task_id})
    return task_id


def get_service_linked_role_deletion_status(caller: Caller, deletion_task_id: str) -> str:
    """GetServiceLinkedRoleDeletionStatus: SUCCEEDED for a task DeleteServiceLinkedRole
    answered (deletion is immediate), authorized on the deleted role's ARN."""
    match = _TASK.match(deletion_task_id or "")
    if match is None:
        raise InvalidInput(f"Invalid deletion task id {deletion_task_id}.",
                           field="deletion_task_id")
    arn = kinds.ROLE.arn(match["role"], f"{SERVICE_ROLE_PATH}{match['service']}/")
    authz.check(caller, "iam:GetServiceLinkedRoleDeletionStatus", arn)
    done = AuditEvent.objects.filter(action="iam:DeleteServiceLinkedRole", resource_arn=arn,
                                     outcome="success")
    if not any((event.new_value or {}).get("DeletionTaskId") == deletion_task_id
               for event in done):
        raise NoSuchEntity(f"Deletion task {deletion_task_id} cannot be found.")
    return "SUCCEEDED"
