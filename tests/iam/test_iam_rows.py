"""iam.rows.one: the hot-path single-row read gives the same instance the ORM would."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict
from personas import allow, make_user, policy_json

from iamconsole.iam import rows
from iamconsole.iam import services as iam
from iamconsole.iam.models import AccessKey, User

pytestmark = pytest.mark.django_db


def test_one_matches_the_orm_field_for_field(system):
    boundary = iam.create_policy(system, "Limit", policy_json(allow("s3:*")))
    iam.create_user(system, "Tagged", tags={"team": "blue", "cost": "42"},
                    permissions_boundary=boundary.arn)
    key = iam.create_access_key(system, "Tagged").access_key
    for model, where, params in [
        (User, 'LOWER("name") = LOWER(%s)', ["tagged"]),
        (AccessKey, '"access_key_id" = %s', [key.access_key_id]),
    ]:
        fast = rows.one(model, where, params)
        orm = model.objects.get(pk=fast.pk)
        assert type(fast) is model and fast._state.adding is False
        fields = [f.name for f in model._meta.concrete_fields]
        assert model_to_dict(fast, fields) == model_to_dict(orm, fields)
        for name in ("created_at", "last_used_at", "password_changed_at"):
            if hasattr(orm, name):
                assert getattr(fast, name) == getattr(orm, name)  # datetimes, not strings
    user = rows.one(User, 'LOWER("name") = LOWER(%s)', ["TAGGED"])
    assert user.tags == {"team": "blue", "cost": "42"}  # JSON decoded
    assert user.is_active is True and user.is_root is False  # booleans, also on SQLite
    assert user.permissions_boundary.arn == boundary.arn  # relations load lazily


def test_one_is_none_without_a_match_and_finds_by_case_insensitive_name(system):
    make_user("MixedCase")
    assert rows.one(User, 'LOWER("name") = LOWER(%s)', ["nobody"]) is None
    assert iam.find_user("mixedcase").name == "MixedCase"


def test_one_with_reads_the_related_object_in_the_same_query(system, django_assert_num_queries):
    make_user("keyholder")
    key = iam.create_access_key(system, "keyholder").access_key
    with django_assert_num_queries(1):
        found = rows.one_with(AccessKey, "user", '"iam_accesskey"."access_key_id" = %s',
                              [key.access_key_id])
        assert found.user.name == "keyholder" and found.user.pk == found.user_id
    assert model_to_dict(found.user) == model_to_dict(User.objects.get(name="keyholder"))
    assert rows.one_with(AccessKey, "user", '"iam_accesskey"."access_key_id" = %s',
                         ["AKIANOSUCHKEY"]) is None
