"""Server-side SigV4 verification against requests signed by botocore itself."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from dataclasses import replace

import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials

from iamconsole.sigv4 import (
    SIGNATURE_MISMATCH,
    SignedRequest,
    SigV4Error,
    from_wsgi_environ,
    parse_credentials,
    verify,
)

AKID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FQoGZXIvYXdzEXAMPLETOKEN//////////wEaDJh+token=="
NOW = dt.datetime(2026, 11, 22, 23, 5, 49, tzinfo=dt.UTC)
FORM = "application/x-www-form-urlencoded; charset=utf-8"
IAM_BODY = (
    b"Action=CreateUser&Version=2010-05-08&UserName=alice"
    b"&Tags.member.1.Key=team&Tags.member.1.Value=a+b"
)


def sign(
    method: str,
    url: str,
    *,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    region: str = "us-east-1",
    service: str = "iam",
    token: str | None = None,
    at: dt.datetime = NOW,
    presign_expires: int | None = None,
    monkeypatch: pytest.MonkeyPatch,
) -> AWSRequest:
    """Sign like boto3 does, at a fixed time, and return the prepared request."""
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: at)
    request = AWSRequest(method=method, url=url, data=body, headers=headers or {},
                         params=params or {})
    creds = BotoCredentials(AKID, SECRET, token)
    if presign_expires is None:
        botocore.auth.SigV4Auth(creds, service, region).add_auth(request)
    else:
        botocore.auth.SigV4QueryAuth(creds, service, region, expires=presign_expires).add_auth(
            request
        )
    return request.prepare()


def wire(prepared) -> SignedRequest:
    """What arrives on the socket: urllib3 adds Host (port kept unless default) and
    unsigned headers such as User-Agent and Content-Length."""
    parts = urllib.parse.urlsplit(prepared.url)
    headers = dict(prepared.headers.items())
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname if parts.port in (None, default) else f"{parts.hostname}:{parts.port}"
    headers["Host"] = host
    headers["User-Agent"] = "Boto3/1.44.5 md/Botocore#1.44.5"
    headers["amz-sdk-invocation-id"] = "3c0d7f4e"
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    # urllib3 percent-encodes what cannot travel literally (non-ASCII...), keeping '%' escapes.
    path = urllib.parse.quote(parts.path or "/", safe="/%@:!$&'()*+,;=~")
    return SignedRequest(prepared.method, path, parts.query, headers, body)


def gunicorn_environ(req: SignedRequest, script_name: str = "") -> dict[str, str]:
    """A gunicorn-like WSGI environ: RAW_URI kept, PATH_INFO decoded as latin-1."""
    raw_target = req.path + (f"?{req.query_string}" if req.query_string else "")
    decoded = urllib.parse.unquote_to_bytes(req.path).decode("latin-1")
    environ = {
        "REQUEST_METHOD": req.method,
        "RAW_URI": raw_target,
        "SCRIPT_NAME": script_name,
        "PATH_INFO": decoded[len(script_name):],
        "QUERY_STRING": req.query_string,
        "SERVER_NAME": "0.0.0.0",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
    }
    for name, value in req.headers.items():
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
        else:
            environ[f"HTTP_{key}"] = value
    return environ


def django_environ(req: SignedRequest, script_name: str = "") -> dict[str, str]:
    """Django's test client / runserver: no RAW_URI, PATH_INFO percent-decoded."""
    environ = gunicorn_environ(req, script_name)
    del environ["RAW_URI"]
    environ.setdefault("CONTENT_TYPE", "")
    environ.setdefault("CONTENT_LENGTH", "")
    environ["wsgi.input"] = object()  # non-str values are ignored
    return environ


def check(req: SignedRequest, *, secret: str = SECRET, now: dt.datetime = NOW,
          expected_service: str | None = None) -> None:
    verify(req, parse_credentials(req), secret, now=now, expected_service=expected_service)


def mismatch(req: SignedRequest, **kwargs) -> SigV4Error:
    with pytest.raises(SigV4Error) as info:
        check(req, **kwargs)
    assert info.value.code == "SignatureDoesNotMatch"
    assert info.value.status == 403
    assert SECRET not in str(info.value)
    return info.value


# --------------------------------------------------------------------------- valid requests


