"""A user's SSH public keys, signing certificates and service-specific credentials, on the
"Security credentials" tab: upload, activate / deactivate, delete; a generated service password
is shown once, in the response that created or reset it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from iamconsole.iam import services as iam
from iamconsole.iam.errors import IAMError
from iamconsole.iam.services import _common as limits

from ..auth import console_view, get_caller
from . import entities
from .common import failed, readable
from .users import PAGE, tab_fragment, user_resource

TAB = "credentials"
SERVICES = iam.PASSWORD_SERVICES + iam.API_KEY_SERVICES


def context(caller, user) -> dict:
    """What the credentials tab shows of these three families (each read may be denied)."""
    ssh_keys, ssh_denied = readable(lambda: list(iam.list_ssh_public_keys(caller, user.name)))
    certificates, certificates_denied = readable(
        lambda: list(iam.list_signing_certificates(caller, user.name)))
    service_credentials, service_denied = readable(
        lambda: list(iam.list_service_specific_credentials(caller, user.name)))
    return {
        "ssh_keys": ssh_keys, "ssh_denied": ssh_denied,
        "max_ssh_keys": limits.MAX_SSH_PUBLIC_KEYS,
        "certificates": certificates, "certificates_denied": certificates_denied,
        "max_certificates": limits.MAX_SIGNING_CERTIFICATES,
        "service_credentials": [(c, iam.credential_status(c)) for c in service_credentials or []],
        "service_denied": service_denied, "services": SERVICES,
    }


def _action(action: str, run, message):
    return entities.tab_action(PAGE, TAB, action, run, message)


# SSH public keys ------------------------------------------------------------------------------

ssh_key_upload = _action(
    "iam:UploadSSHPublicKey",
    lambda caller, name, request: iam.upload_ssh_public_key(
        caller, name, request.POST.get("ssh_public_key_body", "")),
    lambda request, name: "SSH public key uploaded.")
ssh_key_status = _action(
    "iam:UpdateSSHPublicKey",
    lambda caller, name, request, key_id: iam.update_ssh_public_key(
        caller, name, key_id, request.POST.get("status", "")),
    lambda request, name, key_id: f"SSH public key {key_id} is now "
                                  f"{request.POST.get('status', '')}.")
ssh_key_delete = _action(
    "iam:DeleteSSHPublicKey",
    lambda caller, name, request, key_id: iam.delete_ssh_public_key(caller, name, key_id),
    lambda request, name, key_id: f"Deleted SSH public key {key_id}.")


# Signing certificates -------------------------------------------------------------------------

certificate_upload = _action(
    "iam:UploadSigningCertificate",
    lambda caller, name, request: iam.upload_signing_certificate(
        caller, name, request.POST.get("certificate_body", "")),
    lambda request, name: "Signing certificate uploaded.")
certificate_status = _action(
    "iam:UpdateSigningCertificate",
    lambda caller, name, request, certificate_id: iam.update_signing_certificate(
        caller, name, certificate_id, request.POST.get("status", "")),
    lambda request, name, certificate_id: f"Signing certificate {certificate_id} is now "
                                          f"{request.POST.get('status', '')}.")
certificate_delete = _action(
    "iam:DeleteSigningCertificate",
    lambda caller, name, request, certificate_id: iam.delete_signing_certificate(
        caller, name, certificate_id),
    lambda request, name, certificate_id: f"Deleted signing certificate {certificate_id}.")


# Service-specific credentials -----------------------------------------------------------------

def _issued_response(request: HttpRequest, name: str, issued, notice: str) -> HttpResponse:
    """The tab (htmx) or a page showing the generated password this once (never stored)."""
    extra = {"issued": issued.credential, "issued_secret": issued.secret}
    if request.htmx:
        response = tab_fragment(request, name, TAB, notice, **extra)
    else:
        response = render(request, "console/users/service_credential_issued.html",
                          {"user_obj": iam.find_user(name), "notice": notice, **extra})
    response["Cache-Control"] = "no-store"
    return response


@console_view("iam:CreateServiceSpecificCredential", user_resource, methods=("POST",))
def service_credential_create(request: HttpRequest, name: str) -> HttpResponse:
    try:
        issued = iam.create_service_specific_credential(
            get_caller(request), name, request.POST.get("service_name", ""))
    except IAMError as exc:
        return failed(request, exc, PAGE.tab_url([name], TAB))
    return _issued_response(request, name, issued, "Service-specific credential created.")


@console_view("iam:ResetServiceSpecificCredential", user_resource, methods=("POST",))
def service_credential_reset(request: HttpRequest, name: str,
                             credential_id: str) -> HttpResponse:
    try:
        issued = iam.reset_service_specific_credential(get_caller(request), name, credential_id)
    except IAMError as exc:
        return failed(request, exc, PAGE.tab_url([name], TAB))
    return _issued_response(request, name, issued, "New password generated.")


service_credential_status = _action(
    "iam:UpdateServiceSpecificCredential",
    lambda caller, name, request, credential_id: iam.update_service_specific_credential(
        caller, name, credential_id, request.POST.get("status", "")),
    lambda request, name, credential_id: f"Credential {credential_id} is now "
                                         f"{request.POST.get('status', '')}.")
service_credential_delete = _action(
    "iam:DeleteServiceSpecificCredential",
    lambda caller, name, request, credential_id: iam.delete_service_specific_credential(
        caller, name, credential_id),
    lambda request, name, credential_id: f"Deleted credential {credential_id}.")
