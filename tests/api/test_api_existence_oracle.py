"""No existence oracle on the REST API: without rights, 403 for a user, group, role or policy
whether it exists or not; with them, 404 for a missing one."""

from __future__ import annotations

import pytest
from api_helpers import API, world_fixture  # noqa: F401 - the fixture
from django.test import Client

pytestmark = pytest.mark.django_db

# (method, URL of an existing entity, URL of a missing one); policies are named by PolicyId.
CALLS = [
    ("GET", "users/alice/", "users/ghost/"),
    ("DELETE", "users/carol/", "users/ghost/"),
    ("GET", "users/alice/tags/", "users/ghost/tags/"),
    ("GET", "groups/devs/", "groups/ghost/"),
    ("DELETE", "groups/empty/", "groups/ghost/"),
    ("GET", "roles/app/", "roles/ghost/"),
    ("GET", "roles/app/inline-policies/", "roles/ghost/inline-policies/"),
    ("GET", "policies/{policy_id}/", "policies/ANPAGHOSTGHOSTGHOST0/"),
    ("DELETE", "policies/{spare_policy_id}/", "policies/ANPAGHOSTGHOSTGHOST0/"),
    ("GET", "policies/{policy_id}/versions/", "policies/ANPAGHOSTGHOSTGHOST0/versions/"),
    ("DELETE", "users/alice/attached-policies/{policy_id}/",
     "users/alice/attached-policies/ANPAGHOSTGHOSTGHOST0/"),
]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("method", "existing", "missing"), CALLS,
                         ids=[f"{row[0]} {row[2]}" for row in CALLS])
def test_no_rights_is_403_whether_the_entity_exists_or_not(world, outsider, method, existing,
                                                          missing):
    client = _client(outsider)
    for url in (existing, missing):
        response = client.generic(method, API + world.fill(url))
        assert response.status_code == 403, (url, response.content)
        assert response.json()["code"] == "AccessDenied"


@pytest.mark.parametrize(("method", "existing", "missing"), CALLS,
                         ids=[f"{row[0]} {row[2]}" for row in CALLS])
def test_with_the_right_a_missing_entity_is_404(world, admin, method, existing, missing):
    response = _client(admin).generic(method, API + missing)
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "NoSuchEntity"
