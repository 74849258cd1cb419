"""Service-specific credentials: CreateServiceSpecificCredential,
ListServiceSpecificCredentials, UpdateServiceSpecificCredential,
ResetServiceSpecificCredential, DeleteServiceSpecificCredential.

A user name and generated password for CodeCommit (Git over HTTPS) and Amazon Keyspaces, or an
API key (alias + secret, optionally expiring after CredentialAgeDays) for Amazon Bedrock and
CloudWatch Logs. The password or secret is returned at creation and reset only, and stored as a
hash (Django's password hasher), never in clear and never in the audit log."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db.models import QuerySet

from .. import arns, audit, authz, clock
from .. import identifiers as ids
from ..caller import Caller
from ..errors import InvalidInput, LimitExceeded, NoSuchEntity, NotSupportedService
from ..models import ServiceSpecificCredential, User
from ._common import MAX_SERVICE_SPECIFIC_CREDENTIALS, check_status, operation
from .users import target_user

# The services that issue a user name and password, and those that issue API keys.
PASSWORD_SERVICES = ("codecommit.amazonaws.com", "cassandra.amazonaws.com")
API_KEY_SERVICES = ("bedrock.amazonaws.com", "logs.amazonaws.com")
SERVICES = PASSWORD_SERVICES + API_KEY_SERVICES
MAX_AGE_DAYS = 36600


@dataclass
class IssuedServiceCredential:
    credential: ServiceSpecificCredential
    secret: str  # the password or API key secret: shown once, never stored in clear

    @property
    def service_password(self) -> str | None:
        return self.secret if self.credential.service_name in PASSWORD_SERVICES else None

    @property
    def service_credential_secret(self) -> str | None:
        return self.secret if self.credential.service_name in API_KEY_SERVICES else None


def credential_status(credential: ServiceSpecificCredential) -> str:
    """Active / Inactive, or Expired once an API key's expiration date has passed."""
    if credential.expires_at is not None and credential.expires_at <= clock.now():
        return ServiceSpecificCredential.EXPIRED
    return credential.status


def _check_service(service_name: str | None) -> str:
    if service_name not in SERVICES:
        raise NotSupportedService(
            f"Service {service_name} does not support service-specific credentials "
            f"(supported: {', '.join(SERVICES)}).", field="service_name")
    return service_name


def _audit(caller: Caller, action: str, user: User, **values) -> None:
    audit.record(caller, action, resource_type="user", resource_name=user.name,
                 resource_arn=user.arn, **values)


def _summary(credential: ServiceSpecificCredential) -> dict:
    return {"ServiceSpecificCredentialId": credential.credential_id,
            "ServiceName": credential.service_name, "Status": credential.status}


def _service_user_name(user: User, service_name: str) -> str:
    """<user>-at-<account> (AWS's form), <user>+1-at-<account> for a user's second one."""
    taken = set(user.service_specific_credentials.filter(service_name=service_name)
                .values_list("service_user_name", flat=True))
    account = ids.account_id()
    plain = f"{user.name}-at-{account}"
    return plain if plain not in taken else f"{user.name}+1-at-{account}"


def _new_secret(credential: ServiceSpecificCredential) -> str:
    if credential.service_name in PASSWORD_SERVICES:
        return ids.new_service_password()
    # An API key: the alias and a random secret, base64 with a recognizable prefix.
    raw = f"{credential.alias}:{secrets.token_urlsafe(48)}"
    return "ABSK" + base64.b64encode(raw.encode()).decode()


