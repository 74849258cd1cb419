"""The console's "Last accessed" tab on user, group, role and policy pages."""

from __future__ import annotations

import pytest

from iamconsole.iam import last_accessed
from iamconsole.iam import services as iam
from tests.conftest import allow, make_user, policy_json
from tests.console.console_support import TRUST, client_for, htmx

LISTER = policy_json(allow(["iam:List*", "s3:GetObject"]))


@pytest.fixture(autouse=True)
def _fresh_process_memory():
    last_accessed.forget()
    yield
    last_accessed.forget()


def test_a_user_tab_shows_what_the_console_used_and_what_it_never_used(admin):
    bob = make_user("bob", policy=LISTER)
    assert client_for(bob).get("/users/").status_code == 200
    page = client_for(admin).get("/users/bob/?tab=last_accessed").content.decode()
    assert "Last accessed" in page
    assert "AWS Identity and Access Management (IAM)" in page
    assert bob.arn in page  # the entity that used it
    assert "Amazon S3" in page and "Not accessed in the tracking period" in page
    assert "1 of 2 used" in page


def test_group_role_and_policy_pages_have_the_tab(admin, system):
    make_user("bob", policy=None)
    iam.create_group(system, "g")
    iam.put_group_policy(system, "g", "p", LISTER)
    iam.add_user_to_group(system, "g", "bob")
    iam.create_role(system, "r", TRUST)
    iam.put_role_policy(system, "r", "p", LISTER)
    policy = iam.create_policy(system, "Lister", LISTER)
    iam.attach_user_policy(system, "bob", policy.arn)
    client = client_for(admin)
    for url in ("/groups/g/", "/roles/r/", "/policies/local/Lister/"):
        page = client.get(url).content.decode()
        assert "?tab=last_accessed" in page, url
        tab = client.get(url + "?tab=last_accessed", **htmx("tabbed")).content.decode()
        assert "Amazon S3" in tab and "Not accessed in the tracking period" in tab, url


def test_a_caller_without_the_right_is_told_so_on_the_tab(world, reader):
    page = client_for(reader).get("/users/target/?tab=last_accessed")
    assert page.status_code == 200
    assert "GenerateServiceLastAccessedDetails" in page.content.decode()
