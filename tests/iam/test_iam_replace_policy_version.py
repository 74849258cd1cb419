"""replace_policy_version: at the five-version limit, delete one version and create the new one
in one transaction."""

from __future__ import annotations

import pytest
from personas import allow, policy_json

from iamconsole.iam import errors
from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent


@pytest.fixture
def full(db, system):
    policy = iam.create_policy(system, "Full", policy_json(allow("s3:GetObject", "*")))
    for number in range(2, 6):
        iam.create_policy_version(system, policy.arn, policy_json(allow(f"s3:A{number}", "*")))
    return policy


def _numbers(policy) -> list[int]:
    return sorted(policy.versions.values_list("number", flat=True))


def test_replace_deletes_then_creates(system, full):
    version = iam.replace_policy_version(system, full.arn, "v4",
                                         policy_json(allow("s3:New", "*")), set_as_default=True)
    assert version.version_id == "v6" and version.is_default
    assert _numbers(full) == [1, 2, 3, 5, 6]


@pytest.mark.parametrize(("version_id", "document", "error"), [
    ("v1", policy_json(allow("s3:New", "*")), errors.DeleteConflict),  # the default
    ("v9", policy_json(allow("s3:New", "*")), errors.NoSuchEntity),
    ("v2", "{not json", errors.MalformedPolicyDocument),
])
def test_a_failure_changes_nothing(system, full, version_id, document, error):
    events = AuditEvent.objects.count()
    with pytest.raises(error):
        iam.replace_policy_version(system, full.arn, version_id, document)
    assert _numbers(full) == [1, 2, 3, 4, 5]
    assert AuditEvent.objects.count() == events


def test_a_stale_revision_is_refused(system, full):
    with pytest.raises(errors.ConcurrentModification):
        iam.replace_policy_version(system, full.arn, "v2", policy_json(allow("s3:New", "*")),
                                   revision=full.revision - 1)
    assert _numbers(full) == [1, 2, 3, 4, 5]
