"""The console obeys IAM: every page and action, for each persona, in one table (pretix-style
permission matrix). admin = Allow * ; reader = iam:Get*/List*/Simulate* ; outsider = no policy;
root = the account's root user."""

from __future__ import annotations

import pytest
from key_material import certificate, rsa_key, ssh_public

from iamconsole.iam.models import (
    AccessKey,
    AuditEvent,
    Group,
    ManagedPolicy,
    Role,
    ServiceSpecificCredential,
    SigningCertificate,
    SSHPublicKey,
    User,
)
from tests.conftest import allow, make_user, policy_json
from tests.console.console_support import htmx

READ_PAGES = [
    "/users/", "/users/target/", "/users/target/?tab=groups", "/users/target/?tab=credentials",
    "/users/target/?tab=tags", "/groups/", "/groups/team/", "/groups/team/?tab=permissions",
    "/roles/", "/roles/app/", "/roles/app/?tab=trust", "/roles/app/?tab=tags", "/policies/",
    "/policies/local/Custom/", "/policies/local/Custom/?tab=versions",
    "/policies/local/Custom/?tab=entities", "/policies/local/Custom/?tab=tags",
    "/policies/local/Custom/versions/v1/", "/policies/aws/ReadOnlyManaged/",
]
FORM_PAGES = [
    "/users/create/", "/users/target/edit/", "/users/target/delete/",
    "/users/target/inline/new/", "/users/target/inline/note/edit/", "/groups/create/",
    "/groups/team/edit/", "/groups/team/delete/", "/roles/create/", "/roles/app/edit/",
    "/roles/app/trust/", "/roles/app/delete/", "/policies/create/",
    "/policies/local/Custom/versions/new/", "/policies/local/Custom/edit/",
    "/policies/local/Custom/delete/",
]


@pytest.mark.parametrize("url", READ_PAGES)
@pytest.mark.parametrize("persona, expected", [
    ("admin", 200), ("reader", 200), ("root_user", 200), ("outsider", 403),
])
def test_read_pages(world, request, url, persona, expected):
    client = world.client(request.getfixturevalue(persona))
    response = client.get(url)
    assert response.status_code == expected, url
    if expected == 403:
        assert b"is not authorized to perform" in response.content


@pytest.mark.parametrize("url", FORM_PAGES)
@pytest.mark.parametrize("persona, expected", [
    ("admin", 200), ("root_user", 200), ("reader", 403), ("outsider", 403),
])
def test_form_pages(world, request, url, persona, expected):
    client = world.client(request.getfixturevalue(persona))
    assert client.get(url).status_code == expected, url


def _user_has_group(name="target", group="team"):
    return User.objects.get(name=name).iam_groups.filter(name=group).exists()


# (url, data, check that the change happened)
MUTATIONS = [
    ("/users/create/", {"user_name": "newbie", "path": "/"},
     lambda: User.objects.filter(name="newbie").exists()),
    ("/users/target/edit/", {"new_user_name": "target2", "new_path": "/", "revision": "{rev}"},
     lambda: User.objects.filter(name="target2").exists()),
    ("/users/spare/delete/", {}, lambda: not User.objects.filter(name="spare").exists()),
    ("/users/target/groups/add/", {"group_name": "team"}, _user_has_group),
    ("/users/target/policies/attach/", {"policy_arn": "{custom_arn}"},
     lambda: User.objects.get(name="target").policy_attachments.exists()),
    ("/users/target/inline/new/", {"policy_name": "extra", "policy_document": "{doc}"},
     lambda: User.objects.get(name="target").inline_policies.filter(name="extra").exists()),
    ("/users/target/inline/note/delete/", {},
     lambda: not User.objects.get(name="target").inline_policies.filter(name="note").exists()),
    ("/users/target/boundary/", {"policy_arn": "{custom_arn}"},
     lambda: User.objects.get(name="target").permissions_boundary_id is not None),
    ("/users/target/access-keys/create/", {},
     lambda: AccessKey.objects.filter(user__name="target").exists()),
    ("/users/target/ssh-keys/upload/", {"ssh_public_key_body": ssh_public(rsa_key(0))},
     lambda: SSHPublicKey.objects.filter(user__name="target").exists()),
    ("/users/target/certificates/upload/", {"certificate_body": certificate(rsa_key(0))},
     lambda: SigningCertificate.objects.filter(user__name="target").exists()),
    ("/users/target/service-credentials/create/", {"service_name": "codecommit.amazonaws.com"},
     lambda: ServiceSpecificCredential.objects.filter(user__name="target").exists()),
    ("/users/target/tags/add/", {"key": "env", "value": "prod"},
     lambda: User.objects.get(name="target").tags.get("env") == "prod"),
    ("/users/target/tags/remove/", {"key": "team"},
     lambda: "team" not in User.objects.get(name="target").tags),
    ("/groups/create/", {"group_name": "new-group"},
     lambda: Group.objects.filter(name="new-group").exists()),
    ("/groups/team/members/add/", {"user_name": "target"}, _user_has_group),
    ("/groups/team/policies/attach/", {"policy_arn": "{custom_arn}"},
     lambda: Group.objects.get(name="team").policy_attachments.exists()),
    ("/roles/app/trust/", {"policy_document": "{trust}", "revision": "{role_rev}"},
     lambda: "lambda.amazonaws.com" in Role.objects.get(name="app").assume_role_policy_document),
    ("/roles/app/policies/attach/", {"policy_arn": "{custom_arn}"},
     lambda: Role.objects.get(name="app").policy_attachments.exists()),
    ("/policies/create/", {"policy_name": "Brand", "policy_document": "{doc}"},
     lambda: ManagedPolicy.objects.filter(name="Brand").exists()),
    ("/policies/local/Custom/versions/new/",
     {"policy_document": "{doc}", "set_as_default": "on", "revision": "{policy_rev}"},
     lambda: ManagedPolicy.objects.get(name="Custom").versions.count() == 2),
]


