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


# The pickers: searchable over thousands, several chosen at once, choices kept across searches --

def _many_groups(system, count):
    from iamconsole.iam.models import Group

    Group.objects.bulk_create(
        Group(account_id=system.account, name=f"team-{n:04d}", path="/") for n in range(count))


def test_a_group_beyond_the_first_offered_is_found_by_search_and_chosen(world, admin, system):
    _many_groups(system, 150)
    client = client_for(admin)
    page = client.get(URL).content.decode()
    assert 'id="id_groups"' in page and "team-0000" in page and "team-0149" not in page
    assert 'hx-include="#id_groups"' in page  # a search sends the chosen groups along
    found = client.get("/users/create/guided/options/",
                       {"field": "groups", "q": "0149", "groups": ["team-0003"]})
    options = found.content.decode()
    assert found.status_code == 200
    # the chosen group stays chosen and first, then the match; the others are not offered
    assert options.index('value="team-0003" selected') < options.index('value="team-0149"')
    assert "team-0004" not in options and "1 chosen" in options
    response = client.post(URL, {"user_name": "far", "console_access": "none",
                                 "groups": ["team-0003", "team-0149"]})
    assert response.status_code == 200
    assert set(User.objects.get(name="far").iam_groups.values_list("name", flat=True)) == {
        "team-0003", "team-0149"}


def test_a_policy_found_by_search_is_attached_and_none_is_preselected(world, admin, system):
    one, two = _setup(system)
    client = client_for(admin)
    page = client.get(URL).content.decode()
    assert " selected" not in page.split('id="id_policy_arns"')[1].split("</select>")[0]
    found = client.get("/users/create/guided/options/",
                       {"field": "policy_arns", "q": "tw", "policy_arns": [one.arn]}).content
    assert f'value="{one.arn}" selected'.encode() in found and two.arn.encode() in found
    response = client.post(URL, {"user_name": "pol", "console_access": "none",
                                 "policy_arns": [one.arn, two.arn]})
    assert response.status_code == 200
    assert {a.policy.arn for a in User.objects.get(name="pol").policy_attachments.all()} == {
        one.arn, two.arn}


def test_an_unknown_group_is_a_form_error_and_creates_nothing(world, admin, system):
    _setup(system)
    response = client_for(admin).post(URL, {"user_name": "ghost", "console_access": "none",
                                            "groups": ["devs", "no-such-group"]})
    assert response.status_code == 400
    body = response.content.decode()
    assert "The group with name no-such-group cannot be found." in body
    # what was chosen is still chosen in the form shown again
    assert 'value="no-such-group" selected' not in body  # it does not exist: not offered
    assert 'value="devs" selected' in body
    assert not User.objects.filter(name="ghost").exists()


def test_groups_the_caller_may_not_add_to_are_not_offered(world, system):
    _setup(system)
    iam.create_group(system, "admins")
    maker = make_user("maker2", policy=policy_json(
        allow(["iam:CreateUser", "iam:Get*", "iam:List*"]),
        allow("iam:AddUserToGroup", "arn:aws:iam::*:group/devs")))
    options = client_for(maker).get("/users/create/guided/options/",
                                    {"field": "groups", "q": ""}).content.decode()
    assert 'value="devs"' in options and 'value="admins"' not in options


def test_the_options_view_checks_its_input_and_the_caller(world, admin, reader):
    client = client_for(admin)
    assert client.get("/users/create/guided/options/", {"field": "password"}).status_code == 400
    assert client_for(reader).get("/users/create/guided/options/",
                                  {"field": "groups"}).status_code == 403
