"""Accounts: every IAM entity belongs to one (`iamconsole.iam.tenancy`). The installation's
default account exists from the first migration; the organization creates more
(`create_account`), each with its own root user, settings and password policy.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction

from .. import arns, audit, tenancy
from ..caller import Caller
from ..errors import EntityAlreadyExists, ValidationError
from ..models import Account, AccountSettings, User
from .self_service import ensure_self_service_policy


def resolve_account(text: str | None) -> Account | None:
    """The account a sign-in names by 12-digit id or alias (blank: the default account)."""
    text = (text or "").strip().lower()
    if not text:
        return Account.objects.filter(id=tenancy.default_account_id()).first()
    if len(text) == 12 and text.isdigit():
        return Account.objects.filter(id=text).first()
    settings = AccountSettings.everywhere.filter(alias=text).first()
    return None if settings is None else Account.objects.filter(id=settings.account_id).first()


def account_alias(account_id: str) -> str:
    settings = AccountSettings.everywhere.filter(account_id=account_id).first()
    return settings.alias if settings else ""


def new_account_id() -> str:
    """A fresh 12-digit account id (no leading zero, unused)."""
    while True:
        candidate = str(secrets.randbelow(9 * 10**11) + 10**11)
        if not Account.objects.filter(id=candidate).exists():
            return candidate


def create_account(caller: Caller, *, name: str, email: str = "",
                   account_id: str | None = None) -> Account:
    """A new account with its root user (no password: it is reached through roles it trusts,
    as AWS's member accounts are until someone recovers the root password) and the shipped
    self-service policy (self_service.ensure_self_service_policy)."""
    if account_id is not None and not (len(account_id) == 12 and account_id.isdigit()):
        raise ValidationError("An account id is 12 digits.", field="account_id")
    with transaction.atomic():
        account_id = account_id or new_account_id()
        if Account.objects.filter(id=account_id).exists():
            raise EntityAlreadyExists(f"Account {account_id} already exists.")
        account = Account.objects.create(id=account_id, name=name, email=email)
        with tenancy.acting_in(account.id):
            User.objects.create_superuser("root", None, account=account)
            AccountSettings.load()
            audit.record(caller, "organizations:CreateAccount", resource_type="account",
                         resource_name=account.id, resource_arn=arns.root(account.id),
                         new={"AccountId": account.id, "AccountName": name, "Email": email})
            if settings.SELF_SERVICE_POLICY_AUTOCREATE:
                ensure_self_service_policy()
    return account
