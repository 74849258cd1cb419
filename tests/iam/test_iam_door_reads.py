"""Domain reads the doors call instead of querying models: one audit event, the policies an
ARN list names, list pages, the sign-in door's lookups and the demo seeding."""

from __future__ import annotations

import pytest
from personas import caller_for, make_user

from iamconsole.iam import arns, audit, authn, demo, errors, listing
from iamconsole.iam import services as iam
from iamconsole.iam.models import ManagedPolicy, User
from iamconsole.iam.services import mfa
from iamconsole.iam.services.policies import policies_with_arns

pytestmark = pytest.mark.django_db

DOC = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", ' \
      '"Resource": "*"}]}'


def test_find_event_reads_one_event_for_a_caller_allowed_lookup(system, admin, outsider):
    iam.create_group(system, "Ops")
    event = audit.lookup_events(system, action="iam:CreateGroup").get()
    assert audit.find_event(caller_for(admin), event.pk) == event
    assert audit.find_event(caller_for(admin), event.pk + 10_000) is None
    with pytest.raises(errors.AccessDenied):
        audit.find_event(caller_for(outsider), event.pk)
    assert not audit.no_events().exists()


def test_policies_with_arns_skips_patterns_and_other_accounts(system):
    iam.create_policy(system, "S3", DOC)
    iam.create_policy(system, "S3b", DOC)
    policies = ManagedPolicy.objects.all()
    found = policies_with_arns(policies, [arns.policy("S3"), arns.policy("S3*"),
                                          "arn:aws:iam::999999999999:policy/S3b", "nonsense"])
    assert [p.name for p in found] == ["S3"]
    assert policies_with_arns(policies, ["*"]) == []


def test_listing_searches_tags_and_pages(system):
    for name, tags in (("ann", {"team": "a"}), ("bea", {"team": "b"}), ("cal", {})):
        iam.create_user(system, name, tags=tags)
    users = User.objects.filter(is_root=False)
    assert [u.name for u in listing.search(users, "EA")] == ["bea"]
    assert {u.name for u in listing.tagged(users, "team")} == {"ann", "bea"}
    assert [u.name for u in listing.tagged(users, "team=b")] == ["bea"]
    page = listing.page(users, order="name", descending=True, per_page=2, number=1)
    assert [u.name for u in page.object_list] == ["cal", "bea"] and page.has_next()
    assert listing.excluding(users, {page.object_list[0].pk}).count() == 2


def test_sign_in_lookups(system):
    alice = make_user("alice")
    assert authn.user_named("ALICE") == alice and authn.user_named("nobody") is None
    assert authn.active_user(alice.pk) == alice
    assert mfa.default_device_name(alice) == "alice"
    iam.create_virtual_mfa_device(system, "alice")
    assert mfa.default_device_name(alice) == "alice-2"
    assert not mfa.has_mfa_device(alice) and mfa.mfa_device_count(alice) == 0
    assert not mfa.mfa_enrollment_required(alice)
    iam.update_account_settings(system, require_mfa=True)
    assert mfa.account_requires_mfa() and mfa.mfa_enrollment_required(alice)


def test_demo_seeding_is_idempotent(db):
    first = demo.seed()
    assert first.admin_created and not first.root_exists
    again = demo.seed()
    assert not again.admin_created and not again.root_exists
    assert User.objects.get(name="delegated-admin").policy_attachments.count() == 1
