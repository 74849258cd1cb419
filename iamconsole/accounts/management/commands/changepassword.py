"""`manage.py changepassword USER`: Django's command, but the new password goes through the
account password policy *and* into the password history (iam.set_password), and the change is
written to the audit log."""

from __future__ import annotations

from django.contrib.auth.management.commands import changepassword
from django.core.management.base import CommandError
from django.db import transaction

from iamconsole.iam import audit, authn
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import PasswordPolicyViolation

MAX_TRIES = 3


class Command(changepassword.Command):
    help = ("Change a user's console password. The account password policy applies and the "
            "password history is kept.")

    def handle(self, *args, **options):
        name = options["username"]
        if not name:
            raise CommandError("Name the user whose password to change.")
        user = authn.user_named(name)
        if user is None:
            raise CommandError(f"user '{name}' does not exist")
        self.stdout.write(f"Changing password for user '{user.name}'")
        for _ in range(MAX_TRIES):
            first = self._get_pass()
            second = self._get_pass("Password (again): ")
            if first != second:
                self.stdout.write("Passwords do not match. Please try again.")
                continue
            try:
                with transaction.atomic():
                    iam.set_password(user, second)
                    audit.record(Caller.system("cli"), "iam:UpdateLoginProfile",
                                 resource_type="user", resource_name=user.name,
                                 resource_arn=user.arn, new={"PasswordChanged": True},
                                 detail="manage.py changepassword")
            except PasswordPolicyViolation as exc:
                # set_password ran Django's validate_password: every failed rule is listed.
                self.stderr.write(exc.message)
                continue
            return f"Password changed successfully for user '{user.name}'"
        raise CommandError(
            f"Aborting password change for user '{user.name}' after {MAX_TRIES} attempts"
        )
