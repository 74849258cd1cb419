"""Console policy versions: compare two versions as a diff, and at the five-version limit the
editor asks which version to delete (delete + create in one transaction)."""

from __future__ import annotations

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import AuditEvent, ManagedPolicy
from tests.conftest import allow, make_user, policy_json
from tests.console.console_support import client_for

URL = "/policies/local/Custom/versions/new/"


def _fill(world, count: int = 5) -> ManagedPolicy:
    system = Caller.system("test")
    for number in range(2, count + 1):
        iam.create_policy_version(system, world.custom_arn,
                                  policy_json(allow(f"s3:Action{number}", "*")))
    return ManagedPolicy.objects.get(name="Custom")


def test_compare_two_versions(world, admin):
    _fill(world, 3)
    client = client_for(admin)
    tab = client.get("/policies/local/Custom/?tab=versions").content.decode()
    assert "/policies/local/Custom/versions/compare/" in tab and 'name="from"' in tab
    page = client.get("/policies/local/Custom/versions/compare/?from=v1&to=v3")
    assert page.status_code == 200
    body = page.content.decode()
    assert "v1 → v3" in body
    assert '<span class="diff-del">-      &quot;Action&quot;: &quot;s3:GetObject&quot;' in body
    assert '<span class="diff-add">+      &quot;Action&quot;: &quot;s3:Action3&quot;' in body
    same = client.get("/policies/local/Custom/versions/compare/?from=v2&to=v2").content.decode()
    assert "No differences." in same
    default = client.get("/policies/local/Custom/versions/compare/").content.decode()
    assert "v1 → v3" in default  # the default version against the newest


def test_compare_refuses_unknown_versions_and_outsiders(world, admin, outsider):
    missing = client_for(admin).get("/policies/local/Custom/versions/compare/?from=v1&to=v9")
    assert missing.status_code == 404
    denied = client_for(outsider).get("/policies/local/Custom/versions/compare/?from=v1&to=v1")
    assert denied.status_code == 403


def test_below_the_limit_no_version_to_delete_is_asked(world, admin):
    page = client_for(admin).get(URL).content.decode()
    assert 'name="delete_version"' not in page


def test_at_the_limit_the_editor_asks_which_version_to_delete(world, admin):
    policy = _fill(world)
    client = client_for(admin)
    page = client.get(URL).content.decode()
    assert 'name="delete_version"' in page
    assert '<option value="v2">' in page and '<option value="v1">' not in page  # v1: default
    document = policy_json(allow("s3:ListBucket", "*"))
    missing = client.post(URL, {"policy_document": document, "revision": policy.revision})
    assert missing.status_code == 400 and policy.versions.count() == 5
    response = client.post(URL, {"policy_document": document, "revision": policy.revision,
                                 "delete_version": "v3", "set_as_default": "on"})
    assert response.status_code == 302
    numbers = sorted(policy.versions.values_list("number", flat=True))
    assert numbers == [1, 2, 4, 5, 6]
    assert policy.versions.get(number=6).is_default
    actions = list(AuditEvent.objects.filter(resource_name="Custom").values_list(
        "action", flat=True)[:2])
    assert actions == ["iam:CreatePolicyVersion", "iam:DeletePolicyVersion"]


def test_the_delete_and_create_are_one_transaction(world, admin):
    policy = _fill(world)
    response = client_for(admin).post(URL, {"policy_document": "{not json",
                                            "revision": policy.revision,
                                            "delete_version": "v2"})
    assert response.status_code == 400
    assert sorted(policy.versions.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert not AuditEvent.objects.filter(action="iam:DeletePolicyVersion").exists()


def test_a_caller_who_may_create_but_not_delete_keeps_all_versions(world):
    policy = _fill(world)
    editor = make_user("editor", policy=policy_json(allow(
        ["iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions",
         "iam:CreatePolicyVersion"], "*")))
    response = client_for(editor).post(URL, {
        "policy_document": policy_json(allow("s3:ListBucket", "*")),
        "revision": policy.revision, "delete_version": "v2"})
    assert response.status_code == 403
    assert sorted(policy.versions.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert AuditEvent.objects.filter(outcome="denied",
                                     action="iam:DeletePolicyVersion").exists()
