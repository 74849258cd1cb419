"""Managed policies and their versions: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy,
CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions, DeletePolicyVersion,
SetDefaultPolicyVersion, ListEntitiesForPolicy, policy tags."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, QuerySet

from .. import arns, audit, authz, clock, kinds, tenancy
from ..caller import Caller
from ..errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
    UnmodifiableEntity,
    ValidationError,
)
from ..models import (
    Group,
    GroupPolicyAttachment,
    ManagedPolicy,
    PolicyVersion,
    Role,
    RolePolicyAttachment,
    User,
    UserPolicyAttachment,
)
from . import _entity
from ._common import (
    MANAGED_POLICY_MAX_CHARS,
    MAX_POLICY_VERSIONS,
    check_description,
    check_policy_document,
    check_revision,
    normalize_tags,
    operation,
    related_count,
    under_path,
    validate_name,
    validate_path,
    validate_path_prefix,
)
from .lookup import get_policy_by_arn

policy_arn = kinds.POLICY.arn


def policy_summary(policy: ManagedPolicy) -> dict:
    return {**_entity.summary(kinds.POLICY, policy), "Description": policy.description,
            "CreateDate": policy.created_at.isoformat(), "Tags": dict(policy.tags)}


def with_counts(qs: QuerySet[ManagedPolicy]) -> QuerySet[ManagedPolicy]:
    """Annotate AttachmentCount (by users, groups, roles): correlated subqueries over the
    attachment tables' policy index, computed per returned row (joining the three tables and
    grouping would count every policy's attachments for any page)."""
    here = tenancy.current()  # an AWS managed policy's attachments are counted per account
    return qs.annotate(
        user_count=related_count(UserPolicyAttachment, "policy", user__account_id=here),
        group_count=related_count(GroupPolicyAttachment, "policy", group__account_id=here),
        role_count=related_count(RolePolicyAttachment, "policy", role__account_id=here),
    ).annotate(attachment_count=F("user_count") + F("group_count") + F("role_count"))


def attachment_count(policy: ManagedPolicy) -> int:
    if hasattr(policy, "attachment_count"):
        return policy.attachment_count
    here = tenancy.current()
    return (policy.user_attachments.filter(user__account_id=here).count()
            + policy.group_attachments.filter(group__account_id=here).count()
            + policy.role_attachments.filter(role__account_id=here).count())


def boundary_usage_count(policy: ManagedPolicy) -> int:
    return (User.objects.filter(permissions_boundary=policy).count()
            + Role.objects.filter(permissions_boundary=policy).count())


def default_version(policy: ManagedPolicy) -> PolicyVersion:
    return policy.versions.get(is_default=True)


def _check_customer_managed(policy: ManagedPolicy) -> None:
    if policy.is_aws_managed:
        raise UnmodifiableEntity(f"Policy {policy.arn} is an AWS managed policy and cannot be "
                                 "changed.")



@operation
def create_policy(
    caller: Caller,
    policy_name: str,
    policy_document,
    *,
    path: str | None = "/",
    description: str | None = "",
    tags=None,
    aws_managed: bool = False,
) -> ManagedPolicy:
    validate_name(policy_name, "policy", "policy_name")
    path = validate_path(path)
    document = check_policy_document(policy_document, max_chars=MANAGED_POLICY_MAX_CHARS)
    tag_map = normalize_tags(tags)
    arn = arns.policy(policy_name, path, aws_managed=aws_managed)
    if aws_managed and not caller.is_system:
        raise InvalidInput("Only the system can create AWS managed policies.")
    _entity.authorize_create(caller, kinds.POLICY, arn, tag_map)
    if ManagedPolicy.objects.filter(name__ci=policy_name, is_aws_managed=aws_managed).exists():
        raise EntityAlreadyExists(f"A policy called {policy_name} already exists. Duplicate names "
                                  "are not allowed.", field="policy_name")
    now = clock.now()
    policy = ManagedPolicy.objects.create(
        name=policy_name, path=path, description=check_description(description),
        tags=tag_map, is_aws_managed=aws_managed, created_at=now, updated_at=now,
        next_version_number=2,
    )
    PolicyVersion.objects.create(policy=policy, number=1, document=document, is_default=True,
                                 created_at=now)
    audit.record(caller, "iam:CreatePolicy", resource_type="policy", resource_name=policy.name,
                 resource_arn=policy.arn, new={**policy_summary(policy), "Document": document})
    return policy


