"""What the policy engine needs of an account's organization (for the integrator who wires
SCPs and RCPs into `authz`).

    guardrails(account_id) -> (scp_levels, rcp_levels)

Each is None when nothing limits the account (no organization, the management account, or
the policy type not enabled on the root), else one list per level from the root down to the
account itself (root, each OU on the way, the account), each level the list of
`(policy_id, revision, content_text)` of the policies of that type attached there. AWS's
rule: a request is allowed only if every level allows it (a Deny anywhere denies).

    org_context(account_id) -> {"aws:PrincipalOrgID": "o-x",
                                "aws:PrincipalOrgPaths": ["o-x/r-x/ou-a/ou-b/"]}

for an account in an organization (the management account too), {} otherwise;
`resource_org_context(account_id)` the same as aws:ResourceOrgID / aws:ResourceOrgPaths.

    revision(account_id) -> int | None

the organization's revision (None: no organization); it grows with every change to the
organization, so `(account_id, revision)` is a sound cache key for both answers above.
"""

from __future__ import annotations

from collections import defaultdict

from .models import RCP, SCP, Membership, Organization, OrganizationalUnit, PolicyAttachment

Level = list[tuple[str, int, str]]


def _membership(account_id: str) -> Membership | None:
    return (Membership.objects.select_related("organization", "organization__root", "parent")
            .filter(account_id=account_id).first())


def revision(account_id: str) -> int | None:
    value = (Membership.objects.filter(account_id=account_id)
             .values_list("organization__revision", flat=True).first())
    return value


def _chain(member: Membership) -> list[OrganizationalUnit]:
    """The OUs from the root down to the account's parent."""
    chain: list[OrganizationalUnit] = []
    unit = member.parent
    while unit is not None:
        chain.append(unit)
        unit = unit.parent
    return list(reversed(chain))


def _path(org: Organization, chain: list[OrganizationalUnit]) -> str:
    return "/".join([org.id, org.root.id, *(unit.id for unit in chain)]) + "/"


def guardrails(account_id: str) -> tuple[list[Level] | None, list[Level] | None]:
    member = _membership(account_id)
    if member is None:
        return None, None
    org = member.organization
    if org.management_id == account_id:  # SCPs and RCPs never limit the management account
        return None, None
    enabled = [t for t in (SCP, RCP) if org.root.enabled(t)]
    if not enabled:
        return None, None
    target_ids = [org.root.id, *(unit.id for unit in _chain(member)), account_id]
    attached: dict[tuple[str, str], Level] = defaultdict(list)
    rows = (PolicyAttachment.objects.filter(organization=org, target_id__in=target_ids,
                                            policy__type__in=enabled)
            .select_related("policy").order_by("created_at", "id"))
    for row in rows:
        policy = row.policy
        attached[(row.target_id, policy.type)].append((policy.id, policy.revision,
                                                       policy.content))
    result: dict[str, list[Level] | None] = {SCP: None, RCP: None}
    for policy_type in enabled:
        result[policy_type] = [attached.get((target, policy_type), []) for target in target_ids]
    return result[SCP], result[RCP]


def org_context(account_id: str) -> dict[str, object]:
    member = _membership(account_id)
    if member is None:
        return {}
    org = member.organization
    return {"aws:PrincipalOrgID": org.id,
            "aws:PrincipalOrgPaths": [_path(org, _chain(member))]}


def resource_org_context(account_id: str) -> dict[str, object]:
    """aws:ResourceOrgID / aws:ResourceOrgPaths of a resource owned by `account_id` (for
    RCPs and resource policies), {} when the account is in no organization."""
    context = org_context(account_id)
    if not context:
        return {}
    return {"aws:ResourceOrgID": context["aws:PrincipalOrgID"],
            "aws:ResourceOrgPaths": context["aws:PrincipalOrgPaths"]}
