"""Which account a request acts in: every IAM entity belongs to one account, and a caller sees
and changes only its own account's entities (other accounts are reached only the ways AWS
allows: assuming a role that trusts the caller, a resource policy naming it).

The account is a context variable set by each front door once it knows the caller
(`activate`, from `authn` for signed requests and from the console's
`iamconsole.accounts.middleware.TenancyMiddleware` for sessions) and cleared when the request
ends. Code that runs outside a request (management
commands, the demo seed, tests) acts in the installation's default account
(`IAM_ACCOUNT_ID`) unless it says otherwise with `acting_in`.

Account-owned models (`AccountOwned`) have two managers: `objects`, scoped to the current
account, and `everywhere`, for the few places that must look across accounts (resolving a
credential, a cross-account role, the organization). Relations followed from an object are not
scoped again: the object was found legitimately, and its parts belong to its account.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

from django.conf import settings
from django.db import models

_current: ContextVar[str | None] = ContextVar("iam_account", default=None)


def default_account_id() -> str:
    """The installation's first account (the organization's management account, if any)."""
    return settings.IAM_ACCOUNT_ID


def current() -> str:
    """The 12-digit id of the account the current request acts in."""
    return _current.get() or settings.IAM_ACCOUNT_ID


def activate(account_id: str | None) -> Token:
    return _current.set(account_id)


def reset(token: Token) -> None:
    _current.reset(token)


@contextmanager
def acting_in(account_id: str | None) -> Iterator[None]:
    token = _current.set(account_id)
    try:
        yield
    finally:
        _current.reset(token)


class AccountScopedManager(models.Manager):
    """`Model.objects`: the current account's rows only. A related manager (user.access_keys,
    group.members...) is built from this class too; it keeps its owner's scope instead."""

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        if hasattr(self, "core_filters"):  # a relation followed from an object already found
            return queryset
        return queryset.filter(account_id=current())


class AccountOwned(models.Model):
    """An entity that belongs to an account."""

    account = models.ForeignKey("iam.Account", on_delete=models.PROTECT, related_name="+",
                                default=current, editable=False)

    objects = AccountScopedManager()
    everywhere = models.Manager()  # noqa: DJ012 (ruff takes it for a field)

    class Meta:
        abstract = True
