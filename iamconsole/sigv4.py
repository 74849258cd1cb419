"""Server-side AWS Signature Version 4 verification (no Django import).

Usage in a view::

    req = from_wsgi_environ(request.META, request.body)
    creds = parse_credentials(req)                  # SigV4Error (IncompleteSignature, ...)
    secret = lookup(creds.access_key_id)            # caller: unknown -> InvalidClientTokenId 403
    verify(req, creds, secret, now=timezone.now(), expected_service="iam")

The canonical request is rebuilt exactly as botocore's ``SigV4Auth`` builds it. Where botocore's
result depends on how the client spelled its URL (an already percent-encoded path, ``+`` in a
raw query string), the few equivalent spellings of the *same received bytes* are all tried, each
with a constant-time compare. The secret never appears in an exception or a log.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import hmac
import re
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ALGORITHM",
    "Credentials",
    "SigV4Error",
    "SignedRequest",
    "from_wsgi_environ",
    "parse_credentials",
    "verify",
]

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
MAX_PRESIGN_EXPIRES = 604800  # one week, as AWS

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)
_AMZ_DATE_RE = re.compile(r"[0-9]{8}T[0-9]{6}Z", re.ASCII)
_PRESIGN_PARAMS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
)
# Characters kept verbatim when a WSGI (decoded) path/query is turned back into URL text.
_URL_SAFE = "!$&'()*+,;=:@/~-._"
_QUERY_SAFE = _URL_SAFE + "%?"

_STATUS = {
    "IncompleteSignature": 400,
    "MissingAuthenticationToken": 403,
    "SignatureDoesNotMatch": 403,
    "InvalidClientTokenId": 403,
}


class SigV4Error(Exception):
    """An authentication failure, with the AWS error code and HTTP status to answer."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status if status is not None else _STATUS.get(code, 403)


class Headers(Mapping[str, str]):
    """Read-only case-insensitive header mapping (keys are lowercased)."""

    def __init__(self, headers: Mapping[str, str] | None = None) -> None:
        self._data: dict[str, str] = {}
        for name, value in (headers or {}).items():
            self._data[name.lower()] = value

    def __getitem__(self, name: str) -> str:
        return self._data[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        shown = {k: ("<redacted>" if k == "authorization" else v) for k, v in self._data.items()}
        return f"Headers({shown!r})"


@dataclass
class SignedRequest:
    """A received request: ``path`` raw as sent (percent-encoding kept, no query)."""

    method: str
    path: str
    query_string: str
    headers: Mapping[str, str]
    body: bytes = b""
    # The payload's SHA-256 (hex) when the body itself is not at hand: a service that asks
    # iamconsole to verify its caller's request on its behalf sends the hash, not the body.
    payload_hash: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.headers, Headers):
            self.headers = Headers(self.headers)


@dataclass(frozen=True)
class Credentials:
    """What the client claims: key id, credential scope, signed headers and signature."""

    access_key_id: str
    date: str  # YYYYMMDD from the credential scope
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)
    amz_date: str = ""  # YYYYMMDDTHHMMSSZ
    presigned: bool = False
    expires: int | None = None  # X-Amz-Expires (seconds), presigned only

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


# --------------------------------------------------------------------------- WSGI


