"""`python manage.py createadmin NAME [--access-key]`: a new IAM user with full administrator
access, for a first sign-in or a first script without the root user.

The user gets the AdministratorAccess managed policy ({"Effect": "Allow", "Action": "*",
"Resource": "*"}): AWS's `arn:aws:iam::aws:policy/AdministratorAccess` when the account has it
(the demo data seeds it), else a customer-managed policy of that name (reused when it exists,
created when it does not). A generated console password is printed once and, with
`--access-key`, an access key id and secret once. Everything goes through the domain
operations as the account itself (Caller.system), in one transaction, so the limits, the
password policy and the audit log apply as for any door."""

from __future__ import annotations

import json
import secrets
import string

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from iamconsole.iam import arns
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import IAMError, NoSuchEntity

POLICY_NAME = "AdministratorAccess"
POLICY_DOCUMENT = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, indent=2)
SYMBOLS = "!@#$%^&*()_+-=[]{}|'"  # AWS's password-policy symbols
PASSWORD_LENGTH = 24


def generated_password(minimum_length: int = 0) -> str:
    """A random password that satisfies any password policy: AWS's four character classes,
    at least PASSWORD_LENGTH long (or the policy's minimum length)."""
    length = max(PASSWORD_LENGTH, minimum_length)
    classes = (string.ascii_uppercase, string.ascii_lowercase, string.digits, SYMBOLS)
    chars = [secrets.choice(c) for c in classes]
    chars += [secrets.choice("".join(classes)) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def administrator_policy_arn(caller: Caller) -> str:
    """AWS's AdministratorAccess when the account has it, else the customer-managed one of that
    name, created now if it does not exist."""
    for arn in (arns.policy(POLICY_NAME, aws_managed=True), arns.policy(POLICY_NAME)):
        try:
            return iam.get_policy(caller, arn).arn
        except NoSuchEntity:
            continue
    return iam.create_policy(
        caller, POLICY_NAME, POLICY_DOCUMENT,
        description="Full access to every action on every resource (created by createadmin).",
    ).arn


class Command(BaseCommand):
    help = ("Create an IAM user with full administrator access (AdministratorAccess) and print "
            "its generated console password once; --access-key also prints an access key once.")

    def add_arguments(self, parser):
        parser.add_argument("name", metavar="NAME", help="the new IAM user's name")
        parser.add_argument("--access-key", action="store_true",
                            help="also create an access key and print its id and secret once")

    def handle(self, *args, name: str, access_key: bool, **options):
        caller = Caller.system("createadmin")
        policy = iam.account_password_policy()
        password = generated_password(policy.minimum_password_length if policy else 0)
        try:
            with transaction.atomic():
                user = iam.create_user(caller, name)
                iam.create_login_profile(caller, user.name, password)
                policy_arn = administrator_policy_arn(caller)
                iam.attach_user_policy(caller, user.name, policy_arn)
                key = iam.create_access_key(caller, user.name) if access_key else None
        except IAMError as exc:
            if exc.code == "EntityAlreadyExists":
                raise CommandError(f"A user named {name} already exists: choose another name "
                                   "(nothing was changed).") from None
            raise CommandError(f"{exc.code}: {exc.message}") from None
        self.stdout.write(f"Created IAM user {user.name} ({user.arn}) with {policy_arn}.")
        self.stdout.write(f"Console password (shown once): {password}")
        if key is not None:
            self.stdout.write(f"AccessKeyId: {key.access_key.access_key_id}")
            self.stdout.write(f"SecretAccessKey (shown once): {key.secret_access_key}")
