"""`python manage.py rotate_web_identity_keys [--account ID]`: new signing keys for an account's
outbound web identity tokens (iam/outbound_federation.py). Tokens signed with the old keys stay
verifiable: the old public keys stay in the JWKS until those tokens have expired."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from iamconsole.iam import outbound_federation, tenancy
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import IAMError


class Command(BaseCommand):
    help = "Rotate the signing keys of an account's outbound web identity tokens."

    def add_arguments(self, parser):
        parser.add_argument("--account", default=None, help="account id (default: the default)")

    def handle(self, *args, account=None, **options):
        try:
            with tenancy.acting_in(account):
                new = outbound_federation.rotate_keys(Caller.system("cli"))
        except IAMError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        self.stdout.write("new key ids: " + ", ".join(new))
