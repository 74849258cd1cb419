"""The organization's console workflows for its management account: create the organization,
OUs and accounts (with the OrganizationAccountAccessRole and a Switch role link), move accounts,
enable policy types, create SCPs in the editor (live validation with the SCP grammar), attach,
detach and delete them; member accounts and callers without permission are refused; bad input
gives form errors; CSRF is enforced."""

import json

import pytest
from accounts_fixtures import in_account
from personas import ADMIN_POLICY, make_user

from iamconsole.iam.caller import Caller
from iamconsole.iam.models import Role
from iamconsole.orgs import services as orgs
from iamconsole.orgs.models import SCP, Membership, OrganizationalUnit, Policy, PolicyAttachment
from tests.console.console_support import client_for

DENY_S3 = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})
WITH_PRINCIPAL = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]})


@pytest.fixture
def admin(db):
    return client_for(make_user("admin", policy=ADMIN_POLICY))


@pytest.fixture
def org(admin):
    assert admin.post("/organization/create/").status_code == 302
    return orgs.organization_of("123456789012")


def test_the_management_admin_creates_the_organization(admin):
    assert "Create organization" in admin.get("/organization/").content.decode()
    response = admin.post("/organization/create/", follow=True)
    assert response.status_code == 200
    organization = orgs.organization_of("123456789012")
    assert organization.management_id == "123456789012"
    assert organization.id in response.content.decode()


def test_creates_renames_and_deletes_an_ou(admin, org):
    response = admin.post("/organization/ous/create/",
                          {"parent_id": org.root.id, "name": "Workloads"})
    assert response.status_code == 302
    unit = OrganizationalUnit.objects.get(organization=org, name="Workloads")
    assert "Workloads" in admin.get("/organization/").content.decode()
    admin.post(f"/organization/ous/{unit.id}/rename/", {"name": "Prod"})
    unit.refresh_from_db()
    assert unit.name == "Prod"
    assert admin.post(f"/organization/ous/{unit.id}/delete/").status_code == 302
    assert not OrganizationalUnit.objects.filter(id=unit.id).exists()


def test_creates_an_account_with_its_access_role_and_a_switch_role_link(admin, org):
    response = admin.post("/organization/accounts/create/",
                          {"account_name": "workload", "email": "w@example.com"})
    assert response.status_code == 200
    member = Membership.objects.get(organization=org, account__name="workload")
    page = response.content.decode()
    assert member.account_id in page
    assert "OrganizationAccountAccessRole" in page
    assert (f"/accounts/switch-role/?account={member.account_id}"
            "&amp;role=OrganizationAccountAccessRole") in page
    assert Role.everywhere.filter(account_id=member.account_id,
                                  name="OrganizationAccountAccessRole").exists()
    switch = admin.get(f"/accounts/switch-role/?account={member.account_id}"
                       "&role=OrganizationAccountAccessRole").content.decode()
    assert f'value="{member.account_id}"' in switch
    assert 'value="OrganizationAccountAccessRole"' in switch


def test_moves_an_account_into_an_ou(admin, org):
    system = Caller.system("test")
    unit = orgs.create_organizational_unit(system, org.root.id, "Workloads")
    member = orgs.create_account(system, email="m@example.com", account_name="m")
    response = admin.post(f"/organization/accounts/{member.account_id}/move/",
                          {"source_parent_id": org.root.id,
                           "destination_parent_id": unit.id})
    assert response.status_code == 302
    assert Membership.objects.get(account_id=member.account_id).parent_id == unit.id


def test_creates_attaches_detaches_and_deletes_an_scp(admin, org):
    assert admin.post("/organization/policy-types/",
                      {"policy_type": SCP, "enable": "true"}).status_code == 302
    org.root.refresh_from_db()
    assert org.root.enabled(SCP)
    form = admin.get("/organization/policies/create/?type=scp").content.decode()
    assert '"kind": "scp"' in form or "&quot;kind&quot;: &quot;scp&quot;" in form
    response = admin.post("/organization/policies/create/?type=scp",
                          {"name": "DenyS3", "description": "no S3", "policy_document": DENY_S3})
    assert response.status_code == 302
    policy = Policy.objects.get(organization=org, name="DenyS3")
    assert policy.type == SCP and policy.content == DENY_S3
    assert "DenyS3" in admin.get("/organization/policies/?type=scp").content.decode()

    admin.post("/organization/attach/", {"policy_id": policy.id, "target_id": org.root.id,
                                         "next": f"/organization/policies/{policy.id}/"})
    assert PolicyAttachment.objects.filter(policy=policy, target_id=org.root.id).exists()
    refused = admin.post(f"/organization/policies/{policy.id}/delete/")
    assert refused.status_code == 400
    assert "PolicyInUseException" in refused.content.decode()
    admin.post("/organization/detach/", {"policy_id": policy.id, "target_id": org.root.id})
    assert not PolicyAttachment.objects.filter(policy=policy).exists()
    assert admin.post(f"/organization/policies/{policy.id}/delete/").status_code == 302
    assert not Policy.objects.filter(id=policy.id).exists()


