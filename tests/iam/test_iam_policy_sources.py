"""The policies that apply to a principal, gathered by one query (iam.authz.principal_sources):
what SimulatePrincipalPolicy lists and what every authorization evaluates."""

from __future__ import annotations

import pytest
from django.db import connection
from personas import allow, make_user, policy_json

from iamconsole.iam import authz
from iamconsole.iam import services as iam
from iamconsole.iam.models import Role, User

pytestmark = pytest.mark.django_db
TRUST = policy_json({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                     "Action": "sts:AssumeRole"})


def _policy(system, name: str):
    return iam.create_policy(system, name, policy_json(allow(f"s3:{name}")))


def test_user_sources_in_aws_order_with_groups_and_boundary(system):
    make_user("dana")
    first, second, shared, boundary = (_policy(system, n) for n in ("Zeta", "Alpha", "Shared",
                                                                     "Limit"))
    iam.put_user_policy(system, "dana", "b-inline", policy_json(allow("s3:B")))
    iam.put_user_policy(system, "dana", "a-inline", policy_json(allow("s3:A")))
    iam.attach_user_policy(system, "dana", first.arn)  # attachment order, not name order
    iam.attach_user_policy(system, "dana", second.arn)
    for group in ("ops", "dev"):
        iam.create_group(system, group)
        iam.add_user_to_group(system, group, "dana")
        iam.put_group_policy(system, group, f"{group}-inline", policy_json(allow("s3:G")))
        iam.attach_group_policy(system, group, shared.arn)
    iam.put_user_permissions_boundary(system, "dana", boundary.arn)
    iam.create_policy_version(system, first.arn, policy_json(allow("s3:Zeta2")),
                              set_as_default=True)

    identity, bound = authz.principal_sources("user", User.objects.get(name="dana"))
    assert [(s.owner, s.policy_type, s.name) for s in identity] == [
        ("user/dana", "user", "a-inline"), ("user/dana", "user", "b-inline"),
        ("user/dana", "user-managed", "Zeta"), ("user/dana", "user-managed", "Alpha"),
        ("group/dev", "group", "dev-inline"), ("group/dev", "user-managed", "Shared"),
        ("group/ops", "group", "ops-inline"), ("group/ops", "user-managed", "Shared"),
    ]
    zeta = identity[2]
    assert zeta.arn == first.arn and zeta.version_id == f"{first.policy_id}:v2"
    assert "s3:Zeta2" in zeta.document  # the default version's document
    assert bound is not None and bound.arn == boundary.arn and bound.owner == "boundary"


def test_role_and_group_sources(system):
    iam.create_role(system, "app", TRUST)
    managed = _policy(system, "RolePolicy")
    iam.attach_role_policy(system, "app", managed.arn)
    iam.put_role_policy(system, "app", "inline", policy_json(allow("s3:R")))
    identity, bound = authz.principal_sources("role", Role.objects.get(name="app"))
    assert [(s.owner, s.policy_type, s.name) for s in identity] == [
        ("role/app", "role", "inline"), ("role/app", "user-managed", "RolePolicy")]
    assert bound is None
    group = iam.create_group(system, "solo")
    iam.attach_group_policy(system, "solo", managed.arn)
    assert [s.name for s in authz.principal_sources("group", group)[0]] == ["RolePolicy"]


def test_the_query_is_a_prepared_statement_on_postgresql(system, settings):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    make_user("erin", policy=policy_json(allow("s3:GetObject")))
    erin = User.objects.get(name="erin")
    prepared = authz.principal_sources("user", erin)
    settings.DATABASE_PREPARED_STATEMENTS = False
    assert authz.principal_sources("user", erin) == prepared
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements "
                       "WHERE statement LIKE %s", ["%iam_userinlinepolicy%"])
        assert cursor.fetchone()[0] == 1
    # A prepared plan still sees every change: a new inline policy is there at once.
    iam.put_user_policy(system, "erin", "more", policy_json(allow("s3:PutObject")))
    settings.DATABASE_PREPARED_STATEMENTS = True
    assert [s.name for s in authz.principal_sources("user", erin)[0]] == ["inline", "more"]
