"""The console with the whole AWS managed policy catalog loaded: the policy list and detail
pages, and the attach picker, which shows a bounded list with a search instead of 1,600
options and never preselects a policy; query counts do not grow with the catalog."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iamconsole.console.pickers import PICKER_LIMIT
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller
from tests.console.console_support import client_for

pytestmark = pytest.mark.django_db


def test_policy_pages_and_the_attach_picker_scale_to_the_catalog(aws_catalog, admin):
    system = Caller.system("test")
    iam.create_user(system, "Steve")
    client = client_for(admin)
    listing = client.get("/policies/?scope=aws&per_page=50")
    assert listing.status_code == 200
    assert len(set(re.findall(r'href="/policies/aws/([^/"]+)/"', listing.content.decode()))) == 50
    detail = client.get("/policies/aws/ReadOnlyAccess/")
    assert detail.status_code == 200
    assert b"arn:aws:iam::aws:policy/ReadOnlyAccess" in detail.content

    client.get("/users/Steve/?tab=permissions")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/users/Steve/?tab=permissions")
    assert page.status_code == 200
    body = page.content.decode()
    picker = body[body.index('id="attach-policy"'):]
    picker = picker[:picker.index("</select>")]
    assert 0 < picker.count("<option") <= PICKER_LIMIT + 1
    assert "selected" not in re.sub(r'<option value=""[^>]*>', "", picker)
    assert len(queries.captured_queries) < 60

    found = client.get("/policies/options/?purpose=attach&kind=user&name=Steve"
                       "&q=AmazonS3ReadOnly").content.decode()
    assert "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" in found
    response = client.post("/users/Steve/policies/attach/",
                           {"policy_arn": "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"})
    assert response.status_code in (200, 302)
