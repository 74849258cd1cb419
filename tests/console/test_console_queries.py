"""List pages cost a constant number of queries: 200 rows on a page take no more queries than
20 (no N+1 from groups, keys, MFA devices, attachments)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from tests.console.console_support import DOC, TRUST, client_for


def add_rows(start: int, stop: int) -> None:
    """Users with a group, an attached and an inline policy, an access key and an MFA device;
    groups, roles and policies with attachments."""
    system = Caller.system("test")
    for i in range(start, stop):
        iam.create_group(system, f"g{i:03d}")
        user = iam.create_user(system, f"u{i:03d}", tags={"n": str(i)})
        iam.add_user_to_group(system, f"g{i:03d}", user.name)
        policy = iam.create_policy(system, f"p{i:03d}", DOC)
        iam.attach_user_policy(system, user.name, policy.arn)
        iam.attach_group_policy(system, f"g{i:03d}", policy.arn)
        iam.put_user_policy(system, user.name, "inline", DOC)
        iam.create_access_key(system, user.name)
        iam.create_role(system, f"r{i:03d}", TRUST)
        iam.attach_role_policy(system, f"r{i:03d}", policy.arn)


PAGES = ["/users/?per_page=200", "/groups/?per_page=200", "/roles/?per_page=200",
         "/policies/?per_page=200&scope=local", "/audit/", "/users/?per_page=200&sort=-groups",
         "/"]


@pytest.mark.parametrize("url", PAGES)
def test_list_page_query_count_does_not_grow_with_rows(admin, url, django_assert_max_num_queries):
    add_rows(0, 20)
    client = client_for(admin)
    client.get(url)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as small:
        response = client.get(url)
    assert response.status_code == 200
    add_rows(20, 200)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    if "users" in url:
        assert b"u000" in response.content and b"u198" in response.content  # 200 rows


def test_row_facts_are_computed_for_the_page_rows_only_and_stay_right(admin):
    """Sorted by name, the page's rows are chosen first and their counts computed afterwards;
    the rows and counts are the same as when the whole listing is annotated."""
    add_rows(0, 12)
    system = Caller.system("test")
    iam.add_user_to_group(system, "g000", "u007")  # u007: two groups
    client = client_for(admin)
    page = client.get("/users/?per_page=5&page=2")
    assert page.status_code == 200
    text = page.content.decode()
    names = [f"u{i:03d}" for i in range(12)]
    everyone = sorted([*names, admin.name])
    expected = [n for n in everyone[5:10] if n in names]
    assert [n for n in names if f">{n}<" in text] == expected  # rows 6-10 by name
    with CaptureQueriesContext(connection) as queries:
        client.get("/users/?per_page=5&page=2")
    main = [q["sql"] for q in queries.captured_queries if '"iam_user"."id" IN' in q["sql"]]
    assert len(main) == 1  # the facts, computed for the page's 5 ids only
    ids = re.search(r'"iam_user"."id" IN \(([^)]*)\)', main[0])[1]
    assert len(ids.split(",")) == 5
    # Sorted by a fact, the facts decide the order: u007 (2 groups) comes first.
    by_groups = client.get("/users/?per_page=5&sort=-groups").content.decode()
    first_row = by_groups[by_groups.index("<tbody"):]
    assert first_row.index("u007") < min(first_row.index(n) for n in names if n != "u007"
                                         and n in first_row)
