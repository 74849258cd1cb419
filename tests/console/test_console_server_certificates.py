"""Server certificates in the console: upload (PEM textareas), list, detail with the expiration
(an expired one highlighted), rename / move, tags, delete with confirmation; the private key is
never shown, not even when the upload form comes back with an error; another account's are not
seen."""

from __future__ import annotations

from accounts_fixtures import B, in_account, second_account
from cert_fixtures import ca_chain, issue, key_pem, new_key

from iamconsole.iam import services as iam
from iamconsole.iam.models import ServerCertificate
from tests.conftest import ADMIN_POLICY, allow, make_user, policy_json
from tests.console.console_support import client_for, htmx


def _form(name, cert, **extra):
    return {"server_certificate_name": name, "certificate_body": cert.pem,
            "private_key": cert.key_pem, **extra}


def test_upload_list_and_show(world, admin):
    leaf, intermediate, root = ca_chain()
    client = client_for(admin)
    form = client.get("/server-certificates/create/").content.decode()
    assert 'name="private_key"' in form and "<textarea" in form
    response = client.post("/server-certificates/create/", _form(
        "web", leaf, path="/elb/", certificate_chain=intermediate.pem + root.pem,
        tags="env=prod"))
    assert response.status_code == 302, response.content
    assert response["Location"] == "/server-certificates/web/"
    stored = ServerCertificate.objects.get(name="web")
    assert stored.tags == {"env": "prod"} and stored.path == "/elb/"
    listing = client.get("/server-certificates/").content.decode()
    assert 'href="/server-certificates/web/"' in listing and "Expired" not in listing
    page = client.get("/server-certificates/web/").content.decode()
    assert "arn:aws:iam::123456789012:server-certificate/elb/web" in page
    assert stored.expiration.strftime("%Y-%m-%d %H:%M") in page
    assert leaf.pem.split("\n")[1] in page and root.pem.split("\n")[1] in page
    key_line = leaf.key_pem.split("\n")[1]
    assert key_line not in page and "/server-certificates/web/edit/" in page
    tags = client.get("/server-certificates/web/?tab=tags", **htmx("tabbed")).content.decode()
    assert "prod" in tags
    nav = client.get("/").content.decode()
    assert 'href="/server-certificates/"' in nav


def test_an_expired_certificate_is_highlighted(world, admin, system):
    old = issue("old.example.com", expired=True)
    iam.upload_server_certificate(system, "old", old.pem, old.key_pem)
    client = client_for(admin)
    assert 'badge warn">Expired' in client.get("/server-certificates/").content.decode()
    assert 'badge warn">Expired' in client.get("/server-certificates/old/").content.decode()


def test_errors_keep_the_form_but_never_echo_the_key(world, admin):
    cert = issue("www.example.com")
    client = client_for(admin)
    other_key = key_pem(new_key())
    mismatch = client.post("/server-certificates/create/",
                           {**_form("web", cert), "private_key": other_key})
    assert mismatch.status_code == 400
    page = mismatch.content.decode()
    assert "do not match" in page and other_key.split("\n")[1] not in page
    assert cert.pem.split("\n")[1] in page  # the certificate body is kept
    malformed = client.post("/server-certificates/create/",
                            {**_form("web", cert), "certificate_body": "nope"})
    assert malformed.status_code == 400 and "PEM format" in malformed.content.decode()
    assert not ServerCertificate.objects.exists()


def test_rename_tag_and_delete(world, admin, system):
    cert = issue("www.example.com")
    iam.upload_server_certificate(system, "web", cert.pem, cert.key_pem)
    client = client_for(admin)
    edit = client.get("/server-certificates/web/edit/")
    assert edit.status_code == 200
    revision = ServerCertificate.objects.get(name="web").revision
    renamed = client.post("/server-certificates/web/edit/", {
        "new_server_certificate_name": "site", "new_path": "/cdn/", "revision": revision})
    assert renamed.status_code == 302, renamed.content
    assert ServerCertificate.objects.get(name="site").path == "/cdn/"
    tagged = client.post("/server-certificates/site/tags/add/", {"key": "a", "value": "1"},
                         **htmx("tab-panel"))
    assert tagged.status_code == 200
    assert ServerCertificate.objects.get(name="site").tags == {"a": "1"}
    confirm = client.get("/server-certificates/site/delete/").content.decode()
    assert "site" in confirm
    assert client.post("/server-certificates/site/delete/").status_code == 302
    assert not ServerCertificate.objects.exists()


def test_the_pages_need_their_actions(world, system):
    cert = issue("www.example.com")
    iam.upload_server_certificate(system, "web", cert.pem, cert.key_pem)
    reader = make_user("reader", policy=policy_json(allow(
        ["iam:ListServerCertificates", "iam:GetServerCertificate"])))
    client = client_for(reader)
    assert client.get("/server-certificates/").status_code == 200
    assert client.get("/server-certificates/web/").status_code == 200
    assert client.get("/server-certificates/create/").status_code == 403
    assert client.post("/server-certificates/create/", _form("x", cert)).status_code == 403
    assert client.post("/server-certificates/web/delete/").status_code == 403
    assert client.get("/server-certificates/web/edit/").status_code == 403
    nobody = client_for(make_user("nobody"))
    assert nobody.get("/server-certificates/web/").status_code == 403
    assert nobody.get("/server-certificates/missing/").status_code == 403  # no oracle


def test_another_account_does_not_see_it(world, admin, system):
    cert = issue("www.example.com")
    iam.upload_server_certificate(system, "web", cert.pem, cert.key_pem)
    second_account()
    with in_account(B):
        admin_b = make_user("admin", policy=ADMIN_POLICY)
    client = client_for(admin_b)
    assert 'href="/server-certificates/web/"' not in \
        client.get("/server-certificates/").content.decode()
    assert client.get("/server-certificates/web/").status_code == 404
