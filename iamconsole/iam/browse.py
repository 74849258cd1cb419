"""Reads behind browsing entities in the console: the per-row columns of the entity lists and a
managed policy by its console address (/policies/<aws|local>/<name>/).

The columns are correlated subqueries added to a list's queryset: computed for the rows a query
returns (the page's, see console/listing.py), so a page of 25 users is one query whatever the
account's size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from .errors import NoSuchEntity
from .models import (
    AccessKey,
    Group,
    GroupInlinePolicy,
    GroupPolicyAttachment,
    ManagedPolicy,
    RoleInlinePolicy,
    RolePolicyAttachment,
    User,
    UserInlinePolicy,
    UserPolicyAttachment,
    VirtualMFADevice,
)
from .services._common import related_count
from .services.policies import with_counts


def user_rows(qs: QuerySet) -> QuerySet:
    """Users with group_count, policy_count (attached + inline), key_count, has_mfa and
    oldest_key (the creation time of the oldest active access key)."""
    return qs.annotate(
        group_count=related_count(Group.members.through, "user"),
        policy_count=related_count(UserPolicyAttachment, "user")
        + related_count(UserInlinePolicy, "user"),
        key_count=related_count(AccessKey, "user"),
        has_mfa=Exists(VirtualMFADevice.objects.filter(user=OuterRef("pk"))),
        oldest_key=Subquery(AccessKey.objects.filter(user=OuterRef("pk"), status="Active")
                            .order_by("created_at").values("created_at")[:1]),
    )


def group_rows(qs: QuerySet) -> QuerySet:
    """Groups with user_count and policy_count (attached + inline)."""
    return qs.annotate(
        user_count=related_count(User.iam_groups.through, "group"),
        policy_count=related_count(GroupPolicyAttachment, "group")
        + related_count(GroupInlinePolicy, "group"),
    )


def role_rows(qs: QuerySet) -> QuerySet:
    """Roles with policy_count (attached + inline)."""
    return qs.annotate(policy_count=related_count(RolePolicyAttachment, "role")
                       + related_count(RoleInlinePolicy, "role"))


# The list columns of each kind (iam.kinds key); policies: their attachment counts.
ROWS: dict[str, Callable[[QuerySet], QuerySet]] = {
    "user": user_rows, "group": group_rows, "role": role_rows, "policy": with_counts,
}


@dataclass(frozen=True)
class SummaryCard:
    key: str  # the row column (group_count...)
    label: str
    tab: str  # the tab of the entity's page that shows it
    value: object = None


# The summary cards of each kind's page: columns of ROWS.
SUMMARY_CARDS: dict[str, tuple[SummaryCard, ...]] = {
    "user": (SummaryCard("group_count", "Groups", "groups"),
             SummaryCard("policy_count", "Policies", "permissions"),
             SummaryCard("key_count", "Access keys", "credentials"),
             SummaryCard("has_mfa", "MFA", "credentials"),
             SummaryCard("has_console_access", "Console access", "credentials")),
    "group": (SummaryCard("user_count", "Users", "users"),
              SummaryCard("policy_count", "Policies", "permissions")),
    "role": (SummaryCard("policy_count", "Policies", "permissions"),),
    "policy": (SummaryCard("user_count", "Users attached", "entities"),
               SummaryCard("group_count", "Groups attached", "entities"),
               SummaryCard("role_count", "Roles attached", "entities")),
}


def entity_summary(kind: str, entity) -> list[SummaryCard]:
    """The summary cards of `entity` (a user, group, role or managed policy), read again: one
    query (ROWS' columns on its one row); other kinds have none."""
    cards, rows = SUMMARY_CARDS.get(kind, ()), ROWS.get(kind)
    if not cards or rows is None:
        return []
    qs = rows(type(entity).objects.filter(pk=entity.pk))
    if kind == "user":
        qs = qs.annotate(has_console_access=~Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)
                         & ~Q(password=""))
    values = qs.values(*(card.key for card in cards)).first() or {}
    return [replace(card, value=values.get(card.key)) for card in cards]


def policy_at(scope: str, name: str) -> ManagedPolicy:
    """The managed policy a console address names: scope "aws" (AWS managed) or "local"
    (customer managed) and its name, ignoring case; NoSuchEntity otherwise."""
    policy = None
    if scope in ("aws", "local"):
        policy = ManagedPolicy.objects.filter(name__ci=name,
                                              is_aws_managed=(scope == "aws")).first()
    if policy is None:
        raise NoSuchEntity(f"Policy {name} does not exist.")
    return policy
