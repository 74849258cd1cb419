"""`python manage.py create_access_key USERNAME`: a new access key for an IAM user, printed once as
JSON ({"AccessKeyId": …, "SecretAccessKey": …}) for bootstrapping scripts and operators.

Acts as the account itself (Caller.system) through the same domain operation as every front
door, so the 2-keys-per-user limit and the audit record apply."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import IAMError


class Command(BaseCommand):
    help = "Create an access key for an IAM user and print it as JSON (the secret is shown once)."

    def add_arguments(self, parser):
        parser.add_argument("user_name", metavar="USERNAME")

    def handle(self, *args, user_name: str, **options):
        try:
            new = iam.create_access_key(Caller.system("cli"), user_name)
        except IAMError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        self.stdout.write(json.dumps({
            "AccessKeyId": new.access_key.access_key_id,
            "SecretAccessKey": new.secret_access_key,
        }))
