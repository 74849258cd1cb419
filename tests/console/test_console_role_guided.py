"""Create a role by trusted-entity type in the console: the trust policy made from the choices
is shown with its principals in words, the permissions are attached in the same change, and the
role's Trust tab names its principals and conditions in words."""

from __future__ import annotations

import html
import json

from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent, Role
from tests.conftest import allow, make_user, policy_json
from tests.console.console_support import client_for

URL = "/roles/create/guided/"
ACCOUNT = "123456789012"


def _body(response) -> str:
    return html.unescape(response.content.decode())


def test_preview_shows_the_generated_trust_policy_in_words(world, admin):
    response = client_for(admin).post(URL, {"entity_type": "account",
                                            "account_id": "210987654321",
                                            "require_mfa": "on", "preview": "1"})
    body = _body(response)
    assert response.status_code == 200
    assert "account 210987654321 with MFA may sts:AssumeRole" in body
    assert '"aws:MultiFactorAuthPresent": "true"' in body
    assert not Role.objects.filter(name="").exists()


def test_create_service_role_with_policies_in_one_change(world, admin, system):
    one = iam.create_policy(system, "One", policy_json(allow("s3:GetObject")))
    two = iam.create_policy(system, "Two", policy_json(allow("sqs:*")))
    client = client_for(admin)
    assert "Two" in client.get(URL).content.decode()
    response = client.post(URL, {"entity_type": "service", "service": "lambda.amazonaws.com",
                                 "role_name": "fn", "path": "/", "policy_arns": [one.arn,
                                                                                 two.arn]})
    assert response.status_code == 302 and response["Location"] == "/roles/fn/?tab=trust"
    role = Role.objects.get(name="fn")
    assert json.loads(role.assume_role_policy_document)["Statement"][0]["Principal"] == {
        "Service": "lambda.amazonaws.com"}
    assert role.policy_attachments.count() == 2
    assert AuditEvent.objects.filter(action="iam:AttachRolePolicy",
                                     resource_name="fn").count() == 2
    tab = _body(client.get("/roles/fn/?tab=trust"))
    assert "lambda.amazonaws.com may sts:AssumeRole" in tab


def test_web_identity_role_names_provider_audience_and_subject(world, admin):
    client = client_for(admin)
    response = client.post(URL, {"entity_type": "web_identity",
                                 "provider": "token.actions.githubusercontent.com",
                                 "audience": "sts.amazonaws.com", "subject": "repo:acme/*",
                                 "role_name": "ci"})
    assert response.status_code == 302
    tab = _body(client.get("/roles/ci/?tab=trust"))
    assert ("web identity provider token.actions.githubusercontent.com with audience "
            "sts.amazonaws.com with subject matching repo:acme/* may "
            "sts:AssumeRoleWithWebIdentity") in tab


def test_bad_choice_is_shown_at_its_field(world, admin):
    response = client_for(admin).post(URL, {"entity_type": "service", "service": "ec2",
                                            "role_name": "x"})
    assert response.status_code == 400
    assert "Name a service principal" in response.content.decode()
    assert not Role.objects.filter(name="x").exists()


def test_a_refused_attachment_creates_no_role(world, system):
    policy = iam.create_policy(system, "One", policy_json(allow("s3:GetObject")))
    maker = make_user("maker", policy=policy_json(
        allow(["iam:CreateRole", "iam:ListPolicies", "iam:Get*", "iam:List*"])))
    response = client_for(maker).post(URL, {"entity_type": "service",
                                            "service": "ec2.amazonaws.com",
                                            "role_name": "half", "policy_arns": [policy.arn]})
    assert response.status_code == 403
    assert not Role.objects.filter(name="half").exists()


def test_trust_tab_names_a_user_principal(world, admin, system):
    iam.create_user(system, "alice")
    iam.update_assume_role_policy(system, "app", json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"},
            "Action": "sts:AssumeRole"}]}))
    tab = _body(client_for(admin).get("/roles/app/?tab=trust"))
    assert "user/alice may sts:AssumeRole" in tab


def test_guided_create_needs_create_role(world, reader):
    assert client_for(reader).get(URL).status_code == 403
