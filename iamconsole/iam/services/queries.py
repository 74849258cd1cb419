"""Narrowing and re-reading what the list and get operations return, for the doors that offer
more than AWS's own parameters (the REST API's `?tag=` and `?arn=` filters, a policy re-read
after a change, an identity locked for a conditional write): the doors build no queries."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from .. import kinds
from ..errors import NoSuchEntity
from ..models import ManagedPolicy
from .lookup import parse_policy_arn
from .policies import with_counts


def filter_by_tag(queryset: QuerySet, tag: str | None) -> QuerySet:
    """Only the entities with the tag `tag`: `key` (any value) or `key=value` (the first "="
    separates). A kind without tags (groups) has none with any tag."""
    if not tag:
        return queryset
    kind = next((k for k in kinds.KINDS.values() if k.model is queryset.model), None)
    if kind is None or not kind.has_tags:
        return queryset.none()
    key, sep, value = tag.partition("=")
    queryset = queryset.filter(tags__has_key=key)
    if sep:
        queryset = queryset.annotate(
            _tag_value=Cast(KeyTextTransform(key, "tags"), output_field=CharField())
        ).filter(_tag_value=value)
    return queryset


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
