"""Instance profiles in the console (list, create, detail, add / remove the role, delete with
confirmation), a role's instance profiles, and service-linked roles shown read-only."""

from __future__ import annotations

from iamconsole.iam import services as iam
from iamconsole.iam.models import InstanceProfile
from tests.conftest import allow, make_user, policy_json
from tests.console.console_support import TRUST, client_for, htmx


def test_create_list_and_show_an_instance_profile(world, admin):
    client = client_for(admin)
    response = client.post("/instance-profiles/create/",
                           {"instance_profile_name": "web", "path": "/app/", "tags": "env=prod"})
    assert response.status_code == 302
    assert response["Location"] == "/instance-profiles/web/"
    assert InstanceProfile.objects.get(name="web").tags == {"env": "prod"}
    listing = client.get("/instance-profiles/").content.decode()
    assert 'href="/instance-profiles/web/"' in listing
    page = client.get("/instance-profiles/web/").content.decode()
    assert "arn:aws:iam::123456789012:instance-profile/app/web" in page
    assert "No role in this instance profile." in page and "/edit/" not in page
    bad = client.post("/instance-profiles/create/", {"instance_profile_name": "w e b"})
    assert bad.status_code == 400


def test_add_and_remove_the_role_in_place(world, admin, system):
    iam.create_role(system, "ec2-role", TRUST)
    iam.create_instance_profile(system, "web")
    client = client_for(admin)
    added = client.post("/instance-profiles/web/roles/add/", {"role_name": "ec2-role"},
                        **htmx("tab-panel"))
    assert added.status_code == 200 and b'href="/roles/ec2-role/"' in added.content
    assert b"Add role" not in added.content  # one role at most
    role_page = client.get("/roles/ec2-role/?tab=instance_profiles").content.decode()
    assert 'href="/instance-profiles/web/"' in role_page
    removed = client.post("/instance-profiles/web/roles/ec2-role/remove/", **htmx("tab-panel"))
    assert b"No role in this instance profile." in removed.content


def test_delete_is_refused_while_a_role_is_in_it(world, admin, system):
    iam.create_role(system, "ec2-role", TRUST)
    iam.create_instance_profile(system, "web")
    iam.add_role_to_instance_profile(system, "web", "ec2-role")
    client = client_for(admin)
    refused = client.post("/instance-profiles/web/delete/")
    assert refused.status_code == 409
    assert "must remove roles from instance profile" in refused.content.decode()
    assert client.post("/roles/ec2-role/delete/").status_code == 409
    iam.remove_role_from_instance_profile(system, "web", "ec2-role")
    assert client.post("/instance-profiles/web/delete/").status_code == 302
    assert not InstanceProfile.objects.exists()


def test_instance_profiles_need_their_actions(world, system):
    iam.create_instance_profile(system, "web")
    nobody = make_user("nobody", policy=policy_json(allow("iam:ListRoles")))
    client = client_for(nobody)
    assert client.get("/instance-profiles/").status_code == 403
    assert client.get("/instance-profiles/web/").status_code == 403
    assert client.get("/instance-profiles/missing/").status_code == 403
    assert client.post("/instance-profiles/web/delete/").status_code == 403
    assert InstanceProfile.objects.filter(name="web").exists()


def test_service_linked_role_is_shown_read_only(world, admin, system):
    role = iam.create_service_linked_role(system, "elasticbeanstalk.amazonaws.com")
    client = client_for(admin)
    page = client.get(f"/roles/{role.name}/").content.decode()
    assert "service-linked" in page and "Edit description" in page
    assert f'href="/roles/{role.name}/delete/"' not in page
    trust = client.get(f"/roles/{role.name}/?tab=trust").content.decode()
    assert "Edit trust policy" not in trust
    saved = client.post(f"/roles/{role.name}/edit/", {
        "description": "Beanstalk", "max_session_duration": 7200,
        "revision": role.revision})
    assert saved.status_code == 302
    role.refresh_from_db()
    assert role.description == "Beanstalk" and role.max_session_duration == 3600
    assert "service-linked" in client.get("/roles/").content.decode()


def test_the_role_to_add_is_picked_from_the_roles_and_searchable(world, admin, system):
    for name in ("ec2-role", "batch-role"):
        iam.create_role(system, name, TRUST)
    iam.create_instance_profile(system, "web")
    client = client_for(admin)
    tab = client.get("/instance-profiles/web/?tab=role", **htmx()).content.decode()
    picker = tab.split('<select id="add-role"')[1].split("</select>")[0]
    assert 'value="ec2-role"' in picker and 'value="batch-role"' in picker
    assert 'value="" disabled selected' in picker  # no role is preselected
    found = client.get("/policies/options/roles/", {"profile": "web", "q": "batch"})
    assert found.status_code == 200
    assert b'value="batch-role"' in found.content and b'value="ec2-role"' not in found.content
    iam.add_role_to_instance_profile(system, "web", "ec2-role")
    full = client.get("/instance-profiles/web/?tab=role", **htmx()).content.decode()
    assert '<select id="add-role"' not in full  # one role per instance profile


def test_without_list_roles_the_role_is_typed(world, system):
    iam.create_instance_profile(system, "web")
    maker = make_user("profiler", policy=policy_json(
        allow(["iam:GetInstanceProfile", "iam:ListInstanceProfiles",
               "iam:AddRoleToInstanceProfile"])))
    client = client_for(maker)
    tab = client.get("/instance-profiles/web/?tab=role", **htmx()).content.decode()
    assert '<input type="text" id="add-role"' in tab
    assert client.get("/policies/options/roles/", {"profile": "web"}).status_code == 403
