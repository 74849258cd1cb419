"""Service-linked roles: CreateServiceLinkedRole, DeleteServiceLinkedRole and
GetServiceLinkedRoleDeletionStatus.

A service-linked role lives under `/aws-service-role/<service>/`, trusts its service principal
(sts:AssumeRole) and is named as AWS names it: `AWSServiceRoleFor<Service>` from the table of
well-known services below, else derived from the service principal (the part before
`.amazonaws.com`, each `-`/`.`-separated word capitalized: `codestar-notifications` →
`AWSServiceRoleForCodestarNotifications`), with `_<CustomSuffix>` when one is given. Only its
description may change (UpdateRole / UpdateRoleDescription); every other change, and DeleteRole,
is AWS's UnmodifiableEntity (roles.check_modifiable). DeleteServiceLinkedRole deletes it at once;
its task id stays answerable by GetServiceLinkedRoleDeletionStatus.
"""

from __future__ import annotations

import json
import re
import uuid

from .. import arns, audit, authz, kinds
from ..caller import Caller
from ..errors import InvalidInput, NoSuchEntity
from ..models import Role, ServiceLinkedRoleDeletion
from ._common import check_description, operation, validate_name
from .lookup import authorize_missing
from .principals import unbind_deleted_principal
from .roles import SERVICE_ROLE_PATH, find_role, role_summary

# The names AWS gives the service-linked roles of well-known services.
WELL_KNOWN = {
    "autoscaling.amazonaws.com": "AWSServiceRoleForAutoScaling",
    "cloudtrail.amazonaws.com": "AWSServiceRoleForCloudTrail",
    "config.amazonaws.com": "AWSServiceRoleForConfig",
    "ecs.amazonaws.com": "AWSServiceRoleForECS",
    "eks.amazonaws.com": "AWSServiceRoleForAmazonEKS",
    "es.amazonaws.com": "AWSServiceRoleForAmazonElasticsearchService",
    "elasticache.amazonaws.com": "AWSServiceRoleForElastiCache",
    "elasticbeanstalk.amazonaws.com": "AWSServiceRoleForElasticBeanstalk",
    "elasticloadbalancing.amazonaws.com": "AWSServiceRoleForElasticLoadBalancing",
    "guardduty.amazonaws.com": "AWSServiceRoleForAmazonGuardDuty",
    "opensearchservice.amazonaws.com": "AWSServiceRoleForAmazonOpenSearchService",
    "organizations.amazonaws.com": "AWSServiceRoleForOrganizations",
    "rds.amazonaws.com": "AWSServiceRoleForRDS",
    "securityhub.amazonaws.com": "AWSServiceRoleForSecurityHub",
    "spot.amazonaws.com": "AWSServiceRoleForEC2Spot",
    "spotfleet.amazonaws.com": "AWSServiceRoleForEC2SpotFleet",
    "ssm.amazonaws.com": "AWSServiceRoleForAmazonSSM",
    "sso.amazonaws.com": "AWSServiceRoleForSSO",
    "support.amazonaws.com": "AWSServiceRoleForSupport",
    "trustedadvisor.amazonaws.com": "AWSServiceRoleForTrustedAdvisor",
}
NAME_PREFIX = "AWSServiceRoleFor"
_SERVICE = re.compile(r"^([a-z0-9]+(?:[-.][a-z0-9]+)*)\.amazonaws\.com$")
_TASK = re.compile(r"^task/aws-service-role/(?P<service>[^/]+)/(?P<name>[\w+=,.@-]+)/[\w-]+$",
                   re.ASCII)


def service_role_path(aws_service_name: str) -> str:
    return f"{SERVICE_ROLE_PATH}{aws_service_name}/"


def service_role_name(aws_service_name: str, custom_suffix: str | None = None) -> str:
    """The role name AWS gives `aws_service_name`'s service-linked role (see the module doc)."""
    match = _SERVICE.match(aws_service_name or "")
    if match is None:
        raise InvalidInput(f"Invalid service principal: {aws_service_name}. It must be a "
                           "service principal such as elasticbeanstalk.amazonaws.com.",
                           field="aws_service_name")
    name = WELL_KNOWN.get(aws_service_name) or NAME_PREFIX + "".join(
        word.capitalize() for word in re.split(r"[-.]", match.group(1)))
    if custom_suffix:
        validate_name(custom_suffix, "role", "custom_suffix")
        name = f"{name}_{custom_suffix}"
    return validate_name(name, "role", "custom_suffix")


def trust_policy(aws_service_name: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": aws_service_name},
        "Action": "sts:AssumeRole"}]})


@operation
def create_service_linked_role(caller: Caller, aws_service_name: str, *,
                               description: str | None = None,
                               custom_suffix: str | None = None) -> Role:
    name = service_role_name(aws_service_name, custom_suffix)
    path = service_role_path(aws_service_name)
    description = check_description(description)
    arn = kinds.ROLE.arn(name, path)
    authz.check(caller, "iam:CreateServiceLinkedRole", arn,
                {"iam:AWSServiceName": aws_service_name})
    if Role.objects.filter(name__ci=name).exists():
        raise InvalidInput(f"Service role name {name} has been taken in this account, please "
                           "try a different suffix.", field="custom_suffix")
    role = Role.objects.create(name=name, path=path, description=description,
                               assume_role_policy_document=trust_policy(aws_service_name),
                               aws_service_name=aws_service_name)
    audit.record(caller, "iam:CreateServiceLinkedRole", resource_type="role",
                 resource_name=role.name, resource_arn=role.arn,
                 new={**role_summary(role), "AWSServiceName": aws_service_name})
    return role


@operation
def delete_service_linked_role(caller: Caller, role_name: str) -> str:
    """DeleteServiceLinkedRole: the role is deleted at once; the DeletionTaskId is returned."""
    action = "iam:DeleteServiceLinkedRole"
    role = find_role(role_name, caller, action)
    authz.check(caller, action, role.arn)
    if not role.is_service_linked:
        raise NoSuchEntity(f"The role with name {role.name} is not a service-linked role.")
    old = role_summary(role)
    task = ServiceLinkedRoleDeletion.objects.create(
        task_id=f"task{role.path}{role.name}/{uuid.uuid4()}", role_name=role.name,
        role_arn=role.arn, status=ServiceLinkedRoleDeletion.SUCCEEDED)
    unbind_deleted_principal(caller, role)
    role.delete()  # its own policies go with it
    audit.record(caller, action, resource_type="role", resource_name=old["RoleName"],
                 resource_arn=old["Arn"], old=old, new={"DeletionTaskId": task.task_id})
    return task.task_id


def get_service_linked_role_deletion_status(caller: Caller, deletion_task_id: str
                                            ) -> ServiceLinkedRoleDeletion:
    """The task of a DeleteServiceLinkedRole, authorized on the role it deleted."""
    match = _TASK.match(deletion_task_id or "")
    if match is None:
        raise InvalidInput(f"Invalid deletion task id: {deletion_task_id}",
                           field="deletion_task_id")
    action = "iam:GetServiceLinkedRoleDeletionStatus"
    arn = arns.entity("role", match["name"], service_role_path(match["service"]))
    task = ServiceLinkedRoleDeletion.objects.filter(task_id=deletion_task_id).first()
    if task is None:
        authorize_missing(caller, action, arn)
        raise NoSuchEntity(f"Deletion task {deletion_task_id} cannot be found.")
    authz.check(caller, action, task.role_arn)
    return task


