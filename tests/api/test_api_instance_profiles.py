"""REST: instance profiles (one role each, deletion conflicts) and service-linked roles
(read-only but for their description)."""

from __future__ import annotations

import json

import pytest
from api_helpers import API, TRUST
from django.test import Client


@pytest.fixture
def client(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def call(client, method, url, body=None):
    return client.generic(method, API + url, data=json.dumps(body) if body is not None else "",
                          content_type="application/json")


def test_instance_profile_with_its_role(client):
    assert call(client, "POST", "roles/", {"role_name": "web",
                                           "assume_role_policy_document": TRUST}).status_code == 201
    created = call(client, "POST", "instance-profiles/",
                   {"instance_profile_name": "web-profile", "path": "/app/",
                    "tags": {"env": "prod"}})
    assert created.status_code == 201
    body = created.json()
    assert body["instance_profile_id"].startswith("AIPA") and body["roles"] == []
    assert body["arn"] == "arn:aws:iam::123456789012:instance-profile/app/web-profile"
    added = call(client, "POST", "instance-profiles/web-profile/roles/", {"role_name": "web"})
    assert added.status_code == 200
    assert [r["role_name"] for r in added.json()["roles"]] == ["web"]
    again = call(client, "POST", "instance-profiles/web-profile/roles/", {"role_name": "web"})
    assert again.status_code == 409 and again.json()["code"] == "LimitExceeded"
    listed = call(client, "GET", "roles/web/instance-profiles/").json()
    assert [p["instance_profile_name"] for p in listed["results"]] == ["web-profile"]

    conflict = call(client, "DELETE", "roles/web/")
    assert conflict.status_code == 409 and conflict.json()["code"] == "DeleteConflict"
    assert call(client, "DELETE", "instance-profiles/web-profile/").status_code == 409
    assert call(client, "DELETE", "instance-profiles/web-profile/roles/web/").status_code == 204
    assert call(client, "DELETE", "instance-profiles/web-profile/").status_code == 204
    assert call(client, "DELETE", "roles/web/").status_code == 204
    missing = call(client, "GET", "instance-profiles/web-profile/")
    assert missing.status_code == 404 and missing.json()["code"] == "NoSuchEntity"


def test_instance_profiles_have_no_update(client):
    call(client, "POST", "instance-profiles/", {"instance_profile_name": "p"})
    assert call(client, "PATCH", "instance-profiles/p/", {"new_path": "/x/"}).status_code == 405


def test_instance_profile_list_filters(client):
    for name, path in (("a", "/x/"), ("b", "/y/")):
        call(client, "POST", "instance-profiles/", {"instance_profile_name": name, "path": path,
                                                    "tags": {"n": name}})
    by_path = call(client, "GET", "instance-profiles/?path_prefix=/x/").json()["results"]
    assert [p["instance_profile_name"] for p in by_path] == ["a"]
    by_tag = call(client, "GET", "instance-profiles/?tag=n=b").json()["results"]
    assert [p["instance_profile_name"] for p in by_tag] == ["b"]


def test_service_linked_role_is_read_only_but_for_its_description(client):
    created = call(client, "POST", "service-linked-roles/",
                   {"aws_service_name": "elasticbeanstalk.amazonaws.com"})
    assert created.status_code == 201
    role = created.json()
    assert role["role_name"] == "AWSServiceRoleForElasticBeanstalk"
    assert role["aws_service_name"] == "elasticbeanstalk.amazonaws.com"
    name = role["role_name"]
    refused = call(client, "DELETE", f"roles/{name}/")
    assert refused.status_code == 400 and refused.json()["code"] == "UnmodifiableEntity"
    assert call(client, "PUT", f"roles/{name}/trust-policy/",
                {"policy_document": TRUST}).json()["code"] == "UnmodifiableEntity"
    assert call(client, "PATCH", f"roles/{name}/", {"description": "EB"}).status_code == 200
    deleted = call(client, "DELETE", f"service-linked-roles/{name}/")
    assert deleted.status_code == 202
    task = deleted.json()["deletion_task_id"]
    status = client.get(API + "service-linked-role-deletions/", {"deletion_task_id": task})
    assert status.status_code == 200 and status.json()["status"] == "SUCCEEDED"
    assert call(client, "GET", f"roles/{name}/").status_code == 404
