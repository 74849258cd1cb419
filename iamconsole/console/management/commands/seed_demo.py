"""`manage.py seed_demo`: the demo data for `make run` (iam.demo: idempotent, created through
the domain operations), and how to sign in."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from iamconsole.iam.demo import ADMIN_NAME, ADMIN_PASSWORD, DEMO_PASSWORD, seed
from iamconsole.orgs import demo as organization_demo

__all__ = ["ADMIN_NAME", "ADMIN_PASSWORD", "DEMO_PASSWORD", "Command"]


class Command(BaseCommand):
    help = "Create the demo data (idempotent): admin user, users, groups, roles and policies."

    def handle(self, *args, **options):
        seeded = seed()
        sandbox = organization_demo.seed()
        if seeded.root_exists:
            self.stdout.write(self.style.WARNING("A root user already exists: skipping admin."))
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        note = "" if seeded.admin_created else " (existing user: password unchanged)"
        self.stdout.write(f"Sign in as the administrator: {ADMIN_NAME} / {ADMIN_PASSWORD}{note}")
        self.stdout.write(f"Demo users (alice, bob, carol, dave, delegated-admin): "
                          f"password {DEMO_PASSWORD}")
        if sandbox:
            self.stdout.write(f"Organization: member account sandbox {sandbox} "
                              "(dave may Switch role into it: OrganizationAccountAccessRole)")
