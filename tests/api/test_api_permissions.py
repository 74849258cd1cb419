"""Permission matrix: every endpoint, called by an admin (allowed) and by an outsider with no
policies (denied with 403 AccessDenied naming the IAM action AWS uses for the operation)."""

from __future__ import annotations

import json

import pytest
from api_helpers import API, PASSWORD, TRUST, world_fixture  # noqa: F401 - the fixture
from cert_fixtures import issue
from django.test import Client
from key_material import certificate, rsa_key, ssh_public
from saml_fixtures import metadata as saml_metadata

SSH_KEY = ssh_public(rsa_key(1))
CERTIFICATE = certificate(rsa_key(1))
_CERT = issue("new.example.com")
_SAML_METADATA = saml_metadata()
NEW_DOC = {"Version": "2012-10-17",
           "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}

# (method, url (formatted with the world), body, IAM action, status when allowed)
_OIDC = "arn:aws:iam::123456789012:oidc-provider/"

MATRIX = [
    ("GET", "users/", None, "iam:ListUsers", 200),
    ("POST", "users/", {"user_name": "bob"}, "iam:CreateUser", 201),
    ("GET", "users/alice/", None, "iam:GetUser", 200),
    ("PATCH", "users/alice/", {"new_path": "/eng/"}, "iam:UpdateUser", 200),
    ("DELETE", "users/carol/", None, "iam:DeleteUser", 204),
    ("GET", "users/alice/groups/", None, "iam:ListGroupsForUser", 200),
    ("GET", "users/alice/tags/", None, "iam:ListUserTags", 200),
    ("GET", "users/alice/last-accessed/", None, "iam:GenerateServiceLastAccessedDetails", 200),
    ("POST", "users/alice/tags/", {"tags": {"cost": "42"}}, "iam:TagUser", 200),
    ("DELETE", "users/alice/tags/?key=team", None, "iam:UntagUser", 200),
    ("GET", "users/alice/attached-policies/", None, "iam:ListAttachedUserPolicies", 200),
    ("POST", "users/carol/attached-policies/", {"policy_arn": "{policy_arn}"},
     "iam:AttachUserPolicy", 204),
    ("DELETE", "users/alice/attached-policies/{policy_id}/", None, "iam:DetachUserPolicy", 204),
    ("GET", "users/alice/inline-policies/", None, "iam:ListUserPolicies", 200),
    ("GET", "users/alice/inline-policies/inline/", None, "iam:GetUserPolicy", 200),
    ("PUT", "users/alice/inline-policies/more/", {"policy_document": NEW_DOC},
     "iam:PutUserPolicy", 200),
    ("DELETE", "users/alice/inline-policies/inline/", None, "iam:DeleteUserPolicy", 204),
    ("GET", "users/alice/permissions-boundary/", None, "iam:GetUser", 200),
    ("PUT", "users/carol/permissions-boundary/", {"policy_arn": "{policy_arn}"},
     "iam:PutUserPermissionsBoundary", 200),
    ("DELETE", "users/alice/permissions-boundary/", None,
     "iam:DeleteUserPermissionsBoundary", 204),
    ("GET", "users/alice/access-keys/", None, "iam:ListAccessKeys", 200),
    ("POST", "users/carol/access-keys/", None, "iam:CreateAccessKey", 201),
    ("GET", "users/alice/access-keys/{key_id}/", None, "iam:GetAccessKeyLastUsed", 200),
    ("PATCH", "users/alice/access-keys/{key_id}/", {"status": "Inactive"},
     "iam:UpdateAccessKey", 200),
    ("DELETE", "users/alice/access-keys/{key_id}/", None, "iam:DeleteAccessKey", 204),
    ("GET", "users/alice/login-profile/", None, "iam:GetLoginProfile", 200),
    ("POST", "users/carol/login-profile/", {"password": PASSWORD}, "iam:CreateLoginProfile",
     201),
    ("PATCH", "users/alice/login-profile/", {"password_reset_required": True},
     "iam:UpdateLoginProfile", 200),
    ("DELETE", "users/alice/login-profile/", None, "iam:DeleteLoginProfile", 204),
    ("GET", "users/alice/mfa-devices/", None, "iam:ListMFADevices", 200),
    ("DELETE", "users/alice/mfa-devices/{serial}/", None, "iam:DeactivateMFADevice", 204),
    ("GET", "users/alice/ssh-public-keys/", None, "iam:ListSSHPublicKeys", 200),
    ("POST", "users/carol/ssh-public-keys/", {"ssh_public_key_body": SSH_KEY},
     "iam:UploadSSHPublicKey", 201),
    ("GET", "users/alice/ssh-public-keys/{ssh_key_id}/?encoding=PEM", None,
     "iam:GetSSHPublicKey", 200),
    ("PATCH", "users/alice/ssh-public-keys/{ssh_key_id}/", {"status": "Inactive"},
     "iam:UpdateSSHPublicKey", 200),
    ("DELETE", "users/alice/ssh-public-keys/{ssh_key_id}/", None, "iam:DeleteSSHPublicKey", 204),
    ("GET", "users/alice/signing-certificates/", None, "iam:ListSigningCertificates", 200),
    ("POST", "users/carol/signing-certificates/", {"certificate_body": CERTIFICATE},
     "iam:UploadSigningCertificate", 201),
    ("PATCH", "users/alice/signing-certificates/{certificate_id}/", {"status": "Inactive"},
     "iam:UpdateSigningCertificate", 200),
    ("DELETE", "users/alice/signing-certificates/{certificate_id}/", None,
     "iam:DeleteSigningCertificate", 204),
    ("GET", "users/alice/service-specific-credentials/", None,
     "iam:ListServiceSpecificCredentials", 200),
    ("POST", "users/carol/service-specific-credentials/",
     {"service_name": "codecommit.amazonaws.com"}, "iam:CreateServiceSpecificCredential", 201),
    ("PATCH", "users/alice/service-specific-credentials/{credential_id}/",
     {"status": "Inactive"}, "iam:UpdateServiceSpecificCredential", 200),
    ("DELETE", "users/alice/service-specific-credentials/{credential_id}/", None,
     "iam:DeleteServiceSpecificCredential", 204),
    ("POST", "users/alice/service-specific-credentials/{credential_id}/reset/", None,
     "iam:ResetServiceSpecificCredential", 200),
    # groups
    ("GET", "groups/", None, "iam:ListGroups", 200),
    ("POST", "groups/", {"group_name": "ops"}, "iam:CreateGroup", 201),
    ("GET", "groups/devs/", None, "iam:GetGroup", 200),
    ("PATCH", "groups/devs/", {"new_path": "/eng/"}, "iam:UpdateGroup", 200),
    ("DELETE", "groups/empty/", None, "iam:DeleteGroup", 204),
    ("GET", "groups/devs/members/", None, "iam:GetGroup", 200),
    ("GET", "groups/devs/last-accessed/?service_namespace=s3", None,
     "iam:GenerateServiceLastAccessedDetails", 200),
    ("POST", "groups/devs/members/", {"user_name": "carol"}, "iam:AddUserToGroup", 204),
    ("DELETE", "groups/devs/members/alice/", None, "iam:RemoveUserFromGroup", 204),
    ("GET", "groups/devs/attached-policies/", None, "iam:ListAttachedGroupPolicies", 200),
    ("POST", "groups/empty/attached-policies/", {"policy_arn": "{policy_arn}"},
     "iam:AttachGroupPolicy", 204),
    ("DELETE", "groups/devs/attached-policies/{policy_arn}/", None, "iam:DetachGroupPolicy",
     204),
    ("GET", "groups/devs/inline-policies/", None, "iam:ListGroupPolicies", 200),
    ("GET", "groups/devs/inline-policies/inl/", None, "iam:GetGroupPolicy", 200),
    ("PUT", "groups/devs/inline-policies/inl/", {"policy_document": NEW_DOC},
     "iam:PutGroupPolicy", 200),
    ("DELETE", "groups/devs/inline-policies/inl/", None, "iam:DeleteGroupPolicy", 204),
    # roles
    ("GET", "roles/", None, "iam:ListRoles", 200),
    ("POST", "roles/", {"role_name": "svc", "assume_role_policy_document": TRUST},
     "iam:CreateRole", 201),
    ("GET", "roles/app/", None, "iam:GetRole", 200),
    ("PATCH", "roles/app/", {"description": "the app"}, "iam:UpdateRole", 200),
    ("DELETE", "roles/bare/", None, "iam:DeleteRole", 204),
    ("GET", "roles/app/trust-policy/", None, "iam:GetRole", 200),
    ("PUT", "roles/app/trust-policy/", {"policy_document": TRUST},
     "iam:UpdateAssumeRolePolicy", 200),
    ("GET", "roles/app/tags/", None, "iam:ListRoleTags", 200),
    ("GET", "roles/app/last-accessed/?granularity=ACTION_LEVEL", None,
     "iam:GenerateServiceLastAccessedDetails", 200),
    ("POST", "roles/app/tags/", {"tags": {"cost": "42"}}, "iam:TagRole", 200),
    ("DELETE", "roles/app/tags/?key=team", None, "iam:UntagRole", 200),
    ("GET", "roles/app/attached-policies/", None, "iam:ListAttachedRolePolicies", 200),
    ("POST", "roles/bare/attached-policies/", {"policy_arn": "{policy_arn}"},
     "iam:AttachRolePolicy", 204),
    ("DELETE", "roles/app/attached-policies/{policy_id}/", None, "iam:DetachRolePolicy", 204),
    ("GET", "roles/app/inline-policies/", None, "iam:ListRolePolicies", 200),
    ("GET", "roles/app/inline-policies/inl/", None, "iam:GetRolePolicy", 200),
    ("PUT", "roles/app/inline-policies/inl/", {"policy_document": NEW_DOC},
     "iam:PutRolePolicy", 200),
    ("DELETE", "roles/app/inline-policies/inl/", None, "iam:DeleteRolePolicy", 204),
    ("GET", "roles/app/permissions-boundary/", None, "iam:GetRole", 200),
    ("PUT", "roles/bare/permissions-boundary/", {"policy_arn": "{policy_arn}"},
     "iam:PutRolePermissionsBoundary", 200),
    ("DELETE", "roles/app/permissions-boundary/", None,
     "iam:DeleteRolePermissionsBoundary", 204),
    ("GET", "roles/ec2/instance-profiles/", None, "iam:ListInstanceProfilesForRole", 200),
    # instance profiles
    ("GET", "instance-profiles/", None, "iam:ListInstanceProfiles", 200),
    ("POST", "instance-profiles/", {"instance_profile_name": "new"},
     "iam:CreateInstanceProfile", 201),
    ("GET", "instance-profiles/web/", None, "iam:GetInstanceProfile", 200),
    ("DELETE", "instance-profiles/empty-profile/", None, "iam:DeleteInstanceProfile", 204),
    ("POST", "instance-profiles/empty-profile/roles/", {"role_name": "ec2-spare"},
     "iam:AddRoleToInstanceProfile", 200),
    ("DELETE", "instance-profiles/web/roles/ec2/", None, "iam:RemoveRoleFromInstanceProfile",
     204),
    ("GET", "instance-profiles/web/tags/", None, "iam:ListInstanceProfileTags", 200),
    ("POST", "instance-profiles/web/tags/", {"tags": {"cost": "42"}},
     "iam:TagInstanceProfile", 200),
    ("DELETE", "instance-profiles/web/tags/?key=team", None, "iam:UntagInstanceProfile", 200),
    # server certificates
    ("GET", "server-certificates/", None, "iam:ListServerCertificates", 200),
    ("POST", "server-certificates/", {"server_certificate_name": "new",
                                      "certificate_body": _CERT.pem,
                                      "private_key": _CERT.key_pem},
     "iam:UploadServerCertificate", 201),
    ("GET", "server-certificates/web/", None, "iam:GetServerCertificate", 200),
    ("PATCH", "server-certificates/web/", {"new_path": "/elb/"}, "iam:UpdateServerCertificate",
     200),
    ("DELETE", "server-certificates/spare-cert/", None, "iam:DeleteServerCertificate", 204),
    ("GET", "server-certificates/web/tags/", None, "iam:ListServerCertificateTags", 200),
    ("POST", "server-certificates/web/tags/", {"tags": {"cost": "42"}},
     "iam:TagServerCertificate", 200),
    ("DELETE", "server-certificates/web/tags/?key=team", None, "iam:UntagServerCertificate",
     200),
    # OIDC providers (named by their ARN)
    ("GET", "oidc-providers/", None, "iam:ListOpenIDConnectProviders", 200),
    ("POST", "oidc-providers/", {"url": "https://new.example.com"},
     "iam:CreateOpenIDConnectProvider", 201),
    ("GET", f"oidc-providers/{_OIDC}idp.example.com/", None, "iam:GetOpenIDConnectProvider", 200),
    ("DELETE", f"oidc-providers/{_OIDC}spare.example.com/", None,
     "iam:DeleteOpenIDConnectProvider", 204),
    ("PUT", f"oidc-providers/{_OIDC}idp.example.com/thumbprints/",
     {"thumbprint_list": ["a" * 40]}, "iam:UpdateOpenIDConnectProviderThumbprint", 200),
    ("POST", f"oidc-providers/{_OIDC}idp.example.com/client-ids/", {"client_id": "other"},
     "iam:AddClientIDToOpenIDConnectProvider", 200),
    ("DELETE", f"oidc-providers/{_OIDC}idp.example.com/client-ids/?client_id=app", None,
     "iam:RemoveClientIDFromOpenIDConnectProvider", 200),
    ("GET", f"oidc-providers/{_OIDC}idp.example.com/tags/", None,
     "iam:ListOpenIDConnectProviderTags", 200),
    ("POST", f"oidc-providers/{_OIDC}idp.example.com/tags/", {"tags": {"cost": "42"}},
     "iam:TagOpenIDConnectProvider", 200),
    ("DELETE", f"oidc-providers/{_OIDC}idp.example.com/tags/?key=team", None,
     "iam:UntagOpenIDConnectProvider", 200),


    # SAML providers
    ("GET", "saml-providers/", None, "iam:ListSAMLProviders", 200),
    ("POST", "saml-providers/", {"saml_provider_name": "new",
                                 "saml_metadata_document": _SAML_METADATA},
     "iam:CreateSAMLProvider", 201),
    ("GET", "saml-providers/idp/", None, "iam:GetSAMLProvider", 200),
    ("PATCH", "saml-providers/idp/", {"saml_metadata_document": _SAML_METADATA},
     "iam:UpdateSAMLProvider", 200),
    ("DELETE", "saml-providers/spare-idp/", None, "iam:DeleteSAMLProvider", 204),
    ("GET", "saml-providers/idp/tags/", None, "iam:ListSAMLProviderTags", 200),
    ("POST", "saml-providers/idp/tags/", {"tags": {"cost": "42"}}, "iam:TagSAMLProvider", 200),
    ("DELETE", "saml-providers/idp/tags/?key=team", None, "iam:UntagSAMLProvider", 200),
    # service-linked roles
    ("POST", "service-linked-roles/", {"aws_service_name": "ecs.amazonaws.com"},
     "iam:CreateServiceLinkedRole", 201),
    ("DELETE", "service-linked-roles/AWSServiceRoleForElasticBeanstalk/", None,
     "iam:DeleteServiceLinkedRole", 202),
    ("GET", "service-linked-role-deletions/?deletion_task_id={slr_task}", None,
     "iam:GetServiceLinkedRoleDeletionStatus", 200),
    # managed policies
    ("GET", "policies/", None, "iam:ListPolicies", 200),
    ("POST", "policies/", {"policy_name": "New", "policy_document": NEW_DOC},
     "iam:CreatePolicy", 201),
    ("GET", "policies/{policy_id}/", None, "iam:GetPolicy", 200),
    ("PATCH", "policies/{policy_id}/", {"description": "d"}, "iam:CreatePolicyVersion", 200),
    ("DELETE", "policies/{spare_policy_id}/", None, "iam:DeletePolicy", 204),
    ("GET", "policies/{policy_id}/versions/", None, "iam:ListPolicyVersions", 200),
    ("POST", "policies/{policy_id}/versions/", {"policy_document": NEW_DOC},
     "iam:CreatePolicyVersion", 201),
    ("GET", "policies/{policy_id}/versions/v1/", None, "iam:GetPolicyVersion", 200),
    ("DELETE", "policies/{policy_id}/versions/v2/", None, "iam:DeletePolicyVersion", 204),
    ("PUT", "policies/{policy_id}/default-version/", {"version_id": "v2"},
     "iam:SetDefaultPolicyVersion", 200),
    ("GET", "policies/{policy_id}/entities/", None, "iam:ListEntitiesForPolicy", 200),
    ("GET", "policies/{policy_id}/tags/", None, "iam:ListPolicyTags", 200),
    ("GET", "policies/{policy_id}/last-accessed/", None,
     "iam:GenerateServiceLastAccessedDetails", 200),
    ("POST", "policies/{policy_id}/tags/", {"tags": {"cost": "42"}}, "iam:TagPolicy", 200),
    ("DELETE", "policies/{policy_id}/tags/?key=cost", None, "iam:UntagPolicy", 200),
    # account
    ("GET", "password-policy/", None, "iam:GetAccountPasswordPolicy", 200),
    ("PUT", "password-policy/", {"minimum_password_length": 12},
     "iam:UpdateAccountPasswordPolicy", 200),
    ("DELETE", "password-policy/", None, "iam:DeleteAccountPasswordPolicy", 204),
    ("GET", "audit-events/", None, "cloudtrail:LookupEvents", 200),
    ("GET", "audit-events/{event_id}/", None, "cloudtrail:LookupEvents", 200),
    # outbound web identity federation: never enabled in the world, so info/disable pass
    # authorization and answer FeatureDisabled
    ("POST", "outbound-web-identity-federation/", None,
     "iam:EnableOutboundWebIdentityFederation", 201),
    ("GET", "outbound-web-identity-federation/", None,
     "iam:GetOutboundWebIdentityFederationInfo", 404),
    ("DELETE", "outbound-web-identity-federation/", None,
     "iam:DisableOutboundWebIdentityFederation", 404),
    # simulator
    ("POST", "simulate/principal/",
     {"policy_source_arn": "arn:aws:iam::123456789012:user/alice",
      "action_names": ["s3:GetObject"], "resource_arns": ["arn:aws:s3:::bucket/key"]},
     "iam:SimulatePrincipalPolicy", 200),
    ("POST", "simulate/custom/",
     {"policy_input_list": [NEW_DOC], "action_names": ["s3:ListBucket"]},
     "iam:SimulateCustomPolicy", 200),
    # custom services and the decision API (the item rows: allowed, no such service)
    ("GET", "custom-services/", None, "iamconsole:ListCustomServices", 200),
    ("POST", "custom-services/", {"prefix": "svc", "actions": [{"name": "Get"}]},
     "iamconsole:PutCustomService", 201),
    ("PUT", "custom-services/svc/", {"actions": [{"name": "Get"}]},
     "iamconsole:PutCustomService", 200),
    ("GET", "custom-services/svc/", None, "iamconsole:GetCustomService", 404),
    ("DELETE", "custom-services/svc/", None, "iamconsole:DeleteCustomService", 404),
    ("POST", "authorize/", {"checks": [{"action": "svc:Get",
                                        "principal_arn": "arn:aws:iam::123456789012:user/alice"}]},
     "iamconsole:Authorize", 200),
]


def _call(client: Client, world, method: str, url: str, body):
    url = API + world.fill(url)
    data = None
    if body is not None:
        data = json.loads(world.fill(json.dumps(body).replace("{", "{{").replace("}", "}}")
                                     .replace("{{policy_arn}}", "{policy_arn}")))
    return client.generic(method, url, data=json.dumps(data) if data is not None else "",
                          content_type="application/json")


def _id(row) -> str:
    return f"{row[0]} {row[1]}"


@pytest.fixture
def as_admin(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def as_outsider(outsider) -> Client:
    client = Client()
    client.force_login(outsider)
    return client


@pytest.mark.parametrize(("method", "url", "body", "action", "allowed_status"), MATRIX,
                         ids=[_id(row) for row in MATRIX])
def test_admin_is_allowed(as_admin, world, method, url, body, action, allowed_status):
    response = _call(as_admin, world, method, url, body)
    assert response.status_code == allowed_status, response.content
    if allowed_status != 204:
        assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(("method", "url", "body", "action", "allowed_status"), MATRIX,
                         ids=[_id(row) for row in MATRIX])
def test_outsider_is_denied_naming_the_action(as_outsider, world, method, url, body, action,
                                              allowed_status):
    response = _call(as_outsider, world, method, url, body)
    assert response.status_code == 403, response.content
    error = response.json()
    assert error["code"] == "AccessDenied"
    assert error["action"] == action
    assert action in error["message"]
    assert error["resource"] and error["resource"] in error["message"]


def test_matrix_covers_every_route_and_method():
    """A new endpoint without a row in the matrix fails here."""
    from django.urls import get_resolver

    from iamconsole.api.urls import urlpatterns

    documented = set()
    for pattern in urlpatterns:
        view = getattr(pattern.callback, "view_class", None)
        for method in getattr(view, "iam_actions", {}):
            documented.add((method, str(pattern.pattern)))
    covered = set()
    resolver = get_resolver()
    for method, url, *_ in MATRIX:
        path = (API + url.split("?")[0]).format(policy_id="ANPAAAAAAAAAAAAAAAAAA",
                                                 spare_policy_id="ANPAAAAAAAAAAAAAAAAAA",
                                                 policy_arn="arn:aws:iam::123456789012:policy/P",
                                                 key_id="AKIAAAAAAAAAAAAAAAAA",
                                                 serial="arn:aws:iam::123456789012:mfa/d",
                                                 event_id=1, slr_task="t",
                                                 ssh_key_id="APKAAAAAAAAAAAAAAAAA",
                                                 certificate_id="A" * 32,
                                                 credential_id="ACCAAAAAAAAAAAAAAAAAA")
        match = resolver.resolve(path)
        covered.add((method, str(match.route).removeprefix("api/v1/")))
    assert len(documented) > 80
    assert documented - covered == set()
