"""OIDC providers in the console: create, list, detail (audiences and thumbprints), add and
remove an audience in place, tags, delete with confirmation; a provider URL with a path (its
pages' addresses then hold slashes)."""

from __future__ import annotations

from iamconsole.iam import services as iam
from iamconsole.iam.models import AuditEvent, OpenIDConnectProvider
from tests.console.console_support import client_for, htmx

THUMB = "6938fd4d98bab03faadb97b34396831e3780aea1"


def test_create_list_and_show_a_provider(world, admin):
    client = client_for(admin)
    response = client.post("/oidc-providers/create/", {
        "url": "https://token.actions.githubusercontent.com",
        "client_ids": "sts.amazonaws.com\n", "thumbprints": THUMB, "tags": "team=ci"})
    assert response.status_code == 302, response.content
    assert response["Location"] == "/oidc-providers/token.actions.githubusercontent.com/"
    provider = OpenIDConnectProvider.objects.get()
    assert provider.client_ids == ["sts.amazonaws.com"] and provider.tags == {"team": "ci"}
    listing = client.get("/oidc-providers/").content.decode()
    assert 'href="/oidc-providers/token.actions.githubusercontent.com/"' in listing
    page = client.get("/oidc-providers/token.actions.githubusercontent.com/").content.decode()
    assert "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" in page
    assert "sts.amazonaws.com" in page and THUMB in page
    assert "Identity providers" in page  # in the navigation


def test_bad_url_is_a_form_error(world, admin):
    client = client_for(admin)
    bad = client.post("/oidc-providers/create/", {"url": "http://idp.example.com"})
    assert bad.status_code == 400 and "https://" in bad.content.decode()


def test_a_provider_with_a_path_add_and_remove_an_audience_in_place(world, admin, system):
    iam.create_open_id_connect_provider(system, "https://idp.example.com/tenants/a",
                                        client_id_list=["web"])
    client = client_for(admin)
    base = "/oidc-providers/idp.example.com/tenants/a"
    assert client.get(f"{base}/").status_code == 200
    added = client.post(f"{base}/client-ids/add/", {"client_id": "mobile"},
                        **htmx("tab-panel"))
    assert added.status_code == 200 and b"mobile" in added.content
    removed = client.post(f"{base}/client-ids/remove/", {"client_id": "web"},
                          **htmx("tab-panel"))
    assert removed.status_code == 200
    assert OpenIDConnectProvider.objects.get().client_ids == ["mobile"]
    tagged = client.post(f"{base}/tags/add/", {"key": "env", "value": "prod"},
                         **htmx("tab-panel"))
    assert tagged.status_code == 200
    assert OpenIDConnectProvider.objects.get().tags == {"env": "prod"}
    confirm = client.get(f"{base}/delete/")
    assert confirm.status_code == 200 and b"idp.example.com/tenants/a" in confirm.content
    assert client.post(f"{base}/delete/").status_code == 302
    assert not OpenIDConnectProvider.objects.exists()
    assert AuditEvent.objects.filter(action="iam:DeleteOpenIDConnectProvider").exists()


def test_a_missing_provider_is_404(world, admin):
    assert client_for(admin).get("/oidc-providers/nowhere.example.com/").status_code == 404
