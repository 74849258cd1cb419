"""The security posture: the findings a credential report would show, as queries (the
console's dashboard renders them; any door may).

Read-only reporting over the IAM tables; each finding is one counted query plus one for its
first rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Exists, OuterRef, Q, QuerySet

from . import clock
from . import identifiers as ids
from .models import AccessKey, User, VirtualMFADevice
from .services import account_password_policy
from .services.users import console_users_without_mfa

USERS_WITHOUT_MFA = "users_without_mfa"
KEY_MAX_AGE_DAYS = 90
UNUSED_DAYS = 90
SHOWN = 8


@dataclass
class Finding:
    title: str
    help: str
    count: int
    rows: list  # (user name, detail) pairs
    root: bool = False  # the rows are the root user (no user page: its own MFA page)
    key: str = ""  # a finding a door lists in full elsewhere (USERS_WITHOUT_MFA: Users list)

    @property
    def ok(self) -> bool:
        return self.count == 0


def _users() -> QuerySet[User]:
    return User.objects.filter(is_root=False)


def _with_password() -> Q:
    return ~Q(password__startswith=UNUSABLE_PASSWORD_PREFIX) & ~Q(password="")


def _finding(title: str, help_text: str, qs: QuerySet, describe, key: str = "") -> Finding:
    return Finding(title, help_text, qs.count(), [describe(obj) for obj in qs[:SHOWN]],
                   key=key)


def root_active_access_keys() -> list[str]:
    """The ids of the root user's active access keys: each one is the account's every right,
    unrestricted by any policy, in a file somewhere (the dashboard's warning banner)."""
    return list(AccessKey.objects.filter(user__is_root=True, status=AccessKey.ACTIVE)
                .order_by("created_at").values_list("access_key_id", flat=True))


def security_posture() -> list[Finding]:
    """The findings, the most urgent first: a root user without MFA."""
    now = clock.now()
    key_cutoff = now - timedelta(days=KEY_MAX_AGE_DAYS)
    unused_cutoff = now - timedelta(days=UNUSED_DAYS)
    has_mfa = Exists(VirtualMFADevice.objects.filter(user=OuterRef("pk")))
    findings = [
        _finding(
            "Root user without MFA",
            "The root user may do everything and policies cannot restrict it: enable an MFA "
            "device for it (signed in as root: Security → MFA). Without one, strangers' wrong "
            "guesses can lock it out of the console.",
            User.objects.filter(is_root=True).annotate(mfa=has_mfa).filter(mfa=False),
            lambda u: (u.name, "root user, no MFA device"),
        ),
        _finding(
            "Console users without MFA",
            "Users who can sign in with a password but have no MFA device.",
            console_users_without_mfa(_users()).order_by("name"),
            lambda u: (u.name, "no MFA device"),
            key=USERS_WITHOUT_MFA,
        ),
        _finding(
            f"Active access keys older than {KEY_MAX_AGE_DAYS} days",
            "Rotate long-lived keys: create a new key, switch over, delete the old one.",
            AccessKey.objects.filter(user__account_id=ids.account_id(), status=AccessKey.ACTIVE,
                                     created_at__lt=key_cutoff)
            .select_related("user").order_by("created_at"),
            lambda k: (k.user.name, f"{k.access_key_id}, {(now - k.created_at).days} days old"),
        ),
    ]
    policy = account_password_policy()
    if policy and policy.max_password_age:
        cutoff = now - timedelta(days=policy.max_password_age)
        findings.append(_finding(
            "Passwords past the maximum age",
            f"The password policy asks for a change every {policy.max_password_age} days.",
            _users().filter(_with_password(), password_changed_at__lt=cutoff)
            .order_by("password_changed_at"),
            lambda u: (u.name, f"changed {u.password_changed_at:%Y-%m-%d}"),
        ))
    findings += [
        _finding(
            f"Access keys unused for {UNUSED_DAYS} days",
            "Keys never used, or not used recently, are candidates for deletion.",
            AccessKey.objects.filter(user__account_id=ids.account_id(),
                                     created_at__lt=unused_cutoff).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=unused_cutoff))
            .select_related("user").order_by("created_at"),
            lambda k: (k.user.name, f"{k.access_key_id}, last used "
                       f"{k.last_used_at:%Y-%m-%d}" if k.last_used_at else
                       f"{k.access_key_id}, never used"),
        ),
        _finding(
            f"Console passwords unused for {UNUSED_DAYS} days",
            "Remove the console password of users who no longer sign in.",
            _users().filter(_with_password(), login_profile_created_at__lt=unused_cutoff)
            .filter(Q(password_last_used__isnull=True) | Q(password_last_used__lt=unused_cutoff))
            .order_by("name"),
            lambda u: (u.name, f"last sign-in {u.password_last_used:%Y-%m-%d}"
                       if u.password_last_used else "never signed in"),
        ),
    ]
    findings[0].root = True
    return findings
