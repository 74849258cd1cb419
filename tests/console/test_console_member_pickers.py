"""Pickers for group membership and no preselected choice: the Users tab of a group offers the
users not in it (at most PICKER_LIMIT, searchable over thousands); the Groups tab of a user
offers the groups it is not in that the caller may add it to; Attach policies and Set a boundary
start on a "Choose…" placeholder, so nothing is attached by a careless click. The tabs cost a
constant number of queries whatever the number of users or groups."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from iamconsole.console.pickers import PICKER_LIMIT
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import User
from tests.conftest import allow, make_user, policy_json
from tests.console.console_support import client_for, htmx
from tests.console.test_console_pickers import options, select

MANY = PICKER_LIMIT + 5
SYSTEM = Caller.system("test")


def add_users(count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        iam.create_user(SYSTEM, f"bulk{i:03d}")


def add_groups(count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        iam.create_group(SYSTEM, f"g{i:03d}")


def placeholder(body: str, select_id: str) -> str:
    match = re.search(rf'<select[^>]*id="{select_id}"[^>]*>\s*<option value="" disabled '
                      r'selected>([^<]*)</option>', body)
    return match.group(1) if match else ""


def test_attach_and_boundary_pickers_preselect_nothing(world, admin):
    body = client_for(admin).get("/users/target/?tab=permissions").content.decode()
    # a multi-select: nothing chosen, no placeholder row, the way to choose several said
    assert re.search(r'<select id="attach-policy" name="policy_arn" multiple', body)
    assert placeholder(body, "attach-policy") == "" and "Ctrl/⌘-click to choose several" in body
    assert placeholder(body, "boundary-policy") == "Choose a boundary…"
    assert not re.search(r'<option value="arn:[^"]*" selected', body)


def test_group_users_tab_offers_users_not_in_the_group(world, admin):
    iam.add_user_to_group(SYSTEM, "team", "target")
    body = client_for(admin).get("/groups/team/?tab=users").content.decode()
    offered = select(body, "add-user")
    assert "spare" in offered and "target" not in offered
    assert re.search(r'<select id="add-user" name="user_name" multiple', body)
    assert not re.search(r'<option value="[^"]+" selected', body.split('id="add-user"')[1])
    assert "data-picker-search" not in body  # few users: no search box


def test_group_member_picker_is_capped_and_searchable(world, admin):
    add_users(MANY)
    client = client_for(admin)
    iam.add_user_to_group(SYSTEM, "team", "bulk101")
    body = client.get("/groups/team/?tab=users").content.decode()
    assert len(select(body, "add-user")) == PICKER_LIMIT
    assert "Search users by name…" in body and "— type to narrow" in body
    assert 'hx-get="/policies/options/users/?group=team"' in body
    response = client.get("/policies/options/users/?group=team&q=ULK10", **htmx("add-user"))
    assert response.status_code == 200
    body = response.content.decode()
    assert options(body) == [f"bulk{i}" for i in (100, 102, 103, 104)]
    assert "4 users whose name contains “ULK10”." in body
    # The searched user is added by the form as before.
    response = client.post("/groups/team/members/add/", {"user_name": "bulk104"},
                           **htmx("tab-panel"))
    assert response.status_code == 200
    assert User.objects.get(name="bulk104").iam_groups.filter(name="team").exists()


def test_user_groups_tab_offers_only_groups_the_caller_may_add_to(world):
    add_groups(3)
    caller = make_user("grouper", policy=policy_json(
        allow(["iam:Get*", "iam:List*"], "*"),
        allow("iam:AddUserToGroup", "arn:aws:iam::*:group/g00*")))
    iam.add_user_to_group(SYSTEM, "g001", "target")
    client = client_for(caller)
    body = client.get("/users/target/?tab=groups").content.decode()
    assert select(body, "add-group") == ["g000", "g002"]
    assert placeholder(body, "add-group") == "Choose a group…"
    body = client.get("/policies/options/groups/?user=target&q=2").content.decode()
    assert options(body) == ["g002"]


def test_option_views_need_list_permission(world):
    caller = make_user("nolist", policy=policy_json(allow("iam:GetUser", "*")))
    client = client_for(caller)
    assert client.get("/policies/options/users/?group=team").status_code == 403
    assert client.get("/policies/options/groups/?user=target").status_code == 403


def test_group_tab_without_list_users_asks_for_a_name(world):
    caller = make_user("adder", policy=policy_json(
        allow(["iam:GetGroup", "iam:AddUserToGroup"], "*")))
    body = client_for(caller).get("/groups/team/?tab=users").content.decode()
    assert '<input type="text" id="add-user" name="user_name"' in body
    assert "You may not list users (iam:ListUsers)" in body


def test_membership_tabs_cost_constant_queries(world, admin):
    client = client_for(admin)

    def count(url: str) -> int:
        client.get(url)  # warm caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few_group, few_user = count("/groups/team/?tab=users"), count("/users/target/?tab=groups")
    add_users(MANY)
    add_groups(MANY)
    capped = count("/groups/team/?tab=users"), count("/users/target/?tab=groups")
    # one more query (the total for the hint) once the picker is capped, then constant
    assert capped[0] <= few_group + 1 and capped[1] <= few_user + 1
    add_users(MANY, MANY)
    add_groups(MANY, MANY)
    assert (count("/groups/team/?tab=users"), count("/users/target/?tab=groups")) == capped


def test_reasons_for_disabled_buttons_are_visible(world):
    """A reader sees why Remove is disabled next to the button, not only in its tooltip."""
    iam.add_user_to_group(SYSTEM, "team", "target")
    reader = make_user("reader2", policy=policy_json(allow(["iam:Get*", "iam:List*"], "*")))
    body = client_for(reader).get("/groups/team/?tab=users").content.decode()
    assert ('disabled title="Not allowed: iam:RemoveUserFromGroup"' in body
            and '<span class="disabled-reason">Not allowed: iam:RemoveUserFromGroup</span>'
            in body)


def test_empty_lists_offer_the_next_action(admin):
    client = client_for(admin)
    body = client.get("/groups/").content.decode()
    assert "No groups yet." in body and '<a class="button small" href="/groups/create/">' in body
    body = client.get("/users/?q=nobody-has-this-name", **htmx("results")).content.decode()
    assert "No users match these filters." in body and '<a href="?">Clear the filters</a>' in body


def test_several_users_are_added_at_once_and_a_search_keeps_the_chosen(world, admin):
    add_users(3)
    client = client_for(admin)
    found = client.get("/policies/options/users/",
                       {"group": "team", "q": "bulk002", "user_name": ["bulk000"]})
    options = found.content.decode()
    assert options.index('value="bulk000" selected') < options.index('value="bulk002"')
    assert "bulk001" not in options
    added = client.post("/groups/team/members/add/", {"user_name": ["bulk000", "bulk002"]},
                        HTTP_HX_REQUEST="true")
    assert added.status_code == 200 and "Added bulk000, bulk002 to team." in added.content.decode()
    members = set(iam.get_group(SYSTEM, "team")[1].values_list("name", flat=True))
    assert {"bulk000", "bulk002"} <= members and "bulk001" not in members


def test_adding_several_users_is_all_or_nothing(world, admin):
    add_users(1)
    response = client_for(admin).post("/groups/team/members/add/",
                                      {"user_name": ["bulk000", "nobody"]},
                                      HTTP_HX_REQUEST="true")
    assert response.status_code in (400, 404)
    assert "nobody" in response.content.decode()
    assert not iam.get_group(SYSTEM, "team")[1].filter(name="bulk000").exists()


def test_several_policies_are_attached_at_once_all_or_nothing(world, admin):
    from iamconsole.iam.models import User
    from tests.conftest import allow, policy_json

    one = iam.create_policy(SYSTEM, "One", policy_json(allow("s3:GetObject")))
    two = iam.create_policy(SYSTEM, "Two", policy_json(allow("sqs:*")))
    client = client_for(admin)
    bad = client.post("/users/target/policies/attach/",
                      {"policy_arn": [one.arn, "arn:aws:iam::123456789012:policy/Nope"]},
                      HTTP_HX_REQUEST="true")
    assert bad.status_code in (400, 404) and "Nope" in bad.content.decode()
    target = User.objects.get(name="target")
    assert not target.policy_attachments.exists()
    ok = client.post("/users/target/policies/attach/", {"policy_arn": [one.arn, two.arn]},
                     HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and "Attached One, Two." in ok.content.decode()
    assert {a.policy.arn for a in target.policy_attachments.all()} == {one.arn, two.arn}