def get_policy(caller: Caller, policy_arn: str) -> ManagedPolicy:
    policy = get_policy_by_arn(policy_arn, caller, "iam:GetPolicy")
    authz.check(caller, "iam:GetPolicy", policy.arn)
    return policy


def list_policies(
    caller: Caller,
    *,
    scope: str = "All",
    only_attached: bool = False,
    path_prefix: str | None = "/",
    policy_usage_filter: str | None = None,
    counts: bool = True,
    with_versions: bool = False,
) -> QuerySet[ManagedPolicy]:
    """ListPolicies. scope: All | AWS | Local; policy_usage_filter: PermissionsPolicy |
    PermissionsBoundary. counts=False leaves out the attachment counts (no subqueries over the
    attachments: a picker that shows names only); with_versions prefetches the versions (a
    page that shows each policy's default version)."""
    prefix = validate_path_prefix(path_prefix)
    authz.check(caller, "iam:ListPolicies", policy_arn("*"))
    qs = ManagedPolicy.objects.filter(under_path(prefix))
    if counts or only_attached:
        qs = with_counts(qs)
    if scope == "AWS":
        qs = qs.filter(is_aws_managed=True)
    elif scope == "Local":
        qs = qs.filter(is_aws_managed=False)
    elif scope != "All":
        raise ValidationError(f"Value '{scope}' at 'scope' failed to satisfy constraint: Member "
                              "must satisfy enum value set: [All, AWS, Local]", field="scope")
    if only_attached:
        qs = qs.filter(attachment_count__gt=0)
    if policy_usage_filter == "PermissionsBoundary":
        qs = qs.filter(pk__in=_boundary_policy_ids())
    if with_versions:
        qs = qs.prefetch_related("versions")
    return qs.order_by("name", "is_aws_managed")


def _boundary_policy_ids() -> set[int]:
    return set(User.objects.exclude(permissions_boundary=None)
               .values_list("permissions_boundary_id", flat=True)) | set(
        Role.objects.exclude(permissions_boundary=None)
        .values_list("permissions_boundary_id", flat=True))


@operation
def update_policy_description(
    caller: Caller, policy_arn: str, description: str, *, revision: int | None = None
) -> ManagedPolicy:
    """Not an AWS API action (AWS has no UpdatePolicy); the console edits the description
    under iam:CreatePolicyVersion's authority."""
    policy = get_policy_by_arn(policy_arn, caller, "iam:CreatePolicyVersion", for_update=True)
    check_revision(policy, revision)
    _check_customer_managed(policy)
    authz.check(caller, "iam:CreatePolicyVersion", policy.arn)
    old = policy.description
    policy.description = check_description(description)
    policy.updated_at = clock.now()
    policy.revision += 1
    policy.save(update_fields=["description", "updated_at", "revision"])
    audit.record(caller, "iam:UpdatePolicyDescription", resource_type="policy",
                 resource_name=policy.name, resource_arn=policy.arn,
                 old={"Description": old}, new={"Description": policy.description})
    return policy


@operation
def delete_policy(caller: Caller, policy_arn: str) -> None:
    policy = get_policy_by_arn(policy_arn, caller, "iam:DeletePolicy", for_update=True)
    authz.check(caller, "iam:DeletePolicy", policy.arn)
    _check_customer_managed(policy)
    if attachment_count(policy):
        raise DeleteConflict("Cannot delete a policy attached to entities.")
    if boundary_usage_count(policy):
        raise DeleteConflict("Cannot delete a policy used as a permissions boundary.")
    if policy.versions.filter(is_default=False).exists():
        raise DeleteConflict("This policy has more than one version. Before you delete a policy, "
                             "you must delete the policy's versions. The default version is "
                             "deleted with the policy.")
    old = {**policy_summary(policy), "Document": default_version(policy).document}
    policy.versions.all().delete()
    policy.delete()
    audit.record(caller, "iam:DeletePolicy", resource_type="policy",
                 resource_name=old["PolicyName"], resource_arn=old["Arn"], old=old)