def test_edits_an_scp(admin, org):
    policy = orgs.create_policy(Caller.system("test"), content=DENY_S3, description="",
                                name="Old", type=SCP)
    response = admin.post(f"/organization/policies/{policy.id}/edit/",
                          {"name": "New", "description": "d", "policy_document": DENY_S3})
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.name, policy.description) == ("New", "d")


def test_live_validation_reports_a_principal_in_an_scp(admin):
    response = admin.post("/policies/validate/", {"policy_document": WITH_PRINCIPAL,
                                                  "kind": "scp"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "error" in page and "Principal is not supported" in page


def test_an_scp_with_a_principal_is_a_form_error(admin, org):
    response = admin.post("/organization/policies/create/?type=scp",
                          {"name": "Bad", "description": "", "policy_document": WITH_PRINCIPAL})
    assert response.status_code == 400
    assert "Principal is not supported" in response.content.decode()
    assert not Policy.objects.filter(name="Bad").exists()


@pytest.mark.parametrize(("url", "data", "text"), [
    ("/organization/ous/create/", {"parent_id": "r-none", "name": "X"},
     "ParentNotFoundException"),
    ("/organization/ous/create/", {"parent_id": "", "name": ""}, "required"),
    ("/organization/accounts/create/", {"account_name": "x", "email": "not-an-email"},
     "valid email"),
    ("/organization/policies/create/?type=scp", {"name": "", "policy_document": "{"}, "required"),
    ("/organization/attach/", {"policy_id": "p-missing", "target_id": "r-x"},
     "PolicyNotFoundException"),
    ("/organization/policy-types/", {"policy_type": "TAG_POLICY"}, "valid choice"),
])
def test_bad_input_gives_form_errors(admin, org, url, data, text):
    response = admin.post(url, data)
    assert response.status_code == 400
    assert text in response.content.decode()


def test_a_duplicate_ou_name_is_a_form_error(admin, org):
    orgs.create_organizational_unit(Caller.system("test"), org.root.id, "Twice")
    response = admin.post("/organization/ous/create/",
                          {"parent_id": org.root.id, "name": "Twice"})
    assert response.status_code == 400
    assert "DuplicateOrganizationalUnitException" in response.content.decode()


def _member_admin(org):
    member = orgs.create_account(Caller.system("test"), email="m@example.com",
                                 account_name="member")
    with in_account(member.account_id):
        user = make_user("memberadmin", policy=ADMIN_POLICY)
    return client_for(user)


@pytest.mark.parametrize(("url", "data"), [
    ("/organization/ous/create/", {"parent_id": "ROOT", "name": "X"}),
    ("/organization/accounts/create/", {"account_name": "x", "email": "x@example.com"}),
    ("/organization/policies/create/?type=scp", {"name": "P", "policy_document": DENY_S3}),
    ("/organization/policy-types/", {"policy_type": SCP, "enable": "true"}),
])
def test_a_member_account_is_refused_management(org, url, data):
    client = _member_admin(org)
    data = {k: (org.root.id if v == "ROOT" else v) for k, v in data.items()}
    response = client.post(url, data)
    assert response.status_code == 403
    assert "AccessDeniedException" in response.content.decode()
    assert not OrganizationalUnit.objects.filter(name="X").exists()
    assert not Policy.objects.filter(name="P").exists()


def test_a_member_account_signed_in_through_switch_role_is_refused(admin, org):
    admin.post("/organization/accounts/create/",
               {"account_name": "workload", "email": "w@example.com"})
    member = Membership.objects.get(organization=org, account__name="workload")
    switched = admin.post("/accounts/switch-role/", {
        "account": member.account_id, "role": "OrganizationAccountAccessRole"})
    assert switched.status_code == 302
    assert member.account_id in admin.get("/account/").content.decode()
    response = admin.post("/organization/ous/create/",
                          {"parent_id": org.root.id, "name": "X"})
    assert response.status_code == 403
    assert not OrganizationalUnit.objects.filter(name="X").exists()


def test_a_user_without_organizations_permissions_is_refused(org):
    reader = make_user("reader", policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "iam:List*", "Resource": "*"}]}))
    response = client_for(reader).post("/organization/ous/create/",
                                       {"parent_id": org.root.id, "name": "X"})
    assert response.status_code == 403
    assert not OrganizationalUnit.objects.filter(name="X").exists()


