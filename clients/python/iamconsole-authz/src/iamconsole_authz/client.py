"""The decision API's client: SigV4-signed calls, short-lived caching, fail-closed."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

EMPTY_HASH = hashlib.sha256(b"").hexdigest()


class AuthzError(Exception):
    """iamconsole could not be asked or refused the call (the decision is then 'denied')."""


@dataclass
class Decision:
    allowed: bool
    decision: str
    principal: dict = field(default_factory=dict)
    reason: str = ""
    error: dict | None = None
    matched_statements: list = field(default_factory=list)
    raw: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, data: dict) -> Decision:
        return cls(allowed=bool(data.get("allowed")), decision=str(data.get("decision", "")),
                   principal=data.get("principal") or {}, reason=data.get("reason", ""),
                   error=data.get("error"), matched_statements=data.get("matched_statements")
                   or [], raw=data)

    @classmethod
    def failed(cls, message: str) -> Decision:
        return cls(allowed=False, decision="error",
                   error={"code": "ServiceUnavailable", "message": message})

    def __bool__(self) -> bool:
        return self.allowed


def _sign(method: str, url: urllib.parse.SplitResult, headers: dict[str, str], body: bytes,
          key_id: str, secret: str, token: str | None, region: str, service: str) -> None:
    now = dt.datetime.now(dt.UTC)
    amz_date, date = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    payload = hashlib.sha256(body).hexdigest()
    headers["x-amz-date"] = amz_date
    headers["x-amz-content-sha256"] = payload
    if token:
        headers["x-amz-security-token"] = token
    headers["host"] = url.netloc
    names = sorted(h.lower() for h in headers)
    canonical_headers = "".join(f"{n}:{' '.join(headers_lookup(headers, n).split())}\n"
                                for n in names)
    signed = ";".join(names)
    path = urllib.parse.quote(url.path or "/", safe="/~")
    query = "&".join(sorted(
        f"{urllib.parse.quote(k, safe='~')}={urllib.parse.quote(v, safe='~')}"
        for k, v in urllib.parse.parse_qsl(url.query, keep_blank_values=True)))
    canonical = "\n".join([method, path, query, canonical_headers, signed, payload])
    scope = f"{date}/{region}/{service}/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    k = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={key_id}/{scope}, "
                                f"SignedHeaders={signed}, Signature={signature}")


def headers_lookup(headers: dict[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


class AuthzClient:
    """Ask iamconsole for decisions.

    `endpoint` is iamconsole's base URL (http://127.0.0.1:8000); the service authenticates with
    its own access key (its principal needs iamconsole:Authorize on
    arn:aws:iamconsole::<account>:service/<prefix>). Decisions for principals named by ARN are
    cached for `cache_ttl` seconds (0: never). Every failure (timeout, refused connection,
    an error answer) is a denial: the client fails closed.
    """

    def __init__(self, endpoint: str, access_key_id: str, secret_access_key: str, *,
                 session_token: str | None = None, region: str = "us-east-1",
                 timeout: float = 2.0, cache_ttl: float = 5.0, cache_size: int = 10_000):
        self.url = urllib.parse.urlsplit(endpoint.rstrip("/") + "/api/v1/authorize/")
        self._key, self._secret, self._token = access_key_id, secret_access_key, session_token
        self.region, self.timeout = region, timeout
        self.cache_ttl, self.cache_size = cache_ttl, cache_size
        self._cache: dict[str, tuple[float, Decision]] = {}
        self._local = threading.local()

    # --- transport -------------------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            cls = (http.client.HTTPSConnection if self.url.scheme == "https"
                   else http.client.HTTPConnection)
            conn = cls(self.url.netloc, timeout=self.timeout)
            self._local.conn = conn
        return conn

    def _post(self, payload: dict) -> dict:
        body = json.dumps(payload).encode()
        headers = {"content-type": "application/json"}
        _sign("POST", self.url, headers, body, self._key, self._secret, self._token,
              self.region, "iam")
        for attempt in (1, 2):  # a kept-alive connection the server closed: once more
            conn = self._connection()
            try:
                conn.request("POST", self.url.path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise AuthzError(f"iamconsole unreachable: {exc}") from None
                continue
            if response.status != 200:
                raise AuthzError(f"iamconsole answered {response.status}: {data[:300]!r}")
            return json.loads(data)
        raise AuthzError("unreachable")  # pragma: no cover

    # --- API -------------------------------------------------------------------------------

    def authorize(self, checks: list[dict]) -> list[Decision]:
        """Decide up to 100 checks; each a dict of the decision API (action, resource,
        principal_arn or request, context, explain). Fails closed."""
        now = time.monotonic()
        out: list[Decision | None] = [None] * len(checks)
        ask, keys = [], []
        for i, check in enumerate(checks):
            key = self._cache_key(check)
            hit = self._cache.get(key) if key else None
            if hit is not None and hit[0] > now:
                out[i] = hit[1]
            else:
                ask.append(i)
                keys.append(key)
        if ask:
            try:
                results = self._post({"checks": [checks[i] for i in ask]})["results"]
            except (AuthzError, ValueError, KeyError) as exc:
                results = None
                for i in ask:
                    out[i] = Decision.failed(str(exc))
            if results is not None:
                if len(self._cache) >= self.cache_size:
                    self._cache.clear()
                for i, key, data in zip(ask, keys, results, strict=True):
                    decision = Decision.of(data)
                    out[i] = decision
                    if key and decision.error is None:
                        self._cache[key] = (now + self.cache_ttl, decision)
        return [d if d is not None else Decision.failed("no answer") for d in out]

    def check(self, action: str, resource: str = "*", *, principal_arn: str | None = None,
              request: dict | None = None, context: dict | None = None,
              explain: bool = False) -> Decision:
        check: dict[str, Any] = {"action": action, "resource": resource, "explain": explain}
        if principal_arn is not None:
            check["principal_arn"] = principal_arn
        if request is not None:
            check["request"] = request
        if context:
            check["context"] = context
        return self.authorize([check])[0]

    def _cache_key(self, check: dict) -> str | None:
        # A signed request is new each time (its signature); only ARN checks are cached.
        if self.cache_ttl <= 0 or "principal_arn" not in check or check.get("explain"):
            return None
        return json.dumps([check.get("principal_arn"), check.get("action"),
                           check.get("resource"), check.get("context")], sort_keys=True)


def describe_wsgi_request(environ: dict, body: bytes) -> dict | None:
    """The decision API's description of a SigV4-signed WSGI request, or None if unsigned."""
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    if not authorization.startswith("AWS4-HMAC-SHA256"):
        return None
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        path = raw.split("?", 1)[0]
    else:
        path = urllib.parse.quote(
            (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
            .encode("latin-1").decode("utf-8", "replace"), safe="/~") or "/"
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_") and isinstance(value, str):
            headers[key[5:].replace("_", "-").lower()] = value
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            headers[key.replace("_", "-").lower()] = value
    described = {"method": environ.get("REQUEST_METHOD", "GET"), "path": path,
                 "query": environ.get("QUERY_STRING", ""), "headers": headers,
                 "payload_hash": hashlib.sha256(body).hexdigest()}
    if environ.get("REMOTE_ADDR"):
        described["source_ip"] = environ["REMOTE_ADDR"]
    described["secure_transport"] = environ.get("wsgi.url_scheme") == "https"
    return described