@operation
def create_policy_version(
    caller: Caller,
    policy_arn: str,
    policy_document,
    *,
    set_as_default: bool = False,
    revision: int | None = None,
) -> PolicyVersion:
    policy = get_policy_by_arn(policy_arn, caller, "iam:CreatePolicyVersion", for_update=True)
    check_revision(policy, revision)
    document = check_policy_document(policy_document, max_chars=MANAGED_POLICY_MAX_CHARS)
    authz.check(caller, "iam:CreatePolicyVersion", policy.arn)
    _check_customer_managed(policy)
    if policy.versions.count() >= MAX_POLICY_VERSIONS:
        raise LimitExceeded(
            f"A managed policy can have up to {MAX_POLICY_VERSIONS} versions. Before you create "
            "a new version, you must delete an existing version."
        )
    now = clock.now()
    old_default = default_version(policy)
    if set_as_default:
        policy.versions.filter(is_default=True).update(is_default=False)
    version = PolicyVersion.objects.create(
        policy=policy, number=policy.next_version_number, document=document,
        is_default=set_as_default, created_at=now,
    )
    policy.next_version_number += 1
    policy.updated_at = now
    policy.revision += 1
    policy.save(update_fields=["next_version_number", "updated_at", "revision"])
    audit.record(caller, "iam:CreatePolicyVersion", resource_type="policy",
                 resource_name=policy.name, resource_arn=policy.arn,
                 old={"DefaultVersionId": old_default.version_id,
                      "Document": old_default.document},
                 new={"VersionId": version.version_id, "IsDefaultVersion": set_as_default,
                      "Document": document})
    return version


def _find_version(policy: ManagedPolicy, version_id: str) -> PolicyVersion:
    if not isinstance(version_id, str) or not version_id.startswith("v") or \
            not version_id[1:].isdigit():
        raise ValidationError(f"Value '{version_id}' at 'versionId' failed to satisfy constraint: "
                              r"Member must satisfy regular expression pattern: v[1-9][0-9]*"
                              r"(\.[A-Za-z0-9-]*)?", field="version_id")
    version = policy.versions.filter(number=int(version_id[1:])).first()
    if version is None:
        raise NoSuchEntity(f"Policy {policy.arn} version {version_id} does not exist or is not "
                           "attachable.")
    return version


def get_policy_version(caller: Caller, policy_arn: str, version_id: str) -> PolicyVersion:
    policy = get_policy_by_arn(policy_arn, caller, "iam:GetPolicyVersion")
    authz.check(caller, "iam:GetPolicyVersion", policy.arn)
    return _find_version(policy, version_id)


def list_policy_versions(caller: Caller, policy_arn: str) -> QuerySet[PolicyVersion]:
    policy = get_policy_by_arn(policy_arn, caller, "iam:ListPolicyVersions")
    authz.check(caller, "iam:ListPolicyVersions", policy.arn)
    return policy.versions.order_by("-number")


@operation
def delete_policy_version(caller: Caller, policy_arn: str, version_id: str) -> None:
    policy = get_policy_by_arn(policy_arn, caller, "iam:DeletePolicyVersion", for_update=True)
    authz.check(caller, "iam:DeletePolicyVersion", policy.arn)
    _check_customer_managed(policy)
    version = _find_version(policy, version_id)
    if version.is_default:
        raise DeleteConflict("Cannot delete the default version of a policy.")
    old = {"VersionId": version.version_id, "Document": version.document}
    version.delete()
    policy.revision += 1
    policy.save(update_fields=["revision"])
    audit.record(caller, "iam:DeletePolicyVersion", resource_type="policy",
                 resource_name=policy.name, resource_arn=policy.arn, old=old)