def test_csrf_is_enforced(org):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("csrfadmin", policy=ADMIN_POLICY))
    for url, data in (("/organization/ous/create/", {"parent_id": org.root.id, "name": "X"}),
                      ("/organization/policies/create/?type=scp",
                       {"name": "P", "policy_document": DENY_S3}),
                      ("/account/alias/", {"account_alias": "my-alias"})):
        assert client.post(url, data).status_code == 403
    assert not OrganizationalUnit.objects.filter(name="X").exists()


def test_account_page_shows_id_alias_and_organization_place(admin, org):
    unit = orgs.create_organizational_unit(Caller.system("test"), org.root.id, "Workloads")
    member = orgs.create_account(Caller.system("test"), email="m@example.com",
                                 account_name="member")
    orgs.move_account(Caller.system("test"), member.account_id, org.root.id, unit.id)
    assert admin.post("/account/alias/", {"account_alias": "my-company"}).status_code == 302
    page = admin.get("/account/").content.decode()
    for text in ("123456789012", "my-company", org.id, "management account",
                 "/accounts/password-policy/"):
        assert text in page
    assert 'href="/account/"' in admin.get("/").content.decode()
    assert admin.post("/account/alias/", {"account_alias": "Bad_Alias"}).status_code == 400
    admin.post("/account/alias/delete/", {"account_alias": "my-company"})
    assert "<code>my-company</code>" not in admin.get("/account/").content.decode()

    with in_account(member.account_id):
        user = make_user("memberadmin", policy=ADMIN_POLICY)
    page = client_for(user).get("/account/").content.decode()
    assert member.account_id in page and org.id in page
    assert "Root / Workloads" in page and unit.id in page


def test_creates_an_rcp_validated_with_the_rcp_grammar(admin, org):
    without_principal = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]})
    live = admin.post("/policies/validate/", {"policy_document": without_principal,
                                              "kind": "rcp"}).content.decode()
    assert "Statements in RCPs must have" in live
    refused = admin.post("/organization/policies/create/?type=rcp",
                         {"name": "R", "policy_document": without_principal})
    assert refused.status_code == 400
    created = admin.post("/organization/policies/create/?type=rcp",
                         {"name": "R", "policy_document": WITH_PRINCIPAL},
                         HTTP_HX_REQUEST="true")
    assert created.status_code == 200 and "HX-Location" in created.headers
    assert Policy.objects.get(organization=org, name="R").type == "RESOURCE_CONTROL_POLICY"


def test_a_read_only_caller_sees_the_tree_without_the_management_forms(org):
    reader = make_user("orgreader", policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["organizations:Describe*", "organizations:List*"],
         "Resource": "*"}]}))
    page = client_for(reader).get("/organization/").content.decode()
    assert org.id in page
    for form in ("/organization/ous/create/", "/organization/accounts/create/",
                 "/organization/policy-types/", "/organization/attach/"):
        assert f'action="{form}"' not in page and f'href="{form}"' not in page


def test_the_management_admin_sees_the_management_forms(admin, org):
    page = admin.get("/organization/").content.decode()
    for form in ("/organization/ous/create/", "/organization/accounts/create/",
                 "/organization/policy-types/"):
        assert form in page


def test_the_tree_offers_only_policies_not_yet_attached(admin, org):
    system = Caller.system("test")
    orgs.enable_policy_type(system, org.root.id, SCP)
    policy = orgs.create_policy(system, content=DENY_S3, description="", name="DenyS3",
                                type=SCP)
    page = admin.get("/organization/").content.decode()
    assert f'<option value="{policy.id}">SCP DenyS3</option>' in page
    assert '<option value="p-FullAWSAccess">' not in page  # attached everywhere already