@operation
def create_service_specific_credential(
    caller: Caller, user_name: str | None, service_name: str,
    credential_age_days: int | None = None,
) -> IssuedServiceCredential:
    _check_service(service_name)
    if credential_age_days is not None:
        if service_name not in API_KEY_SERVICES:
            raise InvalidInput("CredentialAgeDays is only valid for services that support "
                               "long-term API keys.", field="credential_age_days")
        if not isinstance(credential_age_days, int) or not 1 <= credential_age_days <= \
                MAX_AGE_DAYS:
            raise InvalidInput(f"CredentialAgeDays must be between 1 and {MAX_AGE_DAYS}.",
                               field="credential_age_days")
    user = target_user(caller, user_name, "iam:CreateServiceSpecificCredential")
    authz.check(caller, "iam:CreateServiceSpecificCredential", user.arn)
    User.objects.select_for_update().filter(pk=user.pk).first()  # serialize the quota check
    if user.service_specific_credentials.filter(service_name=service_name).count() >= \
            MAX_SERVICE_SPECIFIC_CREDENTIALS:
        raise LimitExceeded("Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService"
                            f": {MAX_SERVICE_SPECIFIC_CREDENTIALS}")
    now = clock.now()
    credential = ServiceSpecificCredential(
        credential_id=ids.new_unique_id("ACCA"), user=user, service_name=service_name,
        created_at=now,
        expires_at=now + timedelta(days=credential_age_days) if credential_age_days else None,
    )
    if service_name in PASSWORD_SERVICES:
        credential.service_user_name = _service_user_name(user, service_name)
    else:
        credential.alias = f"{user.name}+{credential.credential_id[-6:]}-at-{ids.account_id()}"
    secret = _new_secret(credential)
    credential.secret_hash = make_password(secret)
    credential.save()
    _audit(caller, "iam:CreateServiceSpecificCredential", user,
           new={**_summary(credential), "ServiceUserName": credential.service_user_name,
                "ServiceCredentialAlias": credential.alias})
    return IssuedServiceCredential(credential, secret)


def list_service_specific_credentials(
    caller: Caller, user_name: str | None = None, service_name: str | None = None, *,
    all_users: bool = False,
) -> QuerySet[ServiceSpecificCredential]:
    """A user's credentials (one service's with `service_name`), or with `all_users` every
    user's (AllUsers, authorized on every user: arn:aws:iam::<account>:user/*)."""
    if service_name:
        _check_service(service_name)
    action = "iam:ListServiceSpecificCredentials"
    if all_users:
        if user_name:
            raise InvalidInput("AllUsers cannot be specified together with UserName.",
                               field="all_users")
        authz.check(caller, action, arns.entity("user", "*"))
        credentials = ServiceSpecificCredential.objects.filter(user__is_root=False)
    else:
        user = target_user(caller, user_name, action)
        authz.check(caller, action, user.arn)
        credentials = user.service_specific_credentials.all()
    if service_name:
        credentials = credentials.filter(service_name=service_name)
    return credentials.select_related("user").order_by("created_at", "id")


def _find(user: User, credential_id: str) -> ServiceSpecificCredential:
    credential = (user.service_specific_credentials.select_for_update()
                  .filter(credential_id=credential_id).first())
    if credential is None:
        raise NoSuchEntity(f"No such credential {credential_id} exists.")
    return credential


@operation
def update_service_specific_credential(caller: Caller, user_name: str | None,
                                       credential_id: str,
                                       status: str) -> ServiceSpecificCredential:
    check_status(status)
    user = target_user(caller, user_name, "iam:UpdateServiceSpecificCredential")
    authz.check(caller, "iam:UpdateServiceSpecificCredential", user.arn)
    credential = _find(user, credential_id)
    old = _summary(credential)
    credential.status = status
    credential.save(update_fields=["status"])
    _audit(caller, "iam:UpdateServiceSpecificCredential", user, old=old,
           new=_summary(credential))
    return credential


@operation
def reset_service_specific_credential(caller: Caller, user_name: str | None,
                                      credential_id: str) -> IssuedServiceCredential:
    """A new generated password (or secret): the old one stops working at once."""
    user = target_user(caller, user_name, "iam:ResetServiceSpecificCredential")
    authz.check(caller, "iam:ResetServiceSpecificCredential", user.arn)
    credential = _find(user, credential_id)
    secret = _new_secret(credential)
    credential.secret_hash = make_password(secret)
    credential.save(update_fields=["secret_hash"])
    _audit(caller, "iam:ResetServiceSpecificCredential", user, new=_summary(credential))
    return IssuedServiceCredential(credential, secret)


@operation
def delete_service_specific_credential(caller: Caller, user_name: str | None,
                                       credential_id: str) -> None:
    user = target_user(caller, user_name, "iam:DeleteServiceSpecificCredential")
    authz.check(caller, "iam:DeleteServiceSpecificCredential", user.arn)
    credential = _find(user, credential_id)
    old = _summary(credential)
    credential.delete()
    _audit(caller, "iam:DeleteServiceSpecificCredential", user, old=old)

