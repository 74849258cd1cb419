"""`python manage.py register_service FILE.json` (or `-` for standard input): register or
replace a custom service (iam/custom_services.py) from its definition, the body that
`POST /api/v1/custom-services/` takes ({"prefix", "name", "actions", "resource_types",
"condition_keys"}); `--delete PREFIX` removes one. Acts as the account itself, audited."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from iamconsole.iam import custom_services
from iamconsole.iam.caller import Caller
from iamconsole.iam.errors import IAMError


class Command(BaseCommand):
    help = "Register (or replace) a custom service from a JSON definition; print it as JSON."

    def add_arguments(self, parser):
        parser.add_argument("definition", nargs="?", metavar="FILE.json")
        parser.add_argument("--delete", metavar="PREFIX")

    def handle(self, *args, definition: str | None, delete: str | None, **options):
        caller = Caller.system("cli")
        try:
            if delete:
                custom_services.delete_custom_service(caller, delete)
                return
            if not definition:
                raise CommandError("give FILE.json (or - for standard input) or --delete")
            try:
                if definition == "-":
                    data = json.load(sys.stdin)
                else:
                    with open(definition, encoding="utf-8") as fh:
                        data = json.load(fh)
            except (OSError, ValueError) as exc:
                raise CommandError(f"cannot read {definition}: {exc}") from None
            if not isinstance(data, dict):
                raise CommandError("the definition is a JSON object")
            service = custom_services.put_custom_service(
                caller, data.get("prefix"), actions=data.get("actions"),
                resource_types=data.get("resource_types") or [],
                condition_keys=data.get("condition_keys") or [], name=data.get("name") or "")
        except IAMError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        self.stdout.write(json.dumps(custom_services.describe(service)))
