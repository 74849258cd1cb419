"""Console passwords (login profiles) and the account password policy:
CreateLoginProfile, GetLoginProfile, UpdateLoginProfile, DeleteLoginProfile, ChangePassword,
UpdateAccountPasswordPolicy, GetAccountPasswordPolicy, DeleteAccountPasswordPolicy.

Every password goes through Django's password validation (AUTH_PASSWORD_VALIDATORS, which read the
account policy at call time) and into the password history as a hash.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError

from .. import audit, authz, clock
from .. import identifiers as ids
from ..caller import Caller
from ..errors import (
    EntityAlreadyExists,
    InvalidInput,
    InvalidUserType,
    NoSuchEntity,
    PasswordPolicyViolation,
    ValidationError,
)
from ..models import AccountPasswordPolicy, PasswordHistory, User
from ._common import operation
from .users import find_user, target_user

HISTORY_KEPT = 24  # the largest PasswordReusePrevention AWS allows

# UpdateAccountPasswordPolicy: (field, API default when omitted, allowed range or None).
POLICY_FIELDS = {
    "minimum_password_length": (6, (6, 128)),
    "require_symbols": (False, None),
    "require_numbers": (False, None),
    "require_uppercase_characters": (False, None),
    "require_lowercase_characters": (False, None),
    "allow_users_to_change_password": (False, None),
    "max_password_age": (None, (1, 1095)),
    "password_reuse_prevention": (None, (1, 24)),
    "hard_expiry": (False, None),
}


def account_password_policy() -> AccountPasswordPolicy | None:
    return AccountPasswordPolicy.objects.first()  # the current account's, if set


def validate_new_password(password: str, user: User) -> None:
    """All rule failures at once, as PasswordPolicyViolation (field "password")."""
    if not isinstance(password, str) or not password:
        raise PasswordPolicyViolation("Password must not be empty.", field="password")
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise PasswordPolicyViolation(" ".join(exc.messages), field="password") from exc


def set_password(user: User, password: str, *, reset_required: bool = False) -> None:
    """Validate, hash (argon2), record in the history, trim the history to 24."""
    validate_new_password(password, user)
    user.set_password(password)
    now = clock.now()
    user.password_changed_at = now
    user.password_reset_required = reset_required
    if user.login_profile_created_at is None:
        user.login_profile_created_at = now
    user.save(update_fields=["password", "password_changed_at", "password_reset_required",
                             "login_profile_created_at"])
    PasswordHistory.objects.create(user=user, password=user.password, created_at=now)
    stale = list(user.password_history.values_list("pk", flat=True)[HISTORY_KEPT:])
    if stale:
        PasswordHistory.objects.filter(pk__in=stale).delete()


@operation
def create_login_profile(
    caller: Caller, user_name: str | None, password: str, *,
    password_reset_required: bool = False,
) -> User:
    """CreateLoginProfile; an omitted UserName means the calling IAM user (target_user)."""
    user = target_user(caller, user_name, "iam:CreateLoginProfile")
    authz.check(caller, "iam:CreateLoginProfile", user.arn)
    if user.has_usable_password():
        raise EntityAlreadyExists(f"Login Profile for user {user.name} already exists.")
    set_password(user, password, reset_required=password_reset_required)
    audit.record(caller, "iam:CreateLoginProfile", resource_type="user", resource_name=user.name,
                 resource_arn=user.arn,
                 new={"PasswordResetRequired": bool(password_reset_required)})
    return user


def get_login_profile(caller: Caller, user_name: str | None = None) -> User:
    """GetLoginProfile; an omitted UserName means the calling IAM user (target_user)."""
    user = target_user(caller, user_name, "iam:GetLoginProfile")
    authz.check(caller, "iam:GetLoginProfile", user.arn)
    if not user.has_usable_password():
        raise NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
    return user


@operation
def update_login_profile(
    caller: Caller, user_name: str, *, password: str | None = None,
    password_reset_required: bool | None = None,
) -> User:
    user = find_user(user_name, caller, "iam:UpdateLoginProfile")
    authz.check(caller, "iam:UpdateLoginProfile", user.arn)
    if not user.has_usable_password():
        raise NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
    if password:
        set_password(user, password, reset_required=bool(password_reset_required))
    elif password_reset_required is not None:
        user.password_reset_required = password_reset_required
        user.save(update_fields=["password_reset_required"])
    audit.record(caller, "iam:UpdateLoginProfile", resource_type="user", resource_name=user.name,
                 resource_arn=user.arn,
                 new={"PasswordChanged": bool(password),
                      "PasswordResetRequired": user.password_reset_required})
    return user


@operation
def delete_login_profile(caller: Caller, user_name: str | None = None) -> None:
    """DeleteLoginProfile; an omitted UserName means the calling IAM user (target_user)."""
    user = target_user(caller, user_name, "iam:DeleteLoginProfile")
    authz.check(caller, "iam:DeleteLoginProfile", user.arn)
    if not user.has_usable_password():
        raise NoSuchEntity(f"Login Profile for User {user.name} cannot be found.")
    user.set_unusable_password()
    user.login_profile_created_at = None
    user.password_reset_required = False
    user.save(update_fields=["password", "login_profile_created_at", "password_reset_required"])
    audit.record(caller, "iam:DeleteLoginProfile", resource_type="user", resource_name=user.name,
                 resource_arn=user.arn)


@operation
def change_password(
    caller: Caller, old_password: str, new_password: str, *, required_at_sign_in: bool = False
) -> User:
    """ChangePassword acts on the calling IAM user. Allowed by iam:ChangePassword or by the
    account policy's AllowUsersToChangePassword; a change the sign-in flow requires (expired or
    reset password) is always allowed."""
    user = caller.user
    if user is None or caller.role is not None or user.is_root:
        raise InvalidUserType("Only IAM users can change their own password.")
    policy = account_password_policy()
    if not required_at_sign_in and not (policy and policy.allow_users_to_change_password):
        authz.check(caller, "iam:ChangePassword", user.arn)
    # The user's row locked, its password read again under the lock: of parallel changes with
    # the same old password one succeeds, the others then check against the new hash (and
    # fail). The caller's own user object is refreshed, so the door sees the new hash.
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    user.refresh_from_db(fields=["password", "password_changed_at", "password_reset_required"])
    if not user.check_password(old_password or ""):
        raise InvalidInput("The old password is incorrect.", field="old_password")
    if old_password == new_password:
        raise PasswordPolicyViolation("The new password must differ from the current one.",
                                      field="password")
    set_password(user, new_password)
    audit.record(caller, "iam:ChangePassword", resource_type="user", resource_name=user.name,
                 resource_arn=user.arn)
    return user


def password_expired(user: User) -> bool:
    policy = account_password_policy()
    if not policy or not policy.max_password_age or user.password_changed_at is None:
        return False
    return clock.now() >= user.password_changed_at + timedelta(days=policy.max_password_age)


def password_expires_at(user: User):
    policy = account_password_policy()
    if not policy or not policy.max_password_age or user.password_changed_at is None:
        return None
    return user.password_changed_at + timedelta(days=policy.max_password_age)


def _policy_value(field: str, value):
    default, bounds = POLICY_FIELDS[field]
    if value is None:
        return default
    if bounds is None:
        if not isinstance(value, bool):
            raise ValidationError(f"{field} must be true or false.", field=field)
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{field} must be a whole number.", field=field)
    low, high = bounds
    if not low <= value <= high:
        raise ValidationError(
            f"Value '{value}' at '{field}' failed to satisfy constraint: Member must have value "
            f"between {low} and {high}", field=field,
        )
    return value


@operation
def update_account_password_policy(caller: Caller, **fields) -> AccountPasswordPolicy:
    """AWS semantics: no partial update; an omitted field takes its default."""
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown password policy fields: {', '.join(sorted(unknown))}")
    values = {name: _policy_value(name, fields.get(name)) for name in POLICY_FIELDS}
    authz.check(caller, "iam:UpdateAccountPasswordPolicy", "*")
    old = account_password_policy()
    policy, _ = AccountPasswordPolicy.objects.update_or_create(
        account_id=ids.account_id(), defaults=values)
    audit.record(caller, "iam:UpdateAccountPasswordPolicy", resource_type="account",
                 resource_name="password-policy",
                 old=policy_dict(old) if old else None, new=policy_dict(policy))
    return policy


def get_account_password_policy(caller: Caller) -> AccountPasswordPolicy:
    authz.check(caller, "iam:GetAccountPasswordPolicy", "*")
    policy = account_password_policy()
    if policy is None:
        raise NoSuchEntity(
            f"The Password Policy with domain name {ids.account_id()} cannot be found."
        )
    return policy


@operation
def delete_account_password_policy(caller: Caller) -> None:
    authz.check(caller, "iam:DeleteAccountPasswordPolicy", "*")
    policy = account_password_policy()
    if policy is None:
        raise NoSuchEntity("The account policy with name PasswordPolicy cannot be found.")
    old = policy_dict(policy)
    policy.delete()
    audit.record(caller, "iam:DeleteAccountPasswordPolicy", resource_type="account",
                 resource_name="password-policy", old=old)


def policy_dict(policy: AccountPasswordPolicy) -> dict:
    """The AWS field names (GetAccountPasswordPolicy's PasswordPolicy)."""
    data = {
        "MinimumPasswordLength": policy.minimum_password_length,
        "RequireSymbols": policy.require_symbols,
        "RequireNumbers": policy.require_numbers,
        "RequireUppercaseCharacters": policy.require_uppercase_characters,
        "RequireLowercaseCharacters": policy.require_lowercase_characters,
        "AllowUsersToChangePassword": policy.allow_users_to_change_password,
        "ExpirePasswords": policy.expire_passwords,
        "HardExpiry": policy.hard_expiry,
    }
    if policy.max_password_age:
        data["MaxPasswordAge"] = policy.max_password_age
    if policy.password_reuse_prevention:
        data["PasswordReusePrevention"] = policy.password_reuse_prevention
    return data


# --- console sign-in (the accounts door) -----------------------------------------------------

def hard_expired(user: User) -> bool:
    """The password is past MaxPasswordAge and the policy's HardExpiry forbids changing it at
    sign-in: an administrator must reset it. The root user is outside the policy."""
    policy = account_password_policy()
    return bool(policy and policy.hard_expiry and not user.is_root and password_expired(user))


def password_change_required(user: User) -> bool:
    """An administrator asked for a new password, or it is older than MaxPasswordAge.
    The root user is outside the IAM password policy, as in AWS."""
    if user.is_root:
        return False
    return user.password_reset_required or password_expired(user)


def record_password_use(user: User) -> None:
    """A console sign-in with the password (PasswordLastUsed of the credential report)."""
    user.password_last_used = clock.now()
    user.save(update_fields=["password_last_used"])


def previous_password_hashes(user: User, count: int) -> list[str]:
    """The hashes of the user's last `count` passwords, newest first (PasswordReusePrevention)."""
    return list(user.password_history.values_list("password", flat=True)[:count])