@pytest.mark.parametrize("path", ["/aws/iam/", "/aws/iam"])
@pytest.mark.parametrize("region", ["us-east-1", "eu-central-1", "ap-south-1", "us-west-2"])
@pytest.mark.parametrize("token", [None, TOKEN])
def test_boto_iam_post_verifies(monkeypatch, path, region, token):
    prepared = sign("POST", f"http://127.0.0.1:8000{path}", body=IAM_BODY,
                    headers={"Content-Type": FORM}, region=region, token=token,
                    monkeypatch=monkeypatch)
    req = wire(prepared)
    assert req.headers["host"] == "127.0.0.1:8000"
    creds = parse_credentials(req)
    assert creds.access_key_id == AKID
    assert (creds.date, creds.region, creds.service) == ("20261122", region, "iam")
    assert creds.amz_date == "20261122T230549Z"
    assert creds.presigned is False
    assert creds.security_token == token
    expected = ("content-type", "host", "x-amz-date")
    assert creds.signed_headers == ((*expected, "x-amz-security-token") if token else expected)
    verify(req, creds, SECRET, now=NOW, expected_service="iam")
    # Same request through a WSGI environ, gunicorn-style and Django-test-client-style.
    check(from_wsgi_environ(gunicorn_environ(req), req.body), expected_service="iam")
    check(from_wsgi_environ(django_environ(req), req.body), expected_service="iam")


def test_naive_now_is_utc(monkeypatch):
    req = wire(sign("POST", "http://localhost:8000/aws/iam/", body=IAM_BODY,
                    headers={"Content-Type": FORM}, monkeypatch=monkeypatch))
    check(req, now=NOW.replace(tzinfo=None))


def test_script_name_prefix(monkeypatch):
    req = wire(sign("POST", "http://localhost:8000/prefix/aws/iam/", body=IAM_BODY,
                    headers={"Content-Type": FORM}, monkeypatch=monkeypatch))
    for environ in (gunicorn_environ(req, "/prefix"), django_environ(req, "/prefix")):
        built = from_wsgi_environ(environ, req.body)
        assert built.path == "/prefix/aws/iam/"
        check(built)


def test_sts_and_https_default_port(monkeypatch):
    body = b"Action=GetCallerIdentity&Version=2011-06-15"
    req = wire(sign("POST", "https://iam.example.com:443/aws/sts/", body=body,
                    headers={"Content-Type": FORM}, service="sts", region="eu-west-1",
                    token=TOKEN, monkeypatch=monkeypatch))
    assert req.headers["Host"] == "iam.example.com"
    check(req, expected_service="sts")
    mismatch(replace(req, headers={**req.headers, "Host": "iam.example.com:443"}))


QUERY_PARAMS = {
    "q": "hello world",
    "name": "Zoë 東京",
    "expr": "a+b=c&d",
    "tilde": "~x-y_z.",
    "empty": "",
}


def test_get_with_encoded_query(monkeypatch):
    req = wire(sign("GET", "http://localhost:8000/api/v1/users/", params=QUERY_PARAMS,
                    service="iamconsole", monkeypatch=monkeypatch))
    assert "+" in req.query_string  # urlencode on the wire, RFC 3986 in the signature
    check(req)
    check(from_wsgi_environ(gunicorn_environ(req), b""))
    check(from_wsgi_environ(django_environ(req), b""))


def test_get_with_raw_query_in_url(monkeypatch):
    url = "http://localhost:8000/api/v1/users/?name=Zo%C3%AB&b=x%20y&a=1&a=0"
    req = wire(sign("GET", url, service="iamconsole", monkeypatch=monkeypatch))
    check(req)
    check(from_wsgi_environ(django_environ(req), b""))


def test_json_put_with_encoded_path(monkeypatch):
    body = json.dumps({"display_name": "Alice Ünicode", "tags": {"k": "v"}}).encode()
    url = "http://127.0.0.1:8000/api/v1/users/alice%40example.com/"
    req = wire(sign("PUT", url, body=body, headers={"Content-Type": "application/json"},
                    service="iamconsole", region="eu-central-1", monkeypatch=monkeypatch))
    assert req.path == "/api/v1/users/alice%40example.com/"
    check(req)
    guni = from_wsgi_environ(gunicorn_environ(req), body)
    assert guni.path == "/api/v1/users/alice%40example.com/"
    check(guni)
    django = django_environ(req)
    assert django["PATH_INFO"] == "/api/v1/users/alice@example.com/"
    check(from_wsgi_environ(django, body))


def test_literal_path_characters(monkeypatch):
    # A client that puts '@' and a non-ASCII character literally in the URL.
    req = wire(sign("DELETE", "http://localhost:8000/api/v1/users/bob@exämple.com/", body=b"",
                    service="iamconsole", monkeypatch=monkeypatch))
    assert req.path == "/api/v1/users/bob@ex%C3%A4mple.com/"
    check(req)
    check(from_wsgi_environ(gunicorn_environ(req), b""))
    check(from_wsgi_environ(django_environ(req), b""))


