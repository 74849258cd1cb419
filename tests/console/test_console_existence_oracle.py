"""No existence oracle in the console: a user without rights gets 403 for a user, group, role or
policy page whether the entity exists or not; a user with the right gets 404 for a missing one."""

from __future__ import annotations

import pytest

from tests.console.console_support import client_for

# (URL of an existing entity, URL of a missing one)
PAGES = [
    ("/users/target/", "/users/ghost/"),
    ("/groups/team/", "/groups/ghost/"),
    ("/roles/app/", "/roles/ghost/"),
    ("/policies/local/Custom/", "/policies/local/Ghost/"),
]


@pytest.mark.parametrize(("existing", "missing"), PAGES, ids=[row[1] for row in PAGES])
def test_no_rights_is_403_whether_the_entity_exists_or_not(world, outsider, existing, missing):
    client = client_for(outsider)
    assert [client.get(url).status_code for url in (existing, missing)] == [403, 403]


@pytest.mark.parametrize(("existing", "missing"), PAGES, ids=[row[1] for row in PAGES])
def test_with_the_right_a_missing_entity_is_404(world, admin, existing, missing):
    assert client_for(admin).get(missing).status_code == 404


def test_a_missing_user_cannot_be_deleted_by_someone_without_rights(world, outsider, admin):
    assert client_for(outsider).post("/users/ghost/delete/").status_code == 403
    assert client_for(admin).post("/users/ghost/delete/").status_code == 404
