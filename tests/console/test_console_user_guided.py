"""Create a user as one flow in the console: console access with a password shown once, groups,
policies (chosen and copied from another user), boundary, tags and an access key with its CSV,
after a review step; all in one change, each step authorized on the caller's policies."""

from __future__ import annotations

import base64
import html
import re

from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent, User
from tests.conftest import PASSWORD, allow, make_user, policy_json
from tests.console.console_support import client_for

URL = "/users/create/guided/"


def _setup(system):
    iam.create_group(system, "devs")
    one = iam.create_policy(system, "One", policy_json(allow("s3:GetObject")))
    two = iam.create_policy(system, "Two", policy_json(allow("sqs:*")))
    make_user("model", password=None)
    iam.attach_user_policy(system, "model", two.arn)
    return one, two


def test_review_step_shows_the_choices_and_creates_nothing(world, admin, system):
    one, _ = _setup(system)
    response = client_for(admin).post(URL, {
        "user_name": "erin", "console_access": "generated", "password_reset_required": "on",
        "groups": ["devs"], "policy_arns": [one.arn], "review": "1"})
    body = response.content.decode()
    assert response.status_code == 200 and "Review" in body
    assert "must be changed at next sign-in" in body and "devs" in body
    assert not User.objects.filter(name="erin").exists()


def test_create_user_with_everything_in_one_change(world, admin, system):
    one, two = _setup(system)
    response = client_for(admin).post(URL, {
        "user_name": "erin", "path": "/eng/", "console_access": "generated",
        "password_reset_required": "on", "groups": ["devs"], "policy_arns": [one.arn],
        "copy_policies_from": "model", "tags": "team=web", "access_key": "on"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.content.decode()
    erin = User.objects.get(name="erin")
    password = re.search(r'id="new-password" class="secret">([^<]+)<', body).group(1)
    assert erin.check_password(html.unescape(password))
    assert erin.password_reset_required and erin.path == "/eng/" and erin.tags == {"team": "web"}
    assert erin.iam_groups.filter(name="devs").exists()
    assert {a.policy.arn for a in erin.policy_attachments.all()} == {one.arn, two.arn}
    key = erin.access_keys.get()
    csv = re.search(r'href="data:text/csv;base64,([^"]+)"', body).group(1)
    text = base64.b64decode(csv).decode()
    assert text.startswith("User name,Access key ID,Secret access key")
    assert key.access_key_id in text
    assert AuditEvent.objects.filter(action="iam:CreateLoginProfile", outcome="success",
                                     resource_name="erin").exists()


def test_typed_password_must_meet_the_password_policy(world, admin, system):
    response = client_for(admin).post(URL, {"user_name": "weak", "console_access": "custom",
                                            "password": "a"})
    assert response.status_code == 400
    assert not User.objects.filter(name="weak").exists()
    ok = client_for(admin).post(URL, {"user_name": "typed", "console_access": "custom",
                                      "password": PASSWORD})
    assert ok.status_code == 200
    assert User.objects.get(name="typed").check_password(PASSWORD)


def test_a_step_the_caller_may_not_do_rolls_back_the_user(world, system):
    _setup(system)
    maker = make_user("maker", policy=policy_json(
        allow(["iam:CreateUser", "iam:CreateLoginProfile", "iam:Get*", "iam:List*"])))
    response = client_for(maker).post(URL, {"user_name": "half", "console_access": "generated",
                                            "groups": ["devs"]})
    assert response.status_code == 403
    assert not User.objects.filter(name="half").exists()


def test_guided_create_needs_create_user(world, reader):
    assert client_for(reader).get(URL).status_code == 403
