"""Custom services in the console: list, register from a JSON definition (errors shown on the
form, 400), delete; a user without iamconsole:ListCustomServices is refused."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from iamconsole.iam import custom_services
from iamconsole.iam.models import CustomService

DEFINITION = {"prefix": "jobs", "name": "Job runner",
              "actions": [{"name": "RunJob", "access_level": "Write"}]}


@pytest.fixture
def as_admin(admin) -> Client:
    custom_services.forget()
    client = Client()
    client.force_login(admin)
    yield client
    custom_services.forget()


def test_register_list_and_delete(as_admin):
    page = as_admin.get("/custom-services/")
    assert page.status_code == 200 and b"No custom service yet" in page.content
    response = as_admin.post("/custom-services/", {"definition": json.dumps(DEFINITION)})
    assert response.status_code == 302
    page = as_admin.get("/custom-services/")
    assert b"jobs:RunJob" in page.content and b"Job runner" in page.content
    bad = as_admin.post("/custom-services/", {"definition": json.dumps(
        {**DEFINITION, "actions": [{"name": "bad name"}]})})
    assert bad.status_code == 400 and b"InvalidInput" in bad.content
    assert as_admin.post("/custom-services/", {"definition": "{nope"}).status_code == 400
    assert as_admin.post("/custom-services/jobs/delete/").status_code == 302
    assert not CustomService.objects.exists()


def test_outsider_is_refused(outsider):
    client = Client()
    client.force_login(outsider)
    assert client.get("/custom-services/").status_code == 403