def _wsgi_bytes(value: str) -> bytes:
    """WSGI strings are bytes decoded as latin-1 (PEP 3333)."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def from_wsgi_environ(environ: Mapping[str, Any], body: bytes) -> SignedRequest:
    """Build a :class:`SignedRequest` from a WSGI environ (e.g. Django's ``request.META``).

    The path is the raw request target when the server provides it (gunicorn's ``RAW_URI``,
    uWSGI/Apache ``REQUEST_URI``); otherwise ``SCRIPT_NAME + PATH_INFO``, which WSGI has already
    percent-decoded, re-quoted (botocore's canonicalization quotes it again, so an encoded
    ``%40`` and a literal ``@`` are both tried by :func:`verify`). ``Host`` is taken raw.
    """
    raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw_uri:
        raw = _wsgi_bytes(str(raw_uri))
        target = urllib.parse.quote(raw, safe=_QUERY_SAFE)
        if not target.startswith("/") and "://" in target:
            parts = urllib.parse.urlsplit(target)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        path = target.split("#", 1)[0].split("?", 1)[0] or "/"
    else:
        decoded = _wsgi_bytes(str(environ.get("SCRIPT_NAME", ""))) + _wsgi_bytes(
            str(environ.get("PATH_INFO", ""))
        )
        path = urllib.parse.quote(decoded, safe="/~") or "/"
    query = urllib.parse.quote(_wsgi_bytes(str(environ.get("QUERY_STRING", ""))), safe=_QUERY_SAFE)
    headers: dict[str, str] = {}
    for key, value in environ.items():
        if not isinstance(value, str):
            continue
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").lower()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if not value:
                continue  # wsgiref/Django set them empty when absent
            name = key.replace("_", "-").lower()
        else:
            continue
        # Header values are latin-1 in WSGI; botocore signs them as UTF-8 text.
        headers[name] = _wsgi_bytes(value).decode("utf-8", "replace")
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    return SignedRequest(method=method, path=path, query_string=query, headers=headers,
                         body=bytes(body or b""))


# --------------------------------------------------------------------------- parsing


def _incomplete(message: str) -> SigV4Error:
    return SigV4Error("IncompleteSignature", message, 400)


def _mismatch(message: str = SIGNATURE_MISMATCH) -> SigV4Error:
    return SigV4Error("SignatureDoesNotMatch", message, 403)


def _query_params(query_string: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for key, value in urllib.parse.parse_qsl(query_string, keep_blank_values=True):
        params.setdefault(key, value)
    return params


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def _split_credential(credential: str) -> tuple[str, str, str, str]:
    if _CONTROL_RE.search(credential):
        # A NUL would reach the key lookup, and PostgreSQL refuses NUL in any string.
        raise _incomplete("Credential must not contain control characters (such as NUL).")
    parts = credential.split("/")
    if len(parts) != 5 or not all(parts):
        raise _incomplete(
            "Credential must have exactly 5 slash-delimited elements, "
            f"e.g. keyid/date/region/service/term, got '{credential}'"
        )
    if parts[4] != "aws4_request":
        raise _incomplete(
            "Credential should be scoped with a valid terminator: 'aws4_request', "
            f"not '{parts[4]}'."
        )
    return parts[0], parts[1], parts[2], parts[3]


def _signed_header_list(value: str) -> tuple[str, ...]:
    names = tuple(n.strip().lower() for n in value.split(";") if n.strip())
    if "host" not in names:
        raise _incomplete(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
        )
    return names


def _http_date_to_amz(value: str) -> str | None:
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC)
    return parsed.strftime("%Y%m%dT%H%M%SZ")


def parse_credentials(req: SignedRequest) -> Credentials:
    """Extract the claimed credentials from the Authorization header or presigned query.

    No authentication at all -> ``MissingAuthenticationToken`` 403; malformed ->
    ``IncompleteSignature`` 400.
    """
    headers = req.headers
    authorization = headers.get("authorization", "").strip()
    query = _query_params(req.query_string)
    presign_keys = [k for k in _PRESIGN_PARAMS if k in query]
    if authorization and presign_keys:
        raise _incomplete(
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter "
            "or the Authorization header should be specified"
        )
    if authorization:
        return _parse_authorization_header(req, authorization)
    if presign_keys:
        return _parse_presigned(query)
    raise SigV4Error("MissingAuthenticationToken", "Request is missing Authentication Token", 403)


def _parse_authorization_header(req: SignedRequest, authorization: str) -> Credentials:
    algorithm, _, rest = authorization.partition(" ")
    if algorithm != ALGORITHM:
        raise _incomplete(
            f"Unsupported authorization type '{algorithm[:40]}': only {ALGORITHM} "
            "(Signature Version 4) is accepted."
        )
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, value = part.strip().partition("=")
        if sep:
            fields[key.strip()] = value.strip()
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not fields.get(name)
    ]
    amz_date = req.headers.get("x-amz-date", "").strip()
    if not amz_date and req.headers.get("date"):
        amz_date = _http_date_to_amz(req.headers["date"]) or ""
    if not amz_date:
        missing.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if missing:
        raise _incomplete(" ".join(missing))
    _check_amz_date(amz_date)
    token = req.headers.get("x-amz-security-token")
    return _credentials(fields["Credential"], fields["SignedHeaders"], fields["Signature"],
                        token.strip() if token is not None else None, amz_date)


def _check_amz_date(amz_date: str) -> None:
    if not _AMZ_DATE_RE.fullmatch(amz_date):
        raise _incomplete(f"Date must be in ISO-8601 'basic format'. Got '{amz_date[:40]}'.")


def _credentials(credential: str, signed_headers: str, signature: str, token: str | None,
                 amz_date: str, *, presigned: bool = False,
                 expires: int | None = None) -> Credentials:
    """What an Authorization header or a presigned URL claims (its credential scope split)."""
    key_id, date, region, service = _split_credential(credential)
    return Credentials(
        access_key_id=key_id, date=date, region=region, service=service,
        signed_headers=_signed_header_list(signed_headers), signature=signature,
        security_token=token, amz_date=amz_date, presigned=presigned, expires=expires,
    )


def _parse_presigned(query: Mapping[str, str]) -> Credentials:
    missing = [k for k in _PRESIGN_PARAMS if not query.get(k)]
    if missing:
        raise _incomplete(
            "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', "
            "'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders'. Missing: "
            + ", ".join(f"'{k}'" for k in missing)
            + "."
        )
    if query["X-Amz-Algorithm"] != ALGORITHM:
        raise _incomplete(
            f"X-Amz-Algorithm only supports '{ALGORITHM}', "
            f"got '{query['X-Amz-Algorithm'][:40]}'."
        )
    amz_date = query["X-Amz-Date"]
    _check_amz_date(amz_date)
    expires: int | None = None
    if "X-Amz-Expires" in query:
        raw = query["X-Amz-Expires"]
        if not raw.isdigit() or not raw.isascii():
            raise _incomplete(f"X-Amz-Expires should be a number, got '{raw[:40]}'.")
        expires = int(raw)
        if expires > MAX_PRESIGN_EXPIRES:
            raise _incomplete(
                "X-Amz-Expires must be less than a week (in seconds) that is 604800"
            )
    return _credentials(query["X-Amz-Credential"], query["X-Amz-SignedHeaders"],
                        query["X-Amz-Signature"], query.get("X-Amz-Security-Token"), amz_date,
                        presigned=True, expires=expires)


# --------------------------------------------------------------------------- canonical request


def _quote(value: bytes | str) -> str:
    return urllib.parse.quote(value, safe="-_.~")


def _remove_dot_segments(path: str) -> str:
    """botocore.utils.remove_dot_segments (also collapses repeated slashes)."""
    if not path:
        return "/"
    output: list[str] = []
    for segment in path.split("/"):
        if segment and segment != ".":
            if segment == "..":
                if output:
                    output.pop()
            else:
                output.append(segment)
    first = "/" if path[0] == "/" else ""
    last = "/" if path[-1] == "/" and output else ""
    return first + "/".join(output) + last


def canonical_uris(path: str) -> list[str]:
    """botocore's ``quote(normalize_url_path(path), safe='/~')`` for the path as the client
    wrote it: already percent-encoded (the usual case: quoted again), or literal."""
    raw = path or "/"
    candidates = [urllib.parse.quote(_remove_dot_segments(raw), safe="/~")]
    decoded = urllib.parse.unquote_to_bytes(raw).decode("utf-8", "surrogateescape")
    if decoded != raw:
        literal = urllib.parse.quote(
            _remove_dot_segments(decoded).encode("utf-8", "surrogateescape"), safe="/~"
        )
        candidates.append(literal)
    return list(dict.fromkeys(candidates))


def canonical_queries(query_string: str, *, exclude: tuple[str, ...] = ()) -> list[str]:
    """Canonical query strings: each pair decoded then RFC 3986 re-encoded and sorted (what
    botocore signs for ``params``), and the raw pairs sorted (botocore's URL mode)."""
    if not query_string:
        return [""]
    normalized: list[tuple[str, str]] = []
    raw_pairs: list[tuple[str, str]] = []
    for pair in query_string.split("&"):
        key, _, value = pair.partition("=")
        key_bytes = urllib.parse.unquote_to_bytes(key.replace("+", " "))
        if key_bytes.decode("utf-8", "replace") in exclude:
            continue
        value_bytes = urllib.parse.unquote_to_bytes(value.replace("+", " "))
        normalized.append((_quote(key_bytes), _quote(value_bytes)))
        raw_pairs.append((key, value))
    candidates = [
        "&".join(f"{k}={v}" for k, v in sorted(normalized)),
        "&".join(f"{k}={v}" for k, v in sorted(raw_pairs)),
    ]
    return list(dict.fromkeys(candidates))


def canonical_headers(req: SignedRequest, signed_headers: tuple[str, ...]) -> str:
    lines = []
    for name in sorted(set(signed_headers)):
        value = req.headers.get(name, "")
        lines.append(f"{name}:{' '.join(value.split())}")
    return "\n".join(lines) + "\n"


def _payload_hashes(req: SignedRequest, creds: Credentials) -> list[str]:
    if req.payload_hash is not None:
        declared = req.headers.get("x-amz-content-sha256")
        if declared is not None and declared.strip().lower() not in (
                req.payload_hash.lower(), UNSIGNED_PAYLOAD.lower()):
            raise _mismatch(
                "The provided 'x-amz-content-sha256' header does not match what was computed."
            )
        return [declared.strip()] if declared is not None else [req.payload_hash.lower()]
    body_hash = hashlib.sha256(req.body).hexdigest()
    declared = req.headers.get("x-amz-content-sha256")
    if declared is not None:
        declared = declared.strip()
        if declared == UNSIGNED_PAYLOAD and not req.body:
            return [declared]
        if declared.lower() != body_hash:
            raise _mismatch(
                "The provided 'x-amz-content-sha256' header does not match what was computed."
            )
        return [declared]
    if creds.presigned and not req.body:
        # botocore's SigV4QueryAuth hashes the (empty) body; S3-style signers send
        # UNSIGNED-PAYLOAD. Only without a body, so a presigned URL cannot carry a new one.
        return [body_hash, UNSIGNED_PAYLOAD]
    return [body_hash]


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    k_date = _hmac(f"AWS4{secret_access_key}".encode(), date)
    k_region = _hmac(k_date, region)
    k_service = _hmac(k_region, service)
    return _hmac(k_service, "aws4_request")


_derive = signing_key  # `verify`'s parameter of the same name shadows the function


def string_to_sign(amz_date: str, scope: str, canonical_request: str) -> str:
    digest = hashlib.sha256(canonical_request.encode("utf-8", "surrogateescape")).hexdigest()
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{digest}"


# --------------------------------------------------------------------------- verification


def _fmt(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _check_time(creds: Credentials, now: dt.datetime, max_skew: dt.timedelta) -> None:
    try:
        signed_at = dt.datetime.strptime(creds.amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        raise _incomplete(
            f"Date must be in ISO-8601 'basic format'. Got '{creds.amz_date[:40]}'."
        ) from None
    minutes = int(max_skew.total_seconds() // 60)
    if creds.date != creds.amz_date[:8]:
        raise _mismatch(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{creds.date}' != '{creds.amz_date[:8]}', from '{creds.amz_date}'."
        )
    if signed_at > now + max_skew:
        raise _mismatch(
            f"Signature not yet current: {creds.amz_date} is still later than "
            f"{_fmt(now + max_skew)} ({_fmt(now)} + {minutes} min.)"
        )
    if creds.presigned and creds.expires is not None:
        expiry = signed_at + dt.timedelta(seconds=creds.expires)
        if expiry < now:
            raise _mismatch(
                f"Signature expired: {_fmt(expiry)} is now earlier than {_fmt(now)} "
                f"({creds.amz_date} + {creds.expires} sec.)"
            )
    elif signed_at < now - max_skew:
        raise _mismatch(
            f"Signature expired: {creds.amz_date} is now earlier than "
            f"{_fmt(now - max_skew)} ({_fmt(now)} - {minutes} min.)"
        )


def verify(
    req: SignedRequest,
    creds: Credentials,
    secret_access_key: str,
    *,
    now: dt.datetime,
    expected_service: str | None = None,
    max_skew: dt.timedelta = dt.timedelta(minutes=15),
    signing_key: bytes | None = None,
) -> None:
    """Check the signature of ``req``; raise :class:`SigV4Error` (SignatureDoesNotMatch 403).

    Any region in the credential scope is accepted (boto3 signs IAM with the client's region
    when ``endpoint_url`` is set). ``now`` naive means UTC. ``signing_key``: the key derived
    from the secret for the credential's scope, when the caller kept it (else derived here).
    """
    if expected_service is not None and creds.service != expected_service:
        raise _mismatch(f"Credential should be scoped to correct service: '{expected_service}'.")
    _check_time(creds, _utc(now), max_skew)
    key = signing_key if signing_key is not None else _derive(
        secret_access_key, creds.date, creds.region, creds.service)
    exclude = ("X-Amz-Signature",) if creds.presigned else ()
    headers_part = canonical_headers(req, creds.signed_headers)
    signed_list = ";".join(sorted(set(creds.signed_headers)))
    provided = creds.signature.strip().lower().encode("ascii", "replace")
    matched = False
    for uri in canonical_uris(req.path):
        for query in canonical_queries(req.query_string, exclude=exclude):
            for payload in _payload_hashes(req, creds):
                canonical = "\n".join(
                    [req.method.upper(), uri, query, headers_part, signed_list, payload]
                )
                expected = hmac.new(
                    key,
                    string_to_sign(creds.amz_date, creds.scope, canonical).encode("utf-8"),
                    hashlib.sha256,
                ).hexdigest()
                # Evaluate every candidate: no early exit on a match.
                matched |= hmac.compare_digest(expected.encode("ascii"), provided)
    if not matched:
        raise _mismatch()
