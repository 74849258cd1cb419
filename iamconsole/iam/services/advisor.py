"""Access Advisor: GenerateServiceLastAccessedDetails, GetServiceLastAccessedDetails,
GetServiceLastAccessedDetailsWithEntities and ListPoliciesGrantingServiceAccess.

A report lists every service the entity's identity policies grant (used or not), with when an
entity last was authenticated for it (`iam.last_accessed` records it), by whom and from which
region: for a user or role its own accesses, for a group its members', for a managed policy
those of the users (directly or through a group) and roles it is attached to. iamconsole
computes a report at once: the job is COMPLETED when GenerateServiceLastAccessedDetails answers,
and it keeps the figures of that moment (a snapshot, as AWS's).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from iamconsole.policy import catalog, grants

from .. import arns, audit, authz, clock, kinds
from ..caller import Caller
from ..errors import InvalidInput, NoSuchEntity, ValidationError
from ..kinds import Kind
from ..last_accessed import TRACKED_SERVICES
from ..models import Group, ManagedPolicy, Role, ServiceLastAccessed, ServiceLastAccessedJob, User
from ._common import operation
from .lookup import authorize_missing, get_policy_by_arn

GRANULARITIES = ("SERVICE_LEVEL", "ACTION_LEVEL")
_NAMESPACE = re.compile(r"[\w-]*")
_TIMES = ("LastAuthenticated", "LastAccessedTime")


@dataclass
class LastAccessedJob:
    """A report as GetServiceLastAccessedDetails answers it (datetimes, not strings)."""

    job_id: str
    arn: str
    job_type: str
    status: str
    created_at: datetime
    completed_at: datetime
    services: list[dict[str, Any]]
    entities: list[dict[str, Any]]  # EntityInfo of every entity the report covers
    by_service: dict[str, dict[str, str]]  # namespace → {entity id: last authenticated}

    def entities_for(self, namespace: str) -> list[dict[str, Any]]:
        """EntityDetailsList: every entity of the report, the ones that used the service first
        (most recent first), then the others by name."""
        times = self.by_service.get(namespace.lower())
        if times is None:
            return []
        rows = []
        for info in self.entities:
            at = times.get(info["Id"])
            rows.append({"EntityInfo": info,
                         **({"LastAuthenticated": _time(at)} if at else {})})
        rows.sort(key=lambda r: (r.get("LastAuthenticated") is None,
                                 -(r["LastAuthenticated"].timestamp()
                                   if "LastAuthenticated" in r else 0),
                                 r["EntityInfo"]["Name"].lower()))
        return rows


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _revive(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: (_time(v) if k in _TIMES else v) for k, v in row.items()}
    if "TrackedActionsLastAccessed" in out:
        out["TrackedActionsLastAccessed"] = [_revive(a) for a in out["TrackedActionsLastAccessed"]]
    return out


# --------------------------------------------------------------------------- the entity asked for


def _target(caller: Caller, arn: str, action: str, allowed: tuple[str, ...]) -> tuple[Kind, Any]:
    """The user, group, role or managed policy `arn` names, authorized for `action` on it (a
    missing one after authorizing its ARN: no existence oracle)."""
    parsed = arns.parse_any(arn) if isinstance(arn, str) else None
    kind = next((k for k in kinds.KINDS.values()
                 if parsed is not None and k.key in allowed and k.arn_type == parsed.type), None)
    if parsed is None or kind is None or parsed.service != "iam" or not parsed.name:
        raise InvalidInput(f"ARN {arn} is not valid.", field="arn")
    if kind.key == "policy":
        policy = get_policy_by_arn(arn, caller, action)
        authz.check(caller, action, policy.arn)
        return kind, policy
    entity = None
    if parsed.is_local:
        entity = kind.model.objects.filter(name__ci=parsed.name, path=parsed.path).first()
    if entity is None:
        authorize_missing(caller, action, arn)
        raise NoSuchEntity(f"The {kind.key} with name {parsed.name} cannot be found.")
    authz.check(caller, action, entity.arn)
    return kind, entity


def _principals(kind: Kind, entity: Any) -> list[Any]:
    """The users and roles whose accesses a report on `entity` counts."""
    if kind.key in ("user", "role"):
        return [entity]
    if kind.key == "group":
        return list(entity.members.order_by("name"))
    users = User.objects.filter(is_root=False).filter(
        _attached_user(entity)).distinct().order_by("name")
    roles = Role.objects.filter(policy_attachments__policy=entity).distinct().order_by("name")
    return [*users, *roles]


def _attached_user(policy: ManagedPolicy):
    from django.db.models import Q

    return (Q(policy_attachments__policy=policy)
            | Q(iam_groups__in=Group.objects.filter(policy_attachments__policy=policy)))


def _sources(kind: Kind, entity: Any) -> list[authz.PolicySource]:
    if kind.key == "policy":
        return [authz.managed_source(entity)]
    return authz.principal_sources(kind.key, entity)[0]


def _entity_info(principal: Any) -> dict[str, Any]:
    if isinstance(principal, Role):
        return {"Arn": principal.arn, "Name": principal.name, "Type": "ROLE",
                "Id": principal.role_id, "Path": principal.path}
    return {"Arn": principal.arn, "Name": principal.name, "Type": "USER",
            "Id": principal.user_id, "Path": principal.path}


# --------------------------------------------------------------------------- the report


def _build(kind: Kind, entity: Any, granularity: str) -> dict[str, Any]:
    compiled = [source.compile() for source in _sources(kind, entity)]
    principals = _principals(kind, entity)
    infos = [_entity_info(p) for p in principals]
    arn_of = {info["Id"]: info["Arn"] for info in infos}
    latest: dict[tuple[str, str], ServiceLastAccessed] = {}
    by_service: dict[str, dict[str, str]] = {}
    for row in ServiceLastAccessed.objects.filter(principal_id__in=list(arn_of)).order_by(
            "last_authenticated"):
        latest[(row.service, row.action)] = row  # the most recent wins
        if not row.action:
            by_service.setdefault(row.service, {})[row.principal_id] = \
                row.last_authenticated.isoformat()
    services = []
    for namespace in sorted(grants.granted_services(compiled),
                            key=lambda s: (catalog.service_name(s).lower(), s)):
        entry: dict[str, Any] = {"ServiceName": catalog.service_name(namespace),
                                 "ServiceNamespace": namespace,
                                 "TotalAuthenticatedEntities": len(by_service.get(namespace, {}))}
        row = latest.get((namespace, ""))
        if row is not None:
            entry.update(LastAuthenticated=row.last_authenticated.isoformat(),
                         LastAuthenticatedEntity=arn_of[row.principal_id],
                         LastAuthenticatedRegion=row.region)
        if granularity == "ACTION_LEVEL" and namespace in TRACKED_SERVICES:
            tracked = []
            for name in grants.granted_actions(compiled, namespace):
                action = {"ActionName": name}
                hit = latest.get((namespace, name))
                if hit is not None:
                    action.update(LastAccessedEntity=arn_of[hit.principal_id],
                                  LastAccessedTime=hit.last_authenticated.isoformat(),
                                  LastAccessedRegion=hit.region)
                tracked.append(action)
            entry["TrackedActionsLastAccessed"] = tracked
        services.append(entry)
    by_service = {ns: times for ns, times in by_service.items()
                  if any(s["ServiceNamespace"] == ns for s in services)}
    for entry in services:
        by_service.setdefault(entry["ServiceNamespace"], {})
    return {"services": services, "entities": infos, "by_service": by_service}


@operation
def generate_service_last_accessed_details(caller: Caller, arn: str,
                                           granularity: str | None = None) -> str:
    """GenerateServiceLastAccessedDetails → the JobId of a report computed at once."""
    granularity = granularity or "SERVICE_LEVEL"
    if granularity not in GRANULARITIES:
        raise ValidationError(
            f"Value '{granularity}' at 'granularity' failed to satisfy constraint: Member must "
            f"satisfy enum value set: [{', '.join(GRANULARITIES)}]", field="granularity")
    action = "iam:GenerateServiceLastAccessedDetails"
    kind, entity = _target(caller, arn, action, ("user", "group", "role", "policy"))
    now = clock.now()
    job = ServiceLastAccessedJob.objects.create(
        job_id=str(uuid.uuid4()), arn=entity.arn, granularity=granularity, created_at=now,
        completed_at=clock.now(), report=_build(kind, entity, granularity))
    audit.record(caller, action, resource_type=kind.key, resource_name=entity.name,
                 resource_arn=entity.arn, new={"JobId": job.job_id, "Granularity": granularity})
    return job.job_id


def _job(caller: Caller, job_id: str, action: str) -> LastAccessedJob:
    authz.check(caller, action, "*")
    job = ServiceLastAccessedJob.objects.filter(job_id=job_id or "").first()
    if job is None:
        raise NoSuchEntity(f"No report found for job id {job_id}.")
    report = job.report
    return LastAccessedJob(
        job_id=job.job_id, arn=job.arn, job_type=job.granularity, status="COMPLETED",
        created_at=job.created_at, completed_at=job.completed_at,
        services=[_revive(s) for s in report.get("services", [])],
        entities=report.get("entities", []), by_service=report.get("by_service", {}),
    )


def get_service_last_accessed_details(caller: Caller, job_id: str) -> LastAccessedJob:
    return _job(caller, job_id, "iam:GetServiceLastAccessedDetails")


def get_service_last_accessed_details_with_entities(caller: Caller, job_id: str,
                                                    service_namespace: str
                                                    ) -> tuple[LastAccessedJob, list[dict]]:
    """(the job, its EntityDetailsList for the service)."""
    namespace = _namespace(service_namespace)
    job = _job(caller, job_id, "iam:GetServiceLastAccessedDetailsWithEntities")
    return job, job.entities_for(namespace)


def _namespace(value: Any) -> str:
    if not isinstance(value, str) or not value or len(value) > 64 \
            or not _NAMESPACE.fullmatch(value):
        raise ValidationError(
            f"Value '{value}' at 'serviceNamespace' failed to satisfy constraint: Member must "
            r"satisfy regular expression pattern: [\w-]*", field="service_namespace")
    return value


# --------------------------------------------------------------------------- policies granting


def list_policies_granting_service_access(caller: Caller, arn: str,
                                          service_namespaces: list[str]) -> list[dict[str, Any]]:
    """ListPoliciesGrantingServiceAccess: per namespace asked for, the policies of the user,
    group or role (a user's groups' too) that grant some action of it."""
    if not service_namespaces or len(service_namespaces) > 200:
        raise ValidationError(
            "Value at 'serviceNamespaces' failed to satisfy constraint: Member must have length "
            "less than or equal to 200, and greater than or equal to 1",
            field="service_namespaces")
    namespaces = [_namespace(ns) for ns in service_namespaces]
    kind, entity = _target(caller, arn, "iam:ListPoliciesGrantingServiceAccess",
                           ("user", "group", "role"))
    sources = [(source, source.compile()) for source in _sources(kind, entity)]
    out = []
    for namespace in namespaces:
        policies = []
        for source, compiled in sources:
            if not grants.grants_service(compiled, namespace):
                continue
            if source.arn:
                policies.append({"PolicyName": source.name, "PolicyType": "MANAGED",
                                 "PolicyArn": source.arn})
            else:
                owner_type, _, owner_name = source.owner.partition("/")
                policies.append({"PolicyName": source.name, "PolicyType": "INLINE",
                                 "EntityType": owner_type.upper(), "EntityName": owner_name})
        out.append({"ServiceNamespace": namespace, "Policies": policies})
    return out
