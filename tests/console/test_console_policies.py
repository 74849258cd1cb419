"""The policy editor and managed policies: validation as you type (findings by line and path),
the visual summary, versions (create, set default, delete), inline policies, boundaries."""

from __future__ import annotations

import re

from iamconsole.console.summary import summarize
from iamconsole.iam import services as iam
from iamconsole.iam.models import ManagedPolicy, User
from tests.conftest import allow, deny, policy_json
from tests.console.console_support import DOC, client_for, htmx

BROKEN = '{\n  "Version": "2012-10-17",\n  "Statement": [{\n    "Effect": "Alow",\n' \
         '    "Action": "s3:GetObject",\n    "Resource": "*"\n  }]\n}'


def test_validator_reports_errors_with_line_and_path(world, admin):
    response = client_for(admin).post("/policies/validate/",
                                      {"policy_document": BROKEN, "kind": "identity"},
                                      **htmx("findings"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 error" in body
    assert 'data-line="4"' in body and "Line 4" in body
    assert "Statement[0].Effect" in body
    assert "Summary" not in body  # no summary for an invalid document


def test_validator_reports_warnings_and_the_summary_for_a_valid_policy(world, admin):
    document = policy_json(allow(["s3:Get*", "s3:NoSuchAction"],
                                 ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"]))
    body = client_for(admin).post("/policies/validate/",
                                  {"policy_document": document}).content.decode()
    assert "Valid" in body and "warning" in body and "s3:NoSuchAction" in body
    assert re.search(r"Allows \d+ actions in s3 on 2 resources", body)


def test_validator_for_trust_policies(world, admin):
    body = client_for(admin).post("/policies/validate/", {
        "policy_document": policy_json(allow("sts:AssumeRole")), "kind": "trust",
    }).content.decode()
    assert "error" in body and "Principal" in body


def test_validator_needs_sign_in(client, world):
    assert client.post("/policies/validate/", {"policy_document": DOC}).status_code == 302


def test_summary_counts_actions_per_service_with_the_catalog():
    from iamconsole.policy import catalog

    lines = summarize(policy_json(
        allow(["s3:Get*", "s3:PutObject"], ["arn:aws:s3:::x/*", "arn:aws:s3:::y/*"]),
        allow("iam:List*", "*"),
        deny("s3:DeleteBucket", "*", Condition={"Bool": {"aws:SecureTransport": "false"}}),
    ))
    sentences = [line.sentence for line in lines]
    s3_count = len(set(catalog.expand_actions("s3:Get*")) | {"s3:putobject"})
    iam_count = len(catalog.expand_actions("iam:List*"))
    assert sentences == [
        "Denies 1 action in s3 on all resources when its conditions match",
        f"Allows {iam_count} actions in iam on all resources",
        f"Allows {s3_count} actions in s3 on 2 resources",
    ]


def test_summary_of_full_access_and_not_action():
    assert [x.sentence for x in summarize(policy_json(allow("*", "*")))] == \
        ["Allows all actions in all services on all resources"]
    line = summarize(policy_json({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}))[0]
    assert line.sentence.startswith("Allows all actions except")
    assert summarize("{not json") is None


def test_create_policy_with_invalid_document_shows_findings_and_saves_nothing(world, admin):
    response = client_for(admin).post("/policies/create/", {
        "policy_name": "Broken", "policy_document": BROKEN})
    assert response.status_code == 400
    body = response.content.decode()
    assert "id_policy_document_error" in body and 'data-line="4"' in body
    assert not ManagedPolicy.objects.filter(name="Broken").exists()


def test_create_policy(world, admin):
    response = client_for(admin).post("/policies/create/", {
        "policy_name": "Fresh", "policy_document": DOC, "description": "d", "path": "/team/"})
    assert response.status_code == 302
    assert response["Location"] == "/policies/local/Fresh/?tab=document"
    assert ManagedPolicy.objects.get(name="Fresh").path == "/team/"


def test_policy_detail_shows_document_and_summary(world, admin):
    body = client_for(admin).get("/policies/local/Custom/").content.decode()
    assert "Allows 1 action in s3 on 1 resource" in body
    assert "arn:aws:s3:::bucket/*" in body


def test_new_version_set_default_and_delete(world, admin):
    client = client_for(admin)
    policy = ManagedPolicy.objects.get(name="Custom")
    document = policy_json(allow("s3:PutObject", "*"))
    response = client.post("/policies/local/Custom/versions/new/", {
        "policy_document": document, "revision": policy.revision})  # not default
    assert response.status_code == 302
    assert policy.versions.get(number=2).is_default is False
    versions = client.get("/policies/local/Custom/?tab=versions").content.decode()
    assert "v2" in versions and "Set as default" in versions
    policy.refresh_from_db()
    response = client.post("/policies/local/Custom/versions/v2/set-default/",
                           {"revision": policy.revision}, **htmx("tab-panel"))
    assert response.status_code == 200 and b"v2 is now the default version." in response.content
    assert policy.versions.get(number=2).is_default
    response = client.post("/policies/local/Custom/versions/v1/delete/", **htmx("tab-panel"))
    assert response.status_code == 200
    assert list(policy.versions.values_list("number", flat=True)) == [2]


def test_deleting_the_default_version_is_refused(world, admin):
    response = client_for(admin).post("/policies/local/Custom/versions/v1/delete/",
                                      **htmx("tab-panel"))
    assert response.status_code == 409
    assert b"Cannot delete the default version" in response.content


def test_stale_policy_edit_is_detected(world, admin, system):
    client = client_for(admin)
    page = client.get("/policies/local/Custom/versions/new/").content.decode()
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    iam.create_policy_version(system, world.custom_arn, DOC)
    response = client.post("/policies/local/Custom/versions/new/", {
        "policy_document": DOC, "revision": revision, "set_as_default": "on"})
    assert response.status_code == 409
    assert ManagedPolicy.objects.get(name="Custom").versions.count() == 2


def test_aws_managed_policy_offers_no_edit(world, admin):
    body = client_for(admin).get("/policies/aws/ReadOnlyManaged/").content.decode()
    assert "versions/new/" not in body and "Edit policy" not in body


def test_policy_list_filters(world, admin):
    client = client_for(admin)
    body = client.get("/policies/?scope=aws").content.decode()
    assert "/policies/aws/ReadOnlyManaged/" in body and "/policies/local/Custom/" not in body
    body = client.get("/policies/?scope=local&q=cust").content.decode()
    assert "/policies/local/Custom/" in body and "ReadOnlyManaged" not in body


def test_delete_attached_policy_is_a_conflict(world, admin, system):
    iam.attach_user_policy(system, "target", world.custom_arn)
    response = client_for(admin).post("/policies/local/Custom/delete/")
    assert response.status_code == 409
    assert ManagedPolicy.objects.filter(name="Custom").exists()


def test_attach_and_detach_in_place(world, admin):
    client = client_for(admin)
    response = client.post("/users/target/policies/attach/", {"policy_arn": world.custom_arn},
                           **htmx("tab-panel"))
    assert response.status_code == 200 and b"Attached Custom." in response.content
    assert b"<html" not in response.content
    response = client.post("/users/target/policies/detach/", {"policy_arn": world.custom_arn},
                           **htmx("tab-panel"))
    assert b"Detached Custom." in response.content
    assert not User.objects.get(name="target").policy_attachments.exists()


def test_inline_policy_edit_and_validation_error(world, admin):
    client = client_for(admin)
    body = client.get("/users/target/inline/note/edit/").content.decode()
    assert "arn:aws:s3:::bucket/*" in body
    response = client.post("/users/target/inline/note/edit/", {"policy_document": BROKEN})
    assert response.status_code == 400
    user = User.objects.get(name="target")
    assert user.inline_policies.get(name="note").document == DOC
    new_doc = policy_json(allow("s3:ListBucket", "*"))
    response = client.post("/users/target/inline/note/edit/", {"policy_document": new_doc,
                                                              "policy_name": "renamed"})
    assert response.status_code == 302
    assert user.inline_policies.get(name="note").document == new_doc
    assert not user.inline_policies.filter(name="renamed").exists()


def test_set_and_remove_boundary(world, admin):
    client = client_for(admin)
    client.post("/users/target/boundary/", {"policy_arn": world.custom_arn}, **htmx("tab-panel"))
    assert User.objects.get(name="target").permissions_boundary.name == "Custom"
    response = client.post("/users/target/boundary/remove/", **htmx("tab-panel"))
    assert b"Permissions boundary removed." in response.content
    assert User.objects.get(name="target").permissions_boundary is None


def test_user_permissions_tab_lists_policies_from_groups(world, admin, system):
    iam.add_user_to_group(system, "team", "target")
    iam.attach_group_policy(system, "team", world.custom_arn)
    body = client_for(admin).get("/users/target/?tab=permissions").content.decode()
    assert "Policies from groups" in body and "/groups/team/?tab=permissions" in body
