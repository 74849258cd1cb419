"""Users in the console: forms with errors next to the field, stale edits, delete conflicts,
group membership and credentials as in-place htmx actions, the secret shown once."""

from __future__ import annotations

import re
import time

import pyotp
import time_machine
from django.core.management import call_command

from iamconsole.iam import crypto
from iamconsole.iam import services as iam
from iamconsole.iam.models import AccessKey, AuditEvent, User, VirtualMFADevice
from tests.console.console_support import client_for, htmx


def test_create_user_with_tags_and_path(world, admin):
    response = client_for(admin).post("/users/create/", {
        "user_name": "dana", "path": "/eng/", "tags": "team=web\ncost=42"})
    assert response.status_code == 302
    assert response["Location"] == "/users/dana/"
    user = User.objects.get(name="dana")
    assert user.path == "/eng/" and user.tags == {"team": "web", "cost": "42"}
    event = AuditEvent.objects.filter(action="iam:CreateUser", resource_name="dana").get()
    assert event.actor == "admin" and event.auth_method == "console"


def test_create_user_under_htmx_answers_hx_location(world, admin):
    response = client_for(admin).post("/users/create/", {"user_name": "erin"}, **htmx("main"))
    assert response.status_code == 200
    assert "/users/erin/" in response["HX-Location"]


def test_bad_user_name_is_reported_next_to_the_field_and_nothing_is_saved(world, admin):
    response = client_for(admin).post("/users/create/", {"user_name": "bad name!",
                                                         "tags": "team=x"})
    assert response.status_code == 400
    page = response.content.decode()
    assert re.search(r'id="id_user_name_error"[^>]*>.*regular expression', page, re.S)
    assert 'aria-invalid="true"' in page
    assert not User.objects.filter(name="bad name!").exists()


def test_duplicate_user_name_error_next_to_the_field(world, admin):
    response = client_for(admin).post("/users/create/", {"user_name": "TARGET"})
    assert response.status_code == 400
    assert "id_user_name_error" in response.content.decode()
    assert "already exists" in response.content.decode()


def test_reserved_tag_key_fails_without_creating_the_user(world, admin):
    response = client_for(admin).post("/users/create/", {"user_name": "fred",
                                                         "tags": "aws:owner=me"})
    assert response.status_code == 400
    assert "id_tags_error" in response.content.decode()
    assert not User.objects.filter(name="fred").exists()


def test_malformed_tag_line_is_a_form_error(world, admin):
    response = client_for(admin).post("/users/create/", {"user_name": "fred",
                                                         "tags": "no-equals-sign"})
    assert response.status_code == 400
    assert "Line 1: write the tag as key=value." in response.content.decode()


def test_edit_user_renames(world, admin):
    user = User.objects.get(name="target")
    response = client_for(admin).post("/users/target/edit/", {
        "new_user_name": "renamed", "new_path": "/x/", "revision": user.revision})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.name, user.path) == ("renamed", "/x/")


def test_stale_edit_is_detected_and_not_saved(world, admin, system):
    """Two tabs: both load revision N; the first saves; the second must not overwrite."""
    client = client_for(admin)
    page = client.get("/users/target/edit/").content.decode()
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    iam.update_user(system, "target", new_path="/first-tab/")
    response = client.post("/users/target/edit/", {
        "new_user_name": "target", "new_path": "/second-tab/", "revision": revision})
    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
    assert "Reload the latest version" in response.content.decode()
    assert User.objects.get(name="target").path == "/first-tab/"


def test_delete_confirmation_is_a_fragment_under_htmx(world, admin):
    response = client_for(admin).get("/users/spare/delete/", **htmx("confirm-slot"))
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Delete user spare?" in response.content


def test_delete_conflict_is_explained_and_nothing_deleted(world, admin):
    response = client_for(admin).post("/users/target/delete/")
    assert response.status_code == 409
    assert "must remove inline policies first" in response.content.decode()
    assert User.objects.filter(name="target").exists()


def test_delete_user(world, admin):
    response = client_for(admin).post("/users/spare/delete/")
    assert response.status_code == 302 and response["Location"] == "/users/"
    assert not User.objects.filter(name="spare").exists()