def _fill(world, data: dict) -> dict:
    return {k: v.format(**world.values()) for k, v in data.items()}


@pytest.mark.parametrize("url, data, happened", MUTATIONS)
@pytest.mark.parametrize("persona, allowed", [
    ("admin", True), ("root_user", True), ("reader", False), ("outsider", False),
])
def test_mutations(world, request, url, data, happened, persona, allowed):
    client = world.client(request.getfixturevalue(persona))
    events_before = AuditEvent.objects.count()
    response = client.post(url, _fill(world, data))
    if allowed:
        assert response.status_code in (200, 302), (url, response.content[:500])
        assert happened(), url
        assert AuditEvent.objects.count() > events_before
    else:
        assert response.status_code == 403, url
        assert b"is not authorized to perform" in response.content
        assert not happened(), url
        # Nothing changed; the denied call itself is in the log (CloudTrail's errorCode).
        events = list(AuditEvent.objects.all()[:AuditEvent.objects.count() - events_before])
        assert events and {(e.outcome, e.error_code) for e in events} == {
            ("denied", "AccessDenied")}, url


def test_anonymous_is_sent_to_sign_in(client, world):
    for url in ["/", "/users/", "/users/target/", "/audit/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona, expected", [
    ("admin", 200), ("root_user", 200), ("reader", 403), ("outsider", 403),
])
def test_audit_log_needs_cloudtrail_lookup_events(world, request, persona, expected):
    client = world.client(request.getfixturevalue(persona))
    assert client.get("/audit/").status_code == expected


def test_audit_log_with_cloudtrail_permission(world):
    auditor = make_user("auditor", policy=policy_json(allow("cloudtrail:LookupEvents")))
    assert world.client(auditor).get("/audit/").status_code == 200
    # …but nothing else: the audit permission grants no IAM reads.
    assert world.client(auditor).get("/users/").status_code == 403


def test_denied_actions_are_hidden_for_a_reader(world, reader, system):
    from iamconsole.iam import services as iam

    iam.attach_user_policy(system, "target", world.custom_arn)
    page = world.client(reader).get("/users/target/").content.decode()
    assert "/users/target/edit/" not in page
    assert "/users/target/delete/" not in page
    permissions = world.client(reader).get("/users/target/?tab=permissions").content.decode()
    assert "Attach policy" not in permissions
    assert "Add inline policy" not in permissions
    assert 'disabled title="Not allowed: iam:DetachUserPolicy"' in permissions


def test_buttons_shown_for_an_admin(world, admin):
    page = world.client(admin).get("/users/target/").content.decode()
    assert "/users/target/edit/" in page and "/users/target/delete/" in page
    permissions = world.client(admin).get("/users/target/?tab=permissions").content.decode()
    assert "Attach policy" in permissions and "Add inline policy" in permissions


def test_nav_shows_only_allowed_links(world, reader, outsider, admin):
    reader_page = world.client(reader).get("/users/").content.decode()
    assert 'href="/users/"' in reader_page and 'href="/simulator/"' in reader_page
    assert 'href="/audit/"' not in reader_page
    admin_page = world.client(admin).get("/users/").content.decode()
    for link in ["/users/", "/groups/", "/roles/", "/policies/", "/simulator/", "/audit/",
                 "/accounts/password-policy/"]:
        assert f'href="{link}"' in admin_page
    outsider_page = world.client(outsider).get("/").content.decode()
    assert 'href="/users/"' not in outsider_page
    assert "Limited access" in outsider_page


def test_access_denied_under_htmx_is_a_403_fragment(world, reader):
    response = world.client(reader).post("/users/target/policies/attach/",
                                          {"policy_arn": world.custom_arn},
                                          **htmx("tab-panel"))
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#flash"
    assert b"<html" not in response.content
    assert b"AccessDenied" in response.content


def test_every_console_view_declares_its_iam_action():
    """STYLE #4: each endpoint names the IAM action it needs; only the dashboard (which adapts
    to the caller) and the policy validator (which reads no account data) name none."""
    from iamconsole.console import urls

    exempt = ("dashboard", "policy_validate")
    undeclared = [
        p.name for p in urls.urlpatterns
        if getattr(p.callback, "iam_action", None) is None and p.name not in exempt
    ]
    assert undeclared == []
    assert all(hasattr(p.callback, "iam_action") for p in urls.urlpatterns)
