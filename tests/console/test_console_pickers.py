"""Policy pickers at scale: the attach and boundary <select>s of the permissions tab and the
boundary of the create forms offer at most PICKER_LIMIT policies; a search box (htmx) asks
/policies/options/ for the others. The Set boundary button and the create forms decide with a
constant number of policy evaluations, and the pages cost a constant number of queries."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iamconsole.console.pickers import PICKER_LIMIT
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.models import Role, User
from iamconsole.iam.services.policies import policy_arn
from tests.conftest import allow, deny, make_user, policy_json
from tests.console.console_support import DOC, TRUST, client_for, htmx

MANY = PICKER_LIMIT + 5


def add_policies(count: int, start: int = 0) -> None:
    system = Caller.system("test")
    for i in range(start, start + count):
        iam.create_policy(system, f"Bulk{i:03d}", DOC)


def select(body: str, select_id: str) -> list[str]:
    """The option values of <select id=select_id> in a page (not its "Choose…" placeholder)."""
    match = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', body, re.S)
    assert match, f"no <select id={select_id}>"
    return re.findall(r'<option value="([^"]*)"(?! disabled)', match.group(1))


def options(body: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', body)


def delegated_admin(boundary_arn: str, *, negated: bool = False):
    """May create users and set their boundary only with `boundary_arn`: as an Allow with a
    condition, or (negated) an Allow with a Deny of any other boundary."""
    actions = ["iam:CreateUser", "iam:PutUserPermissionsBoundary"]
    statements = [allow(["iam:Get*", "iam:List*"], "*")]
    if negated:
        statements += [allow(actions, "*"), deny(actions, "*", Condition={
            "StringNotEquals": {"iam:PermissionsBoundary": boundary_arn}})]
    else:
        statements.append(allow(actions, "*", Condition={
            "StringEquals": {"iam:PermissionsBoundary": boundary_arn}}))
    return make_user("delegated", policy=policy_json(*statements))


# Attach policies ------------------------------------------------------------------------------

def test_small_account_offers_every_policy_without_a_search_box(world, admin):
    body = client_for(admin).get("/users/target/?tab=permissions").content.decode()
    assert select(body, "attach-policy") == [world.custom_arn, world.aws_arn]
    assert world.custom_arn in select(body, "boundary-policy")
    assert "data-picker-search" not in body and "type to narrow" not in body


def test_attach_picker_is_capped_and_searchable(world, admin):
    add_policies(MANY)
    iam.attach_user_policy(Caller.system("test"), "target", policy_arn("Bulk000"))
    body = client_for(admin).get("/users/target/?tab=permissions").content.decode()
    offered = select(body, "attach-policy")
    assert len(offered) == PICKER_LIMIT
    assert offered[0] == policy_arn("Bulk001")  # by name, the attached one left out
    assert policy_arn("Bulk104") not in offered
    # MANY bulk policies + Custom + ReadOnlyManaged, one attached.
    assert f"Showing {PICKER_LIMIT} of {MANY + 1} policies — type to narrow" in body
    assert 'hx-get="/policies/options/?purpose=attach&amp;kind=user&amp;name=target"' in body
    assert 'hx-target="#attach-policy"' in body
    assert 'hx-trigger="input changed delay:300ms, search"' in body
    assert '<label for="attach-policy">Attach policies</label>' in body


def test_attach_search_filters_by_name_and_leaves_out_attached_policies(world, admin):
    add_policies(MANY)
    iam.attach_user_policy(Caller.system("test"), "target", policy_arn("Bulk101"))
    client = client_for(admin)
    response = client.get("/policies/options/?purpose=attach&kind=user&name=target&q=ulk10",
                          **htmx("attach-policy"))
    assert response.status_code == 200
    body = response.content.decode()
    assert options(body) == [policy_arn(f"Bulk{i}") for i in (100, 102, 103, 104)]
    assert 'hx-swap-oob="true"' in body and "4 policies whose name contains “ulk10”" in body
    # Case-insensitive; the cap holds for searches too.
    body = client.get("/policies/options/?purpose=attach&kind=user&name=target&q=BULK")\
        .content.decode()
    assert len(options(body)) == PICKER_LIMIT
    assert f"Showing {PICKER_LIMIT} of {MANY - 1} policies whose name contains" in body
    body = client.get("/policies/options/?purpose=attach&kind=user&name=target&q=nothing")\
        .content.decode()
    assert options(body) == [""] and "disabled selected" in body


def test_attach_search_for_a_group_and_a_role(world, admin):
    add_policies(3)
    client = client_for(admin)
    for kind, name in (("group", "team"), ("role", "app")):
        body = client.get(f"/policies/options/?purpose=attach&kind={kind}&name={name}&q=bulk")\
            .content.decode()
        assert options(body) == [policy_arn(f"Bulk00{i}") for i in range(3)]


def test_search_needs_list_policies(world, outsider):
    who_may_read_users = make_user("usersonly", policy=policy_json(
        allow(["iam:GetUser", "iam:ListAttachedUserPolicies", "iam:ListUserPolicies"], "*")))
    for persona in (outsider, who_may_read_users):
        response = client_for(persona).get(
            "/policies/options/?purpose=attach&kind=user&name=target&q=c", **htmx("x"))
        assert response.status_code == 403
        assert b"iam:ListPolicies" in response.content


def test_search_for_attach_needs_to_read_the_attached_policies(world):
    lister = make_user("lister", policy=policy_json(allow("iam:ListPolicies", "*")))
    response = client_for(lister).get("/policies/options/?purpose=attach&kind=user&name=target")
    assert response.status_code == 403
    assert b"iam:ListAttachedUserPolicies" in response.content


def test_search_answers_400_to_an_unknown_purpose_and_404_to_an_unknown_user(world, admin):
    client = client_for(admin)
    assert client.get("/policies/options/?purpose=steal").status_code == 400
    assert client.get("/policies/options/?purpose=boundary&kind=group&name=team")\
        .status_code == 400  # groups have no boundary
    assert client.get("/policies/options/?purpose=attach&kind=user&name=ghost")\
        .status_code == 404


def test_search_is_get_only(world, admin):
    assert client_for(admin).post("/policies/options/?purpose=create&kind=user")\
        .status_code == 405


# Set a permissions boundary -------------------------------------------------------------------

def test_boundary_picker_is_capped_and_keeps_the_current_boundary(world, admin):
    add_policies(MANY)
    iam.put_user_permissions_boundary(Caller.system("test"), "target", policy_arn("Bulk104"))
    client = client_for(admin)
    body = client.get("/users/target/?tab=permissions").content.decode()
    offered = select(body, "boundary-policy")
    assert len(offered) == PICKER_LIMIT + 1  # the first ones by name, and the current one
    assert offered[-1] == policy_arn("Bulk104")
    assert re.search(r'<option value="[^"]*Bulk104" selected>Bulk104 \(current\)', body)
    assert f"Showing {PICKER_LIMIT} of {MANY + 2} policies — type to narrow" in body
    url = re.search(r'hx-get="(/policies/options/\?purpose=boundary[^"]*)"', body).group(1)
    body = client.get(url.replace("&amp;", "&") + "&q=Bulk05").content.decode()
    assert options(body) == [*(policy_arn(f"Bulk05{i}") for i in range(10)),
                             policy_arn("Bulk104")]
    assert " selected" not in body  # the first match is picked, the current one stays
    body = client.get(url.replace("&amp;", "&") + "&q=Bulk104").content.decode()
    assert options(body) == [policy_arn("Bulk104")]


@pytest.mark.parametrize("url", ["/users/target/?tab=permissions", "/roles/app/"])
def test_admin_may_set_a_boundary(world, admin, url):
    body = client_for(admin).get(url).content.decode()
    assert "Set boundary</button>" in body


def test_reader_sees_no_set_boundary_form(world, reader):
    body = client_for(reader).get("/users/target/?tab=permissions").content.decode()
    assert "Set boundary</button>" not in body


def test_set_boundary_form_without_list_policies_takes_an_arn(world):
    setter = make_user("setter", policy=policy_json(
        allow(["iam:GetUser", "iam:PutUserPermissionsBoundary", "iam:ListAttachedUserPolicies",
               "iam:ListUserPolicies"], "*")))
    body = client_for(setter).get("/users/target/?tab=permissions").content.decode()
    assert "Set boundary</button>" in body
    assert '<input id="boundary-policy" type="text" name="policy_arn"' in body


@pytest.mark.parametrize("negated", [False, True])
def test_delegated_admin_sees_set_boundary_with_only_the_allowed_boundary(world, negated):
    add_policies(MANY)  # the allowed boundary is not among the first ones by name
    allowed_arn = world.aws_arn  # ReadOnlyManaged: after the Bulk… ones by name
    client = client_for(delegated_admin(allowed_arn, negated=negated))
    body = client.get("/users/target/?tab=permissions").content.decode()
    assert "Set boundary</button>" in body
    assert select(body, "boundary-policy") == [allowed_arn]
    response = client.post("/users/target/boundary/", {"policy_arn": allowed_arn})
    assert response.status_code == 302
    assert User.objects.get(name="target").permissions_boundary.arn == allowed_arn
    response = client.post("/users/target/boundary/", {"policy_arn": world.custom_arn})
    assert response.status_code == 403


def test_delegated_admin_search_offers_only_allowed_boundaries(world):
    add_policies(MANY)
    client = client_for(delegated_admin(world.custom_arn))
    base = "/policies/options/?purpose=boundary&kind=user&name=target"
    assert options(client.get(base + "&q=Bulk").content.decode()) == [""]
    assert options(client.get(base + "&q=cust").content.decode()) == [world.custom_arn]


def test_no_set_boundary_for_someone_denied(world):
    denied = make_user("denied", policy=policy_json(
        allow(["iam:Get*", "iam:List*"], "*"),
        allow("iam:PutUserPermissionsBoundary", "*", Condition={
            "StringEquals": {"iam:PermissionsBoundary": world.custom_arn}}),
        deny("iam:PutUserPermissionsBoundary", "*")))
    body = client_for(denied).get("/users/target/?tab=permissions").content.decode()
    assert "Set boundary</button>" not in body


# Create forms ---------------------------------------------------------------------------------

def test_create_form_offers_the_first_boundaries_and_a_search_box(world, admin):
    add_policies(MANY)
    body = client_for(admin).get("/users/create/").content.decode()
    offered = select(body, "id_permissions_boundary")
    assert offered[0] == ""  # No permissions boundary
    assert len(offered) == PICKER_LIMIT + 1
    assert policy_arn("Bulk104") not in offered
    assert 'hx-get="/policies/options/?purpose=create&amp;kind=user"' in body
    assert 'hx-target="#id_permissions_boundary"' in body
    assert f"Showing {PICKER_LIMIT} of {MANY + 2} policies — type to narrow" in body


@pytest.mark.parametrize("url, data, model", [
    ("/users/create/", {"user_name": "bounded"}, User),
    ("/roles/create/", {"role_name": "bounded", "assume_role_policy_document": TRUST,
                        "max_session_duration": "3600"}, Role),
])
def test_create_form_accepts_a_boundary_found_by_the_search(world, admin, url, data, model):
    add_policies(MANY)
    client = client_for(admin)
    kind = "user" if model is User else "role"
    found = options(client.get(f"/policies/options/?purpose=create&kind={kind}&q=Bulk104")
                    .content.decode())
    assert found == ["", policy_arn("Bulk104")]
    response = client.post(url, {**data, "permissions_boundary": policy_arn("Bulk104")})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert model.objects.get(name="bounded").permissions_boundary.name == "Bulk104"


def test_create_form_keeps_a_searched_boundary_when_another_field_is_wrong(world, admin):
    add_policies(MANY)
    response = client_for(admin).post("/users/create/", {
        "user_name": "bad name!", "permissions_boundary": policy_arn("Bulk104")})
    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(rf'<option value="{re.escape(policy_arn("Bulk104"))}" selected>', body)


def test_create_form_rejects_an_unknown_boundary(world, admin):
    ghost = policy_arn("Ghost")
    response = client_for(admin).post("/users/create/", {"user_name": "newbie",
                                                         "permissions_boundary": ghost})
    assert response.status_code == 400
    assert f"No managed policy has the ARN {ghost}." in response.content.decode()
    assert not User.objects.filter(name="newbie").exists()


def test_delegated_admin_create_form_offers_the_boundary_beyond_the_first_ones(world):
    add_policies(MANY)
    client = client_for(delegated_admin(world.aws_arn))
    assert 'href="/users/create/"' in client.get("/users/").content.decode()
    body = client.get("/users/create/").content.decode()
    assert select(body, "id_permissions_boundary") == [world.aws_arn]
    assert "No permissions boundary" not in body
    # The search offers only what the caller may use.
    assert options(client.get("/policies/options/?purpose=create&kind=user&q=Bulk")
                   .content.decode()) == [""]
    assert "disabled" in client.get("/policies/options/?purpose=create&kind=user&q=Bulk")\
        .content.decode()
    response = client.post("/users/create/", {"user_name": "dev1",
                                              "permissions_boundary": world.aws_arn})
    assert response.status_code == 302
    response = client.post("/users/create/", {"user_name": "dev2",
                                              "permissions_boundary": policy_arn("Bulk104")})
    assert response.status_code == 403
    assert not User.objects.filter(name="dev2").exists()


def test_delegated_admin_with_a_negated_deny_may_create(world):
    client = client_for(delegated_admin(world.custom_arn, negated=True))
    assert 'href="/users/create/"' in client.get("/users/").content.decode()
    body = client.get("/users/create/").content.decode()
    assert select(body, "id_permissions_boundary") == [world.custom_arn]


def test_create_boundary_search_needs_list_policies(world, outsider):
    response = client_for(outsider).get("/policies/options/?purpose=create&kind=role")
    assert response.status_code == 403


# Query counts ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "/users/target/?tab=permissions", "/roles/app/", "/users/create/", "/roles/create/",
    "/policies/options/?purpose=attach&kind=user&name=target&q=Bulk",
    "/policies/options/?purpose=boundary&kind=role&name=app&q=Bulk",
])
def test_query_count_does_not_grow_with_the_number_of_policies(
        world, admin, url, django_assert_max_num_queries):
    system = Caller.system("test")
    add_policies(5)
    iam.attach_user_policy(system, "target", policy_arn("Bulk000"))
    iam.put_user_permissions_boundary(system, "target", policy_arn("Bulk001"))
    client = client_for(admin)
    client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add_policies(145, start=5)
    iam.attach_user_policy(system, "target", policy_arn("Bulk140"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_delegated_admin_query_count_does_not_grow(world, django_assert_max_num_queries):
    client = client_for(delegated_admin(world.custom_arn))
    add_policies(5)
    client.get("/users/create/")
    with CaptureQueriesContext(connection) as small:
        client.get("/users/create/")
    add_policies(145, start=5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/users/create/").status_code == 200