@operation
def replace_policy_version(
    caller: Caller,
    policy_arn: str,
    delete_version_id: str,
    policy_document,
    *,
    set_as_default: bool = False,
    revision: int | None = None,
) -> PolicyVersion:
    """At the five-version limit (as AWS's console does): delete one non-default version and
    create the new one, in one transaction: either both happen or neither (a refused or
    invalid new version keeps the deleted one). Needs both actions; the revision is the one the
    editor read."""
    policy = get_policy_by_arn(policy_arn, caller, "iam:CreatePolicyVersion", for_update=True)
    check_revision(policy, revision)
    delete_policy_version(caller, policy_arn, delete_version_id)
    return create_policy_version(caller, policy_arn, policy_document,
                                 set_as_default=set_as_default)

@operation
def set_default_policy_version(
    caller: Caller, policy_arn: str, version_id: str, *, revision: int | None = None
) -> PolicyVersion:
    policy = get_policy_by_arn(policy_arn, caller, "iam:SetDefaultPolicyVersion",
                               for_update=True)
    check_revision(policy, revision)
    authz.check(caller, "iam:SetDefaultPolicyVersion", policy.arn)
    _check_customer_managed(policy)
    version = _find_version(policy, version_id)
    old = default_version(policy)
    if old.pk != version.pk:
        policy.versions.filter(is_default=True).update(is_default=False)
        version.is_default = True
        version.save(update_fields=["is_default"])
        policy.updated_at = clock.now()
    policy.revision += 1
    policy.save(update_fields=["updated_at", "revision"])
    audit.record(caller, "iam:SetDefaultPolicyVersion", resource_type="policy",
                 resource_name=policy.name, resource_arn=policy.arn,
                 old={"DefaultVersionId": old.version_id, "Document": old.document},
                 new={"DefaultVersionId": version.version_id, "Document": version.document})
    return version


@dataclass
class PolicyEntities:
    users: list[User]
    groups: list[Group]
    roles: list[Role]


def list_entities_for_policy(caller: Caller, policy_arn: str, *,
                             entity_filter: str | None = None,
                             path_prefix: str | None = None) -> PolicyEntities:
    """ListEntitiesForPolicy. entity_filter: User | Group | Role keeps that kind only (another
    value, LocalManagedPolicy or AWSManagedPolicy, keeps none); path_prefix: the entities whose
    path starts with it."""
    policy = get_policy_by_arn(policy_arn, caller, "iam:ListEntitiesForPolicy")
    authz.check(caller, "iam:ListEntitiesForPolicy", policy.arn)
    prefix = path_prefix or "/"

    def attached(model, noun: str) -> list:
        if entity_filter not in (None, noun):
            return []
        entities = model.objects.filter(policy_attachments__policy=policy).order_by("name")
        return [e for e in entities if e.path.startswith(prefix)]  # case-sensitive, as AWS

    return PolicyEntities(users=attached(User, "User"), groups=attached(Group, "Group"),
                          roles=attached(Role, "Role"))


# Its ARN names a policy (get_policy_by_arn); AWS managed policies keep their tags.
tag_policy, untag_policy, list_policy_tags = _entity.tag_operations(
    kinds.POLICY, get_policy_by_arn, _check_customer_managed)


def policies_with_arns(policies: QuerySet[ManagedPolicy], wanted) -> list[ManagedPolicy]:
    """The policies among `policies` whose exact ARN is one of `wanted` (one query, or none):
    patterns ("*", "?") and values that are not policy ARNs of this account are skipped."""
    from django.db.models import Q

    from .lookup import parse_policy_arn

    match = Q()
    for value in wanted:
        if "*" in value or "?" in value:
            continue  # a pattern: a name search finds what it covers
        try:
            path, name, aws_managed = parse_policy_arn(value)
        except (InvalidInput, ValidationError, NoSuchEntity):
            continue
        match |= Q(name=name, path=path, is_aws_managed=aws_managed)
    return list(policies.filter(match)) if match else []