def test_x_amz_content_sha256_header(monkeypatch):
    body = b'{"a": 1}'
    import hashlib

    digest = hashlib.sha256(body).hexdigest()
    req = wire(sign("POST", "http://localhost:8000/api/v1/x", body=body,
                    headers={"X-Amz-Content-SHA256": digest}, service="iamconsole",
                    monkeypatch=monkeypatch))
    assert "x-amz-content-sha256" in parse_credentials(req).signed_headers
    check(req)
    err = mismatch(replace(req, body=b'{"a": 2}'))
    assert "x-amz-content-sha256" in err.message


def test_presigned_get_caller_identity(monkeypatch):
    for token in (None, TOKEN):
        prepared = sign("GET", "https://sts.example.com/aws/sts/",
                        params={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
                        service="sts", token=token, presign_expires=60, monkeypatch=monkeypatch)
        req = wire(prepared)
        assert "authorization" not in req.headers
        creds = parse_credentials(req)
        assert creds.presigned and creds.expires == 60
        assert creds.security_token == token
        check(req, expected_service="sts", now=NOW + dt.timedelta(seconds=59))
        check(from_wsgi_environ(gunicorn_environ(req), b""), expected_service="sts")
        err = mismatch(req, now=NOW + dt.timedelta(seconds=61))
        assert err.message.startswith("Signature expired: 20261122T230649Z is now earlier than")
        mismatch(replace(req, query_string=req.query_string.replace("GetCallerIdentity",
                                                                    "GetSessionToken")))
        # A presigned URL cannot smuggle in a body.
        mismatch(replace(req, method="GET", body=b"Action=CreateUser"))


# --------------------------------------------------------------------------- tampering


@pytest.fixture
def signed(monkeypatch) -> SignedRequest:
    req = wire(sign("POST", "http://127.0.0.1:8000/aws/iam/?x=1", body=IAM_BODY,
                    headers={"Content-Type": FORM}, region="eu-west-1", token=TOKEN,
                    monkeypatch=monkeypatch))
    check(req)
    return req


def test_tampered_body(signed):
    mismatch(replace(signed, body=signed.body.replace(b"alice", b"mallory")))


def test_tampered_signed_headers(signed):
    mismatch(replace(signed, headers={**signed.headers, "Content-Type": "text/plain"}))
    mismatch(replace(signed, headers={**signed.headers, "Host": "evil.example.com"}))
    mismatch(replace(signed, headers={**signed.headers, "X-Amz-Security-Token": TOKEN + "x"}))


def test_unsigned_headers_may_change(signed):
    check(replace(signed, headers={**signed.headers, "User-Agent": "curl/8", "X-Other": "1"}))


def test_tampered_path_and_query(signed):
    mismatch(replace(signed, path="/aws/sts/"))
    mismatch(replace(signed, path="/aws/iam"))
    mismatch(replace(signed, query_string="x=2"))
    mismatch(replace(signed, query_string=""))
    mismatch(replace(signed, method="PUT"))


def test_tampered_date(signed):
    headers = dict(signed.headers)
    headers["X-Amz-Date"] = "20261122T230550Z"
    mismatch(replace(signed, headers=headers))
    headers["X-Amz-Date"] = "20261123T000000Z"
    err = mismatch(replace(signed, headers=headers), now=dt.datetime(2026, 11, 23, tzinfo=dt.UTC))
    assert err.message.startswith("Date in Credential scope does not match")


def test_wrong_secret(signed):
    err = mismatch(signed, secret=SECRET[:-1] + "Z")
    assert err.message == SIGNATURE_MISMATCH
    assert SECRET[:-1] not in str(err)


def test_scope_service_and_region(signed):
    err = mismatch(signed, expected_service="sts")
    assert err.message == "Credential should be scoped to correct service: 'sts'."
    auth = signed.headers["Authorization"]
    for forged in (auth.replace("/iam/", "/sts/"), auth.replace("/eu-west-1/", "/us-east-1/")):
        mismatch(replace(signed, headers={**signed.headers, "Authorization": forged}))


def test_tampered_signature(signed):
    auth = signed.headers["Authorization"]
    sig = auth.rsplit("=", 1)[1]
    flipped = auth[: -len(sig)] + ("0" if sig[0] != "0" else "1") + sig[1:]
    mismatch(replace(signed, headers={**signed.headers, "Authorization": flipped}))
    # SignedHeaders shortened: the token header would no longer be protected.
    fewer = auth.replace(";x-amz-security-token", "")
    mismatch(replace(signed, headers={**signed.headers, "Authorization": fewer}))


@pytest.mark.parametrize(
    ("delta", "ok", "prefix"),
    [
        (dt.timedelta(minutes=14), True, ""),
        (-dt.timedelta(minutes=14), True, ""),
        (
            dt.timedelta(minutes=16),
            False,
            "Signature expired: 20261122T230549Z is now earlier than "
            "20261122T230649Z (20261122T232149Z - 15 min.)",
        ),
        (
            -dt.timedelta(minutes=16),
            False,
            "Signature not yet current: 20261122T230549Z is still "
            "later than 20261122T230449Z (20261122T224949Z + 15 min.)",
        ),
    ],
)
def test_clock_skew(signed, delta, ok, prefix):
    if ok:
        check(signed, now=NOW + delta)
    else:
        assert mismatch(signed, now=NOW + delta).message == prefix


# --------------------------------------------------------------------------- malformed


def _error(req: SignedRequest) -> SigV4Error:
    with pytest.raises(SigV4Error) as info:
        parse_credentials(req)
    return info.value


def test_missing_authentication(signed):
    headers = {k: v for k, v in signed.headers.items() if k.lower() != "authorization"}
    err = _error(replace(signed, headers=headers))
    assert (err.code, err.status) == ("MissingAuthenticationToken", 403)
    assert err.message == "Request is missing Authentication Token"


@pytest.mark.parametrize(
    ("authorization", "needle"),
    [
        ("AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abc", "'Credential'"),
        (f"AWS4-HMAC-SHA256 Credential={AKID}/20261122/us-east-1/iam/aws4_request, "
         "SignedHeaders=host;x-amz-date", "'Signature'"),
        (f"AWS4-HMAC-SHA256 Credential={AKID}/20261122/us-east-1/iam/aws4_request, "
         "Signature=abc", "'SignedHeaders'"),
        (f"AWS4-HMAC-SHA256 Credential={AKID}/20261122/iam/aws4_request, "
         "SignedHeaders=host;x-amz-date, Signature=abc", "5 slash-delimited elements"),
        (f"AWS4-HMAC-SHA256 Credential={AKID}/20261122/us-east-1/iam/aws5_request, "
         "SignedHeaders=host;x-amz-date, Signature=abc", "terminator"),
        (f"AWS4-HMAC-SHA256 Credential={AKID}/20261122/us-east-1/iam/aws4_request, "
         "SignedHeaders=content-type;x-amz-date, Signature=abc", "'Host'"),
        (f"AWS {AKID}:frJIUN8DYpKDtOLCwo//yllqDzg=", "Unsupported authorization type 'AWS'"),
        ("Bearer abc", "AWS4-HMAC-SHA256"),
        ("AWS4-HMAC-SHA256", "'Credential'"),
    ],
)
def test_malformed_authorization(signed, authorization, needle):
    err = _error(replace(signed, headers={**signed.headers, "Authorization": authorization}))
    assert (err.code, err.status) == ("IncompleteSignature", 400)
    assert needle in err.message


def test_missing_or_bad_date(signed):
    headers = {k: v for k, v in signed.headers.items() if k.lower() != "x-amz-date"}
    err = _error(replace(signed, headers=headers))
    assert err.code == "IncompleteSignature"
    assert "'X-Amz-Date' or a 'Date' header" in err.message
    err = _error(replace(signed, headers={**headers, "X-Amz-Date": "2026-11-22T23:05:49Z"}))
    assert err.code == "IncompleteSignature"
    assert "ISO-8601 'basic format'" in err.message


def test_date_header_instead_of_x_amz_date(monkeypatch):
    req = wire(sign("POST", "http://localhost:8000/aws/iam/", body=IAM_BODY,
                    headers={"Content-Type": FORM, "Date": "x"}, monkeypatch=monkeypatch))
    assert "x-amz-date" not in req.headers
    creds = parse_credentials(req)
    assert creds.amz_date == "20261122T230549Z"
    check(req)


def test_presigned_malformed(monkeypatch):
    req = wire(sign("GET", "https://sts.example.com/", params={"Action": "GetCallerIdentity"},
                    service="sts", presign_expires=60, monkeypatch=monkeypatch))
    query = urllib.parse.parse_qs(req.query_string)
    without_sig = urllib.parse.urlencode(
        {k: v[0] for k, v in query.items() if k != "X-Amz-Signature"})
    err = _error(replace(req, query_string=without_sig))
    assert err.code == "IncompleteSignature" and "'X-Amz-Signature'" in err.message
    bad_alg = req.query_string.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1")
    assert _error(replace(req, query_string=bad_alg)).code == "IncompleteSignature"
    too_long = req.query_string.replace("X-Amz-Expires=60", "X-Amz-Expires=604801")
    assert "less than a week" in _error(replace(req, query_string=too_long)).message
    both = replace(req, headers={**req.headers, "Authorization": "AWS4-HMAC-SHA256 Credential=x"})
    assert "Only one auth mechanism" in _error(both).message


def test_headers_case_insensitive_and_repr_hides_authorization(signed):
    assert signed.headers["AUTHORIZATION"] == signed.headers["authorization"]
    assert "Signature=" not in repr(signed.headers)
    assert "signature" not in repr(parse_credentials(signed)).lower().replace(
        "signed_headers", "")
