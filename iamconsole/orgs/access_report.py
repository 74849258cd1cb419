"""IAM's GenerateOrganizationsAccessReport / GetOrganizationsAccessReport: for an entity of
the organization (its root, an OU or an account, named by its path `o-…/r-…/ou-…/<account>`)
the services the SCPs along that path allow (or the one SCP `OrganizationsPolicyId`), each
with the last time a principal of an account under the entity used it.

The report is computed when it is generated, so its job is COMPLETED at once. What "used"
means is `last_accessed` alone: Access Advisor's service records of the principals of the
accounts under the entity.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from iamconsole.iam import arns, audit, authz, clock
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import AccessDenied, InvalidInput, NoSuchEntity
from iamconsole.iam.models import ServiceLastAccessed
from iamconsole.iam.services._common import operation
from iamconsole.policy import Context, Request, catalog, compile_policy, evaluate
from iamconsole.policy.organizations import compile_scp

from .models import SCP, AccessReport, Membership, Organization, OrganizationalUnit, Policy
from .models import PolicyAttachment as Attachment

SORT_KEYS = ("SERVICE_NAMESPACE_ASCENDING", "SERVICE_NAMESPACE_DESCENDING",
             "LAST_AUTHENTICATED_TIME_ASCENDING", "LAST_AUTHENTICATED_TIME_DESCENDING")
DEFAULT_REGION = "us-east-1"  # IAM and the other global services answer from us-east-1


@dataclass(frozen=True)
class ServiceAccess:
    """The most recent use of one service by the principals of some accounts."""

    last_authenticated: datetime
    account_id: str
    region: str
    entities: int


def last_accessed(account_ids: Iterable[str]) -> dict[str, ServiceAccess]:
    """{service namespace: its last use} by the principals of `account_ids`: Access Advisor's
    records (`iam.last_accessed`, one service row per principal and service)."""
    rows = (ServiceLastAccessed.everywhere.filter(account_id__in=list(account_ids), action="")
            .values_list("service", "account_id", "principal_id", "last_authenticated",
                         "region"))
    latest: dict[str, tuple[datetime, str, str]] = {}
    principals: dict[str, set[str]] = {}
    for service, account, principal, when, region in rows:
        principals.setdefault(service, set()).add(principal)
        if service not in latest or when > latest[service][0]:
            latest[service] = (when, account, region or DEFAULT_REGION)
    return {ns: ServiceAccess(when, account, region, len(principals[ns]))
            for ns, (when, account, region) in latest.items()}


@dataclass(frozen=True)
class Entity:
    levels: list[str]  # target ids from the root down (root, OUs, the account)
    account_ids: list[str]  # the accounts under the entity
    account_paths: dict[str, str]  # account id -> its entity path


def _invalid_path(entity_path: str) -> InvalidInput:
    return InvalidInput(f"Invalid Entity Path: {entity_path}", field="entity_path")


def _entity(org: Organization, entity_path: str) -> Entity:
    parts = entity_path.strip("/").split("/") if isinstance(entity_path, str) else []
    if len(parts) < 2 or parts[0] != org.id or parts[1] != org.root.id:
        raise _invalid_path(entity_path)
    units = {unit.id: unit for unit in OrganizationalUnit.objects.filter(organization=org)}
    members = list(Membership.objects.filter(organization=org))
    parent: OrganizationalUnit | None = None
    account = None
    for index, part in enumerate(parts[2:], start=2):
        unit = units.get(part)
        if unit is not None and unit.parent_id == (parent.id if parent else None):
            parent = unit
            continue
        found = next((m for m in members if m.account_id == part), None)
        if (found is None or index != len(parts) - 1
                or found.parent_id != (parent.id if parent else None)):
            raise _invalid_path(entity_path)
        account = found

    def path_of(member: Membership) -> str:
        chain, unit = [], units.get(member.parent_id or "")
        while unit is not None:
            chain.append(unit.id)
            unit = units.get(unit.parent_id or "")
        return "/".join([org.id, org.root.id, *reversed(chain), member.account_id])
    paths = {m.account_id: path_of(m) for m in members}
    prefix = "/".join(parts) + "/"
    under = [account.account_id] if account is not None else [
        a for a, path in paths.items() if path.startswith(prefix)]
    return Entity(parts[1:], under, paths)


def _scp_levels(org: Organization, entity: Entity, policy_id: str | None):
    if policy_id:
        policy = Policy.objects.filter(id=policy_id, type=SCP).first()
        if policy is None or (policy.organization_id not in (None, org.id)):
            raise InvalidInput(f"Invalid Organizations policy id: {policy_id}",
                               field="organizations_policy_id")
        chosen = [[policy]]
    else:
        rows = (Attachment.objects.filter(organization=org, target_id__in=entity.levels,
                                          policy__type=SCP).select_related("policy"))
        by_target: dict[str, list[Policy]] = {}
        for row in rows:
            by_target.setdefault(row.target_id, []).append(row.policy)
        chosen = [by_target.get(target, []) for target in entity.levels]
    return [[compile_scp(p.content, policy_id=p.id, version_id=f"{p.id}:{p.revision}")
             for p in level] for level in chosen]


_EVERYTHING = compile_policy(
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
    policy_id="everything", policy_type="none", version_id="access-report:everything")


def _allowed_services(levels, account: str) -> list[str]:
    """The catalog's services of which the SCP levels allow at least one action."""
    identity = [_EVERYTHING]
    allowed = []
    for prefix in catalog.services():
        for action in catalog.actions_for_service(prefix):
            request = Request(action=action, resource="*", context=Context({}),
                              principal_arn=arns.root(account), principal_account=account)
            if evaluate(request, identity, scp_levels=levels, collect_missing=False).allowed:
                allowed.append(prefix)
                break
    return allowed


