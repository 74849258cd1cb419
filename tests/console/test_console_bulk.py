"""Console: bulk actions on the Users list (iam/services/bulk.py), page sizes and page
numbers, and a Users page whose query count does not depend on the page size."""

from __future__ import annotations

import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from personas import ADMIN_POLICY, allow, make_user, policy_json

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AccessKey, AuditEvent, Group, User

SYSTEM = Caller.system("test")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _users(count: int, prefix: str = "u", path: str = "/") -> list[str]:
    names = [f"{prefix}{i:03d}" for i in range(count)]
    for name in names:
        iam.create_user(SYSTEM, name, path=path)
    return names


def test_users_list_has_checkboxes_select_all_and_page_sizes(db):
    admin = _client(make_user("boss", policy=ADMIN_POLICY, password=None))
    _users(30)
    page = admin.get("/users/").content.decode()
    assert 'data-select-all="users"' in page and 'name="users" value="u000"' in page
    assert 'href="?per_page=500"' in page and ">2</a>" in page  # page 2 of 31 users
    page = admin.get("/users/?per_page=50").content.decode()
    assert 'value="u029"' in page and "page 1 of" not in page


def test_add_500_users_to_a_group_in_one_action(db):
    admin = _client(make_user("boss", policy=ADMIN_POLICY, password=None))
    names = _users(500)
    iam.create_group(SYSTEM, "everyone")
    started = time.monotonic()
    response = admin.post("/users/bulk/", {"bulk_action": "add_to_group", "group": "everyone",
                                           "users": names})
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert "500 succeeded, 0 failed" in response.content.decode()
    assert Group.objects.get(name="everyone").members.count() == 500
    assert AuditEvent.objects.filter(action="iam:AddUserToGroup", auth_method="console").count() \
        == 500
    assert elapsed < 30  # generous on a shared CI box; benchmarks/bulk.py has the figure


def test_partial_failure_reports_each_user(db):
    """May delete only users under /team/; one of those has a password (DeleteConflict)."""
    deleter = _client(make_user("deleter", password=None, policy=policy_json(
        allow(["iam:ListUsers"]),
        allow(["iam:DeleteUser", "iam:GetUser"], "arn:aws:iam::*:user/team/*"))))
    team = _users(3, "t", "/team/")
    other = _users(2, "o")
    iam.create_login_profile(SYSTEM, "t001", "Correct-Horse-9!")
    response = deleter.post("/users/bulk/", {"bulk_action": "delete",
                                             "users": [*team, *other, "ghost"]})
    page = response.content.decode()
    assert "2 succeeded, 4 failed" in page
    assert "AccessDenied" in page and "DeleteConflict" in page and "NoSuchEntity" in page
    assert set(User.objects.filter(is_root=False).values_list("name", flat=True)) == {
        "deleter", "t001", "o000", "o001"}
    assert AuditEvent.objects.filter(action="iam:DeleteUser", outcome="success").count() == 2
    assert AuditEvent.objects.filter(action="iam:DeleteUser").exclude(
        outcome="success").count() >= 2


def test_attach_detach_policy_and_deactivate_keys(db):
    admin = _client(make_user("boss", policy=ADMIN_POLICY, password=None))
    names = _users(3)
    for name in names:
        iam.create_access_key(SYSTEM, name)
    policy = iam.create_policy(SYSTEM, "ReadOnly", policy_json(allow(["iam:Get*"])))
    page = admin.post("/users/bulk/", {"bulk_action": "attach_policy", "policy_arn": policy.arn,
                                       "users": names}).content.decode()
    assert "3 succeeded, 0 failed" in page
    assert iam.list_attached_policies(SYSTEM, "user", "u001").count() == 1
    page = admin.post("/users/bulk/", {"bulk_action": "deactivate_access_keys",
                                       "users": names[:2]}).content.decode()
    assert "2 succeeded" in page
    assert list(AccessKey.objects.filter(status="Active").values_list("user__name", flat=True)) \
        == ["u002"]
    page = admin.post("/users/bulk/", {"bulk_action": "detach_policy", "policy_arn": policy.arn,
                                       "users": names}).content.decode()
    assert "3 succeeded" in page
    assert iam.list_attached_policies(SYSTEM, "user", "u001").count() == 0


def test_bad_bulk_input_is_refused_without_change(db):
    admin = _client(make_user("boss", policy=ADMIN_POLICY, password=None))
    _users(2)
    for data in ({"bulk_action": "explode", "users": ["u000"]},
                 {"bulk_action": "delete"},
                 {"bulk_action": "add_to_group", "users": ["u000"]}):
        response = admin.post("/users/bulk/", data)
        assert response.status_code == 302
    assert User.objects.filter(name="u000").exists()
    nobody = _client(make_user("nobody", password=None,
                               policy=policy_json(allow(["iam:GetUser"]))))
    assert nobody.post("/users/bulk/", {"bulk_action": "delete",
                                        "users": ["u000"]}).status_code == 403


def test_users_page_queries_do_not_grow_with_page_size(db):
    admin = _client(make_user("boss", policy=ADMIN_POLICY, password=None))
    _users(120)
    admin.get("/users/")  # warm caches
    counts = []
    for size in (25, 100, 500):
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(f"/users/?per_page={size}").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] == counts[2], counts
