"""Narrowing and re-reading what the list and get operations return, for the doors that offer
more than AWS's own parameters (the REST API's `?tag=` and `?arn=` filters, a policy re-read
after a change, an identity locked for a conditional write): the doors build no queries."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ..errors import NoSuchEntity
from ..listing import tagged as filter_by_tag  # noqa: F401 - the REST door's ?tag=
from ..models import ManagedPolicy
from .lookup import parse_policy_arn
from .policies import with_counts


def filter_by_policy_arn(policies: QuerySet[ManagedPolicy], arn: str | None,
                         ) -> QuerySet[ManagedPolicy]:
    """Only the managed policy `arn` names (none for another account's ARN); an ARN that is
    not a policy ARN is InvalidInput."""
    if not arn:
        return policies
    try:
        path, name, aws_managed = parse_policy_arn(arn)
    except NoSuchEntity:
        return policies.none()
    return policies.filter(name=name, path=path, is_aws_managed=aws_managed)


def refreshed_policy(policy: ManagedPolicy) -> ManagedPolicy:
    """`policy` read again after a change, with its attachment counts and versions (its
    revision, counts and default version as they are now)."""
    return with_counts(ManagedPolicy.objects.filter(pk=policy.pk)).prefetch_related(
        "versions").get()


def lock_entity(entity: Any) -> None:
    """Lock `entity`'s row until the end of the transaction (a conditional write: nothing can
    change it between the precondition's check and the write, which locks it too)."""
    type(entity).objects.select_for_update().filter(pk=entity.pk).first()