def _management(caller: Caller, action: str) -> Organization:
    member = (Membership.objects.select_related("organization", "organization__root")
              .filter(account_id=caller.account).first())
    org = member.organization if member is not None else None
    if org is None or org.management_id != caller.account:
        raise audit.denied(caller, AccessDenied(
            f"User: {caller.arn} is not authorized to perform: {action}: only the management "
            "account of an organization may use organizations access reports",
            action=action, resource="*"))
    return org


@operation
def generate(caller: Caller, entity_path: str,
             organizations_policy_id: str | None = None) -> AccessReport:
    action = "iam:GenerateOrganizationsAccessReport"
    org = _management(caller, action)
    authz.check(caller, action, arns.access_report(str(entity_path)))
    if not org.root.enabled(SCP):
        raise InvalidInput("Service control policies must be enabled for the organization "
                           "root to generate an organizations access report.")
    entity = _entity(org, entity_path)
    levels = _scp_levels(org, entity, organizations_policy_id)
    used = last_accessed(entity.account_ids)
    details = []
    for prefix in _allowed_services(levels, entity.account_ids[0] if entity.account_ids
                                    else org.management_id):
        row: dict = {"ServiceName": catalog.service_name(prefix), "ServiceNamespace": prefix,
                     "TotalAuthenticatedEntities": 0}
        access = used.get(prefix)
        if access is not None:
            row.update(Region=access.region, EntityPath=entity.account_paths[access.account_id],
                       LastAuthenticatedTime=access.last_authenticated.isoformat(),
                       TotalAuthenticatedEntities=access.entities)
        details.append(row)
    now = clock.now()
    report = AccessReport.objects.create(
        id=str(uuid.uuid4()), organization=org, entity_path=entity_path,
        policy_id=organizations_policy_id or "", created_at=now, completed_at=now,
        details=details)
    audit.record(caller, action, resource_type="access-report", resource_name=report.id,
                 resource_arn=arns.access_report(entity_path),
                 new={"JobId": report.id, "EntityPath": entity_path,
                      "OrganizationsPolicyId": organizations_policy_id})
    return report


def get(caller: Caller, job_id: str, sort_key: str | None = None) -> tuple[AccessReport, list]:
    """The report and its AccessDetails in `sort_key` order (default: namespace)."""
    action = "iam:GetOrganizationsAccessReport"
    org = _management(caller, action)
    authz.check(caller, action, "*")
    if sort_key is not None and sort_key not in SORT_KEYS:
        raise InvalidInput(f"Invalid SortKey: {sort_key}", field="sort_key")
    report = AccessReport.objects.filter(id=job_id, organization=org).first()
    if report is None:
        raise NoSuchEntity(f"Organizations access report {job_id} cannot be found.")
    details = list(report.details)
    key = sort_key or SORT_KEYS[0]
    if key.startswith("LAST_AUTHENTICATED_TIME"):
        details.sort(key=lambda d: (d.get("LastAuthenticatedTime") or "", d["ServiceNamespace"]),
                     reverse=key.endswith("DESCENDING"))
    else:
        details.sort(key=lambda d: d["ServiceNamespace"], reverse=key.endswith("DESCENDING"))
    return report, details


def services_not_accessed(details: list[dict]) -> int:
    return sum(1 for d in details if not d.get("LastAuthenticatedTime"))
