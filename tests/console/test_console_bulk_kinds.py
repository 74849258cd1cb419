"""Console: bulk actions on the Groups, Roles and Policies lists, and the searchable pickers of
the bulk forms (no group, policy or identity chosen until the admin picks one)."""

from __future__ import annotations

from django.test import Client
from personas import ADMIN_POLICY, allow, make_user, policy_json

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent, Group, ManagedPolicy, Role

SYSTEM = Caller.system("test")
TRUST = policy_json({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                     "Action": "sts:AssumeRole"})


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _admin() -> Client:
    return _client(make_user("boss", policy=ADMIN_POLICY, password=None))


def _policy(name: str) -> ManagedPolicy:
    return iam.create_policy(SYSTEM, name, policy_json(allow("s3:GetObject")))


def test_groups_list_has_checkboxes_and_a_policy_picker_with_nothing_chosen(db):
    admin = _admin()
    iam.create_group(SYSTEM, "dev")
    policy = _policy("ReadS3")
    page = admin.get("/groups/").content.decode()
    assert 'action="/groups/bulk/"' in page and 'data-select-all="groups"' in page
    assert 'name="groups" value="dev"' in page
    assert '<select id="bulk-policy" name="policy_arn">' in page
    assert '<option value="" disabled selected>Choose a policy…</option>' in page
    assert f'<option value="{policy.arn}">ReadS3</option>' in page
    assert 'id="bulk-group"' not in page  # no group action for groups


def test_groups_bulk_attach_then_delete_reports_each_group(db):
    admin = _admin()
    for name in ("dev", "ops"):
        iam.create_group(SYSTEM, name)
    make_user("carol", password=None)
    iam.add_user_to_group(SYSTEM, "ops", "carol")
    policy = _policy("ReadS3")
    page = admin.post("/groups/bulk/", {"bulk_action": "attach_policy", "policy_arn": policy.arn,
                                        "groups": ["dev", "ops"]}).content.decode()
    assert "2 succeeded, 0 failed of 2." in page and "Back to groups" in page
    assert AuditEvent.objects.filter(action="iam:AttachGroupPolicy", auth_method="console") \
        .count() == 2
    admin.post("/groups/bulk/", {"bulk_action": "detach_policy", "policy_arn": policy.arn,
                                 "groups": ["dev", "ops"]})
    response = admin.post("/groups/bulk/", {"bulk_action": "delete", "groups": ["dev", "ops"],
                                            "next": "/groups/?q=o"})
    page = response.content.decode()
    assert "1 succeeded, 1 failed of 2." in page and "DeleteConflict" in page
    assert 'href="/groups/?q=o"' in page
    assert list(Group.objects.values_list("name", flat=True)) == ["ops"]


def test_roles_bulk_delete_and_attach(db):
    admin = _admin()
    for name in ("a", "b"):
        iam.create_role(SYSTEM, name, TRUST)
    page = admin.get("/roles/").content.decode()
    assert 'name="roles" value="a"' in page and 'id="bulk-policy"' in page
    policy = _policy("ReadS3")
    page = admin.post("/roles/bulk/", {"bulk_action": "attach_policy", "policy_arn": policy.arn,
                                       "roles": ["a"]}).content.decode()
    assert "1 succeeded, 0 failed of 1." in page
    page = admin.post("/roles/bulk/", {"bulk_action": "delete",
                                       "roles": ["a", "b"]}).content.decode()
    assert "1 succeeded, 1 failed of 2." in page and "attached policies" in page
    assert list(Role.objects.values_list("name", flat=True)) == ["a"]


def test_policies_list_selects_customer_managed_and_attaches_to_a_picked_identity(db):
    admin = _admin()
    iam.create_group(SYSTEM, "dev")
    iam.create_role(SYSTEM, "web", TRUST)
    first, second = _policy("First"), _policy("Second")
    page = admin.get("/policies/").content.decode()
    assert f'name="policies" value="{first.arn}"' in page
    assert 'name="policies" value="arn:aws:iam::aws:' not in page  # AWS managed: no box
    assert '<select id="bulk-identity" name="identity">' in page
    assert '<option value="group:dev">Group dev</option>' in page
    assert '<option value="role:web">Role web</option>' in page
    assert "Choose a user, group or role…" in page
    page = admin.post("/policies/bulk/", {"bulk_action": "attach_policy", "identity": "group:dev",
                                          "policies": [first.arn, second.arn]}).content.decode()
    assert "2 succeeded, 0 failed of 2." in page
    assert iam.list_attached_policies(SYSTEM, "group", "dev").count() == 2
    page = admin.post("/policies/bulk/", {"bulk_action": "detach_policy", "identity": "group:dev",
                                          "policies": [first.arn]}).content.decode()
    assert "1 succeeded" in page
    page = admin.post("/policies/bulk/", {"bulk_action": "delete",
                                          "policies": [first.arn, second.arn]}).content.decode()
    assert "1 succeeded, 1 failed of 2." in page and "DeleteConflict" in page


def test_users_bulk_form_picks_a_group_from_a_list(db):
    admin = _admin()
    iam.create_group(SYSTEM, "engineers")
    page = admin.get("/users/").content.decode()
    assert '<select id="bulk-group" name="group">' in page
    assert '<option value="engineers">engineers</option>' in page
    assert "Choose a group…" in page
    assert 'name="policy_arn" id="bulk-policy"' not in page  # the typed field is gone


def test_picker_searches_of_the_bulk_forms(db):
    admin = _admin()
    for name in ("alpha-team", "beta-team", "gamma"):
        iam.create_group(SYSTEM, name)
    _policy("TeamRead")
    _policy("Other")
    options = admin.get("/policies/options/groups/?purpose=bulk&q=team").content.decode()
    assert "alpha-team" in options and "beta-team" in options and "gamma" not in options
    options = admin.get("/policies/options/?purpose=bulk&kind=group&q=teamr").content.decode()
    assert "TeamRead" in options and "Other" not in options
    options = admin.get("/policies/options/identities/?q=gam").content.decode()
    assert 'value="group:gamma"' in options and "alpha-team" not in options


def test_bulk_needs_the_list_permission_and_refuses_bad_input(db):
    iam.create_group(SYSTEM, "dev")
    reader = _client(make_user("reader", password=None, policy=policy_json(
        allow("iam:ListUsers"))))
    assert reader.post("/groups/bulk/", {"bulk_action": "delete",
                                         "groups": ["dev"]}).status_code == 403
    assert reader.post("/policies/bulk/", {"bulk_action": "delete",
                                           "policies": ["x"]}).status_code == 403
    admin = _admin()
    for data in ({"bulk_action": "add_to_group", "groups": ["dev"], "group": "dev"},
                 {"bulk_action": "attach_policy", "groups": ["dev"]},
                 {"bulk_action": "delete"},
                 {"bulk_action": "delete", "groups": ["dev"], "next": "https://evil.example/"}):
        response = admin.post("/groups/bulk/", data)
        if "next" in data:
            assert response.status_code == 200 and 'href="/groups/"' in response.content.decode()
            continue
        assert response.status_code == 302 and response["Location"] == "/groups/"
    assert admin.post("/policies/bulk/", {"bulk_action": "attach_policy", "identity": "nobody",
                                          "policies": ["x"]}).status_code == 302
    assert admin.get("/groups/bulk/").status_code == 405