def test_add_to_group_in_place_rerenders_the_groups_tab(world, admin):
    response = client_for(admin).post("/users/target/groups/add/", {"group_name": "team"},
                                      **htmx("tab-panel"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "Added target to team." in body
    assert 'href="/groups/team/"' in body
    assert User.objects.get(name="target").iam_groups.filter(name="team").exists()


def test_remove_from_group_without_javascript_redirects_back(world, admin, system):
    iam.add_user_to_group(system, "team", "target")
    response = client_for(admin).post("/users/target/groups/team/remove/")
    assert response.status_code == 302
    assert response["Location"] == "/users/target/?tab=groups"
    assert not User.objects.get(name="target").iam_groups.exists()


def test_unknown_group_is_a_404_not_a_500(world, admin):
    response = client_for(admin).post("/users/target/groups/add/", {"group_name": "nope"})
    assert response.status_code == 404
    assert b"cannot be found" in response.content


def test_access_key_secret_is_shown_once(world, admin):
    client = client_for(admin)
    response = client.post("/users/target/access-keys/create/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    key = AccessKey.objects.get(user__name="target")
    secret = crypto.decrypt(key.secret_encrypted)
    assert secret in response.content.decode()
    assert key.access_key_id in response.content.decode()
    later = client.get("/users/target/?tab=credentials").content.decode()
    assert key.access_key_id in later and secret not in later
    assert secret not in str(list(AuditEvent.objects.values_list("new_value", flat=True)))


def test_access_key_created_under_htmx_shows_secret_in_the_tab(world, admin):
    response = client_for(admin).post("/users/target/access-keys/create/", **htmx("tab-panel"))
    key = AccessKey.objects.get(user__name="target")
    assert crypto.decrypt(key.secret_encrypted) in response.content.decode()
    assert "only time the secret access key is shown" in response.content.decode()


def test_third_access_key_is_refused_with_the_quota_message(world, admin, system):
    iam.create_access_key(system, "target")
    iam.create_access_key(system, "target")
    response = client_for(admin).post("/users/target/access-keys/create/", **htmx("tab-panel"))
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#flash"
    assert b"AccessKeysPerUser" in response.content
    assert AccessKey.objects.filter(user__name="target").count() == 2


def test_deactivate_activate_and_delete_access_key(world, admin, system):
    key = iam.create_access_key(system, "target").access_key
    client = client_for(admin)
    base = f"/users/target/access-keys/{key.access_key_id}"
    client.post(f"{base}/status/", {"status": "Inactive"}, **htmx("tab-panel"))
    key.refresh_from_db()
    assert key.status == "Inactive"
    client.post(f"{base}/status/", {"status": "Active"})
    key.refresh_from_db()
    assert key.status == "Active"
    response = client.post(f"{base}/delete/", **htmx("tab-panel"))
    assert response.status_code == 200 and b"No access keys." in response.content
    assert not AccessKey.objects.filter(pk=key.pk).exists()


def test_access_key_last_used_is_shown(world, admin, system):
    key = iam.create_access_key(system, "target").access_key
    iam.record_access_key_use(key.access_key_id, "s3", "eu-west-1")
    page = client_for(admin).get("/users/target/?tab=credentials").content.decode()
    assert "eu-west-1" in page and "s3" in page


@time_machine.travel("2026-01-01 12:00:00", tick=False)
def test_admin_deactivates_a_users_mfa_device(world, admin, system):
    new = iam.create_virtual_mfa_device(system, "target-phone")
    totp = pyotp.TOTP(new.base32_seed)
    now = int(time.time())
    iam.enable_mfa_device(system, "target", new.device.serial_number,
                          totp.at(now - 30), totp.at(now))
    client = client_for(admin)
    page = client.get("/users/target/?tab=credentials").content.decode()
    assert new.device.serial_number in page and "Deactivate" in page
    response = client.post("/users/target/mfa/deactivate/",
                           {"serial_number": new.device.serial_number}, **htmx("tab-panel"))
    assert response.status_code == 200
    assert VirtualMFADevice.objects.get(pk=new.device.pk).user is None


def test_tag_and_untag_user(world, admin):
    client = client_for(admin)
    response = client.post("/users/target/tags/add/", {"key": "env", "value": "prod"},
                           **htmx("tab-panel"))
    assert b"env" in response.content
    client.post("/users/target/tags/remove/", {"key": "team"})
    assert User.objects.get(name="target").tags == {"env": "prod"}


def test_user_list_search_tag_filter_sort_and_pagination(world, admin, system):
    for i in range(30):
        iam.create_user(system, f"bulk{i:02d}", path="/bulk/", tags={"batch": str(i % 2)})
    client = client_for(admin)
    page = client.get("/users/?q=bulk&per_page=10&sort=-name").content.decode()
    assert "30 results, page 1 of 3" in page
    assert page.index("bulk29") < page.index("bulk28")
    page = client.get("/users/?tag=batch=1&path=/bulk/").content.decode()
    assert "15 results" in page and "bulk01" in page and "bulk02" not in page
    page = client.get("/users/?tag=team").content.decode()
    assert "1 result" in page and "target" in page
    fragment = client.get("/users/?q=bulk0", **htmx("results"))
    assert b"<html" not in fragment.content and b"10 results" in fragment.content


def test_invalid_path_filter_is_reported_not_a_500(world, admin):
    response = client_for(admin).get("/users/?path=no-slash")
    assert response.status_code == 200
    assert b"PathPrefix must begin with /" in response.content


def test_dashboard_posture(world, admin, system):
    iam.create_login_profile(system, "target", "Correct-Horse-9!")
    with time_machine.travel("2020-01-01", tick=False):
        iam.create_access_key(system, "spare")
    page = client_for(admin).get("/").content.decode()
    assert "Console users without MFA" in page and 'href="/users/target/?tab=credentials"' in page
    assert "Active access keys older than 90 days" in page
    assert "Access keys unused for 90 days" in page


def test_seed_demo_is_idempotent_and_prints_the_admin_password(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "admin / Admin-Passw0rd!" in out
    admin = User.objects.get(name="admin")
    assert admin.is_root and admin.check_password("Admin-Passw0rd!")
    assert User.objects.filter(name="delegated-admin").count() == 1
    from iamconsole.iam.models import ManagedPolicy

    names = set(ManagedPolicy.objects.filter(is_aws_managed=True).values_list("name", flat=True))
    assert {"IAMFullAccess", "IAMReadOnlyAccess", "IAMUserChangePassword"} <= names
    assert ManagedPolicy.objects.get(name="IAMFullAccess").arn == \
        "arn:aws:iam::aws:policy/IAMFullAccess"


def test_enable_console_access_with_a_weak_password_is_an_error_next_to_the_field(world, admin):
    response = client_for(admin).post("/users/target/login-profile/", {"password": "short"},
                                      **htmx("tab-panel"))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_password_error"' in body and "at least 8 characters" in body
    assert not User.objects.get(name="target").has_login_profile


def test_enable_change_and_disable_console_access(world, admin):
    client = client_for(admin)
    response = client.post("/users/target/login-profile/",
                           {"password": "Correct-Horse-9!", "password_reset_required": "on"})
    assert response.status_code == 302
    user = User.objects.get(name="target")
    assert user.check_password("Correct-Horse-9!") and user.password_reset_required
    response = client.post("/users/target/login-profile/", {"password": "Other-Horse-10!"},
                           **htmx("tab-panel"))
    assert b"Console password changed." in response.content
    assert User.objects.get(name="target").check_password("Other-Horse-10!")
    client.post("/users/target/login-profile/delete/")
    assert not User.objects.get(name="target").has_login_profile


def test_reader_cannot_set_a_password(world, reader):
    response = client_for(reader).post("/users/target/login-profile/",
                                       {"password": "Correct-Horse-9!"})
    assert response.status_code == 403
    assert b"iam:CreateLoginProfile" in response.content
    assert not User.objects.get(name="target").has_login_profile
