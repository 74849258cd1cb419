"""The account password policy as a Django password validator (AUTH_PASSWORD_VALIDATORS).

It reads the policy at call time, so every place that sets a password — console, REST API, Query
API, `manage.py changepassword` — obeys the current policy. Each failed rule gets its own message
and all failures are reported together.
"""

from __future__ import annotations

import string

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

# Without an account policy AWS still asks for 8 characters at the console.
DEFAULT_MINIMUM_LENGTH = 8
SYMBOLS = set("!@#$%^&*()_+-=[]{}|'")  # the symbols AWS's password policy counts


class AccountPasswordPolicyValidator:
    def _policy(self):
        from iamconsole.iam.services.passwords import account_password_policy

        return account_password_policy()

    def validate(self, password: str, user=None) -> None:
        policy = self._policy()
        minimum = policy.minimum_password_length if policy else DEFAULT_MINIMUM_LENGTH
        errors = []
        if len(password) < minimum:
            errors.append(ValidationError(
                f"The password must be at least {minimum} characters long.",
                code="password_too_short", params={"min_length": minimum},
            ))
        if policy:
            errors += self._character_classes(policy, password)
            errors += self._reuse(policy, password, user)
        if user is not None and getattr(user, "name", None) and \
                password.lower() == user.name.lower():
            errors.append(ValidationError("The password must not be the user name.",
                                          code="password_is_user_name"))
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _character_classes(policy, password: str) -> list[ValidationError]:
        def has(chars) -> bool:
            return any(c in chars for c in password)

        rules = [
            (policy.require_uppercase_characters, has(string.ascii_uppercase),
             "at least one uppercase letter (A-Z)", "password_no_upper"),
            (policy.require_lowercase_characters, has(string.ascii_lowercase),
             "at least one lowercase letter (a-z)", "password_no_lower"),
            (policy.require_numbers, has(string.digits),
             "at least one number (0-9)", "password_no_number"),
            (policy.require_symbols, has(SYMBOLS),
             "at least one symbol: ! @ # $ % ^ & * ( ) _ + - = [ ] { } | '", "password_no_symbol"),
        ]
        return [
            ValidationError(f"The password must contain {what}.", code=code)
            for required, present, what, code in rules
            if required and not present
        ]

    @staticmethod
    def _reuse(policy, password: str, user) -> list[ValidationError]:
        count = policy.password_reuse_prevention
        if not count or user is None or user.pk is None:
            return []
        from iamconsole.iam.services.passwords import previous_password_hashes

        previous = previous_password_hashes(user, count)
        if any(check_password(password, encoded) for encoded in previous):
            return [ValidationError(
                f"The password must not be one of your last {count} passwords.",
                code="password_reused",
            )]
        return []

    def get_help_text(self) -> str:
        policy = self._policy()
        minimum = policy.minimum_password_length if policy else DEFAULT_MINIMUM_LENGTH
        parts = [f"at least {minimum} characters"]
        if policy:
            parts += [what for flag, what in [
                (policy.require_uppercase_characters, "an uppercase letter"),
                (policy.require_lowercase_characters, "a lowercase letter"),
                (policy.require_numbers, "a number"),
                (policy.require_symbols, "a symbol"),
            ] if flag]
        return "Your password must contain " + ", ".join(parts) + "."
