"""Shared fixtures: the personas of tests/personas.py (an admin, a read-only user, an outsider
with no policies, the root user). Everything goes through the real domain layer and database."""

from __future__ import annotations

import pytest
from django.conf import settings
from personas import (  # noqa: F401 - re-exported for older `from conftest import …`
    ADMIN_POLICY,
    PASSWORD,
    READ_ONLY_POLICY,
    allow,
    caller_for,
    deny,
    make_user,
    policy_json,
)

from iamconsole.iam.caller import Caller

# The test database is created without the AWS managed policy catalog (1,594 policies the
# existing tests do not expect); tests that need it use the `aws_catalog` fixture.
settings.AWS_MANAGED_POLICIES_AUTOLOAD = False
# Nor with the self-service policy every account ships with (tests that need it create it:
# iam.ensure_self_service_policy).
settings.SELF_SERVICE_POLICY_AUTOCREATE = False


@pytest.fixture
def aws_catalog(db):
    """The AWS managed policy catalog, loaded from the bundled snapshot (parsed once)."""
    from iamconsole.iam import aws_catalog as catalog

    return catalog.sync(_catalog_policies())


_parsed: list = []


def _catalog_policies() -> list:
    from iamconsole.iam import aws_catalog as catalog

    if not _parsed:
        _parsed.extend(catalog.load(catalog.SNAPSHOT))
    return _parsed


@pytest.fixture
def system() -> Caller:
    """The account itself (management commands, seeding): allowed everything."""
    return Caller.system("test")


@pytest.fixture
def admin(db):
    return make_user("admin", policy=ADMIN_POLICY)


@pytest.fixture
def reader(db):
    return make_user("reader", policy=READ_ONLY_POLICY)


@pytest.fixture
def outsider(db):
    return make_user("outsider")


@pytest.fixture
def root_user(db):
    from iamconsole.iam.models import User

    return User.objects.create_superuser("root", PASSWORD)


@pytest.fixture
def admin_caller(admin) -> Caller:
    return caller_for(admin)


@pytest.fixture
def reader_caller(reader) -> Caller:
    return caller_for(reader)


@pytest.fixture
def outsider_caller(outsider) -> Caller:
    return caller_for(outsider)
