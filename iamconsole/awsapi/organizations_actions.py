"""AWS Organizations over the JSON protocol: one handler per operation, each a thin adapter
(params -> `iamconsole.orgs.services` -> result dict as boto3 returns it)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any

from iamconsole.iam import arns
from iamconsole.iam.caller import Caller
from iamconsole.orgs import services as orgs
from iamconsole.orgs.errors import InvalidInputException

ACTIONS: dict[str, Callable[[Caller, dict[str, Any]], dict[str, Any] | None]] = {}
DEFAULT_MAX_RESULTS = 20
_TOKEN_PREFIX = "iamconsole-orgs:"


def action(name: str):
    def register(func):
        ACTIONS[name] = func
        return func

    return register


# --------------------------------------------------------------------------- pagination


def _page(params: dict[str, Any], items: Sequence[Any], key: str,
          shape: Callable[[Any], Any]) -> dict[str, Any]:
    token = params.get("NextToken")
    offset = 0
    if token:
        try:
            text = base64.urlsafe_b64decode(token.encode("ascii")).decode("ascii")
        except (binascii.Error, UnicodeError, ValueError):
            text = ""
        number = text.removeprefix(_TOKEN_PREFIX)
        if not text.startswith(_TOKEN_PREFIX) or not number.isdigit():
            raise InvalidInputException(reason="INVALID_NEXT_TOKEN")
        offset = int(number)
    limit = params.get("MaxResults") or DEFAULT_MAX_RESULTS
    window = list(items[offset:offset + limit + 1])
    result: dict[str, Any] = {key: [shape(item) for item in window[:limit]]}
    if len(window) > limit:
        result["NextToken"] = base64.urlsafe_b64encode(
            f"{_TOKEN_PREFIX}{offset + limit}".encode()).decode("ascii")
    return result


# --------------------------------------------------------------------------- shapes


def _organization(org) -> dict[str, Any]:
    management = org.management_account
    return {
        "Id": org.id, "Arn": org.arn, "FeatureSet": org.feature_set,
        "MasterAccountArn": arns.org_account(org.management_id, org.id, org.management_id),
        "MasterAccountId": org.management_id, "MasterAccountEmail": management.email or None,
        "AvailablePolicyTypes": [{"Type": t, "Status": "ENABLED"}
                                 for t in org.root.enabled_policy_types],
    }


def _account(member) -> dict[str, Any]:
    account = member.account
    return {
        "Id": account.id, "Arn": member.arn, "Email": account.email or None,
        "Name": account.name or None, "Status": member.status, "State": member.status,
        "Paths": orgs.account_paths(member), "JoinedMethod": member.joined_method,
        "JoinedTimestamp": member.joined_at,
    }


def _root(root) -> dict[str, Any]:
    return {"Id": root.id, "Arn": root.arn, "Name": root.name,
            "PolicyTypes": [{"Type": t, "Status": "ENABLED"} for t in root.enabled_policy_types]}


def _unit(unit) -> dict[str, Any]:
    return {"Id": unit.id, "Arn": unit.arn, "Name": unit.name,
            "Path": orgs.unit_path(unit.organization, unit)}


def _summary(policy, org) -> dict[str, Any]:
    return {"Id": policy.id, "Arn": policy.arn_in(org), "Name": policy.name,
            "Description": policy.description, "Type": policy.type,
            "AwsManaged": policy.aws_managed}


def _policy(policy, org) -> dict[str, Any]:
    return {"PolicySummary": _summary(policy, org), "Content": policy.content}


def _status(status) -> dict[str, Any]:
    return {"Id": status.id, "AccountName": status.account_name, "State": status.state,
            "RequestedTimestamp": status.requested_at,
            "CompletedTimestamp": status.completed_at, "AccountId": status.account_id or None,
            "FailureReason": status.failure_reason or None}


def _org(caller: Caller):
    return orgs.organization_of(caller.account)


# --------------------------------------------------------------------------- organization


@action("CreateOrganization")
def create_organization(caller: Caller, params: dict) -> dict:
    org = orgs.create_organization(caller, params.get("FeatureSet", "ALL"))
    return {"Organization": _organization(org)}


@action("DescribeOrganization")
def describe_organization(caller: Caller, params: dict) -> dict:
    return {"Organization": _organization(orgs.describe_organization(caller))}


@action("DeleteOrganization")
def delete_organization(caller: Caller, params: dict) -> None:
    orgs.delete_organization(caller)


@action("ListRoots")
def list_roots(caller: Caller, params: dict) -> dict:
    return _page(params, orgs.list_roots(caller), "Roots", _root)


@action("EnablePolicyType")
def enable_policy_type(caller: Caller, params: dict) -> dict:
    return {"Root": _root(orgs.enable_policy_type(caller, params["RootId"],
                                                  params["PolicyType"]))}


@action("DisablePolicyType")
def disable_policy_type(caller: Caller, params: dict) -> dict:
    return {"Root": _root(orgs.disable_policy_type(caller, params["RootId"],
                                                   params["PolicyType"]))}


# --------------------------------------------------------------------------- accounts


@action("CreateAccount")
def create_account(caller: Caller, params: dict) -> dict:
    status = orgs.create_account(caller, email=params["Email"],
                                 account_name=params["AccountName"],
                                 role_name=params.get("RoleName"), tags=params.get("Tags"))
    return {"CreateAccountStatus": _status(status)}


@action("DescribeCreateAccountStatus")
def describe_create_account_status(caller: Caller, params: dict) -> dict:
    status = orgs.describe_create_account_status(caller, params["CreateAccountRequestId"])
    return {"CreateAccountStatus": _status(status)}


@action("ListCreateAccountStatus")
def list_create_account_status(caller: Caller, params: dict) -> dict:
    statuses = orgs.list_create_account_status(caller, params.get("States"))
    return _page(params, statuses, "CreateAccountStatuses", _status)


@action("DescribeAccount")
def describe_account(caller: Caller, params: dict) -> dict:
    return {"Account": _account(orgs.describe_account(caller, params["AccountId"]))}


@action("ListAccounts")
def list_accounts(caller: Caller, params: dict) -> dict:
    return _page(params, orgs.list_accounts(caller), "Accounts", _account)


@action("ListAccountsForParent")
def list_accounts_for_parent(caller: Caller, params: dict) -> dict:
    return _page(params, orgs.list_accounts_for_parent(caller, params["ParentId"]),
                 "Accounts", _account)


@action("MoveAccount")
def move_account(caller: Caller, params: dict) -> None:
    orgs.move_account(caller, params["AccountId"], params["SourceParentId"],
                      params["DestinationParentId"])


@action("RemoveAccountFromOrganization")
def remove_account_from_organization(caller: Caller, params: dict) -> None:
    orgs.remove_account_from_organization(caller, params["AccountId"])


@action("LeaveOrganization")
def leave_organization(caller: Caller, params: dict) -> None:
    orgs.leave_organization(caller)


# --------------------------------------------------------------------------- OUs


@action("CreateOrganizationalUnit")
def create_organizational_unit(caller: Caller, params: dict) -> dict:
    unit = orgs.create_organizational_unit(caller, params["ParentId"], params["Name"],
                                           params.get("Tags"))
    return {"OrganizationalUnit": _unit(unit)}


@action("DescribeOrganizationalUnit")
def describe_organizational_unit(caller: Caller, params: dict) -> dict:
    unit = orgs.describe_organizational_unit(caller, params["OrganizationalUnitId"])
    return {"OrganizationalUnit": _unit(unit)}


@action("UpdateOrganizationalUnit")
def update_organizational_unit(caller: Caller, params: dict) -> dict:
    unit = orgs.update_organizational_unit(caller, params["OrganizationalUnitId"],
                                           params.get("Name"))
    return {"OrganizationalUnit": _unit(unit)}


@action("DeleteOrganizationalUnit")
def delete_organizational_unit(caller: Caller, params: dict) -> None:
    orgs.delete_organizational_unit(caller, params["OrganizationalUnitId"])


@action("ListOrganizationalUnitsForParent")
def list_organizational_units_for_parent(caller: Caller, params: dict) -> dict:
    units = orgs.list_organizational_units_for_parent(caller, params["ParentId"])
    return _page(params, units, "OrganizationalUnits", _unit)


@action("ListChildren")
def list_children(caller: Caller, params: dict) -> dict:
    children = orgs.list_children(caller, params["ParentId"], params["ChildType"])
    return _page(params, children, "Children", lambda c: {"Id": c[0], "Type": c[1]})


@action("ListParents")
def list_parents(caller: Caller, params: dict) -> dict:
    parents = orgs.list_parents(caller, params["ChildId"])
    return _page(params, parents, "Parents", lambda p: {"Id": p[0], "Type": p[1]})


# --------------------------------------------------------------------------- policies


@action("CreatePolicy")
def create_policy(caller: Caller, params: dict) -> dict:
    policy = orgs.create_policy(caller, content=params["Content"],
                                description=params["Description"], name=params["Name"],
                                type=params["Type"], tags=params.get("Tags"))
    return {"Policy": _policy(policy, _org(caller))}


@action("DescribePolicy")
def describe_policy(caller: Caller, params: dict) -> dict:
    policy = orgs.describe_policy(caller, params["PolicyId"])
    return {"Policy": _policy(policy, _org(caller))}


@action("UpdatePolicy")
def update_policy(caller: Caller, params: dict) -> dict:
    policy = orgs.update_policy(caller, params["PolicyId"], name=params.get("Name"),
                                description=params.get("Description"),
                                content=params.get("Content"))
    return {"Policy": _policy(policy, _org(caller))}


@action("DeletePolicy")
def delete_policy(caller: Caller, params: dict) -> None:
    orgs.delete_policy(caller, params["PolicyId"])


@action("ListPolicies")
def list_policies(caller: Caller, params: dict) -> dict:
    policies = orgs.list_policies(caller, params["Filter"])
    org = _org(caller)
    return _page(params, policies, "Policies", lambda p: _summary(p, org))


@action("ListPoliciesForTarget")
def list_policies_for_target(caller: Caller, params: dict) -> dict:
    policies = orgs.list_policies_for_target(caller, params["TargetId"], params["Filter"])
    org = _org(caller)
    return _page(params, policies, "Policies", lambda p: _summary(p, org))


@action("ListTargetsForPolicy")
def list_targets_for_policy(caller: Caller, params: dict) -> dict:
    targets = orgs.list_targets_for_policy(caller, params["PolicyId"])
    return _page(params, targets, "Targets", lambda t: {"TargetId": t.id, "Arn": t.arn,
                                                        "Name": t.name, "Type": t.type})


@action("AttachPolicy")
def attach_policy(caller: Caller, params: dict) -> None:
    orgs.attach_policy(caller, params["PolicyId"], params["TargetId"])


@action("DetachPolicy")
def detach_policy(caller: Caller, params: dict) -> None:
    orgs.detach_policy(caller, params["PolicyId"], params["TargetId"])


@action("DescribeEffectivePolicy")
def describe_effective_policy(caller: Caller, params: dict) -> None:
    orgs.describe_effective_policy(caller, params["PolicyType"], params.get("TargetId"))


# --------------------------------------------------------------------------- tags


@action("TagResource")
def tag_resource(caller: Caller, params: dict) -> None:
    orgs.tag_resource(caller, params["ResourceId"], params["Tags"])


@action("UntagResource")
def untag_resource(caller: Caller, params: dict) -> None:
    orgs.untag_resource(caller, params["ResourceId"], params["TagKeys"])


@action("ListTagsForResource")
def list_tags_for_resource(caller: Caller, params: dict) -> dict:
    tags = orgs.list_tags_for_resource(caller, params["ResourceId"])
    return _page(params, list(tags.items()), "Tags", lambda kv: {"Key": kv[0], "Value": kv[1]})
