"""SAML providers in the console: create from a metadata document, list, detail (entity id,
signing certificates, private key ids, never the keys), edit, tags, delete."""

from __future__ import annotations

from cert_fixtures import key_pem, new_key
from saml_fixtures import IDP_ENTITY_ID, metadata

from iamconsole.iam.models import SAMLProvider
from tests.console.console_support import client_for, htmx


def test_create_show_edit_delete(world, admin):
    client = client_for(admin)
    form = client.get("/saml-providers/create/").content.decode()
    assert 'name="saml_metadata_document"' in form
    key = key_pem(new_key("rsa"))
    response = client.post("/saml-providers/create/", {
        "saml_provider_name": "okta", "saml_metadata_document": metadata(),
        "add_private_key": key, "tags": "env=prod"})
    assert response.status_code == 302, response.content
    assert response["Location"] == "/saml-providers/okta/"
    stored = SAMLProvider.objects.get(name="okta")
    listing = client.get("/saml-providers/").content.decode()
    assert 'href="/saml-providers/okta/"' in listing
    page = client.get("/saml-providers/okta/").content.decode()
    assert "arn:aws:iam::123456789012:saml-provider/okta" in page and IDP_ENTITY_ID in page
    assert stored.private_keys[0]["KeyId"] in page and key.split("\n")[1] not in page
    tags = client.get("/saml-providers/okta/?tab=tags", **htmx("tabbed")).content.decode()
    assert "prod" in tags
    assert 'href="/saml-providers/"' in client.get("/").content.decode()
    edited = client.post("/saml-providers/okta/edit/", {
        "assertion_encryption_mode": "Required", "revision": stored.revision})
    assert edited.status_code == 302, edited.content
    assert SAMLProvider.objects.get(name="okta").assertion_encryption_mode == "Required"
    deleted = client.post("/saml-providers/okta/delete/")
    assert deleted.status_code == 302 and not SAMLProvider.objects.exists()
