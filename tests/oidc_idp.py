"""A small OpenID Connect identity provider for the tests: a threaded HTTPS server on 127.0.0.1
(its certificate, for `localhost`, issued by a CA made with `cryptography` for the test and
trusted through IAMCONSOLE_OIDC_CA_BUNDLE) serving a discovery document and a JWKS, and
issuing ID tokens signed with PyJWT: GitHub Actions-shaped and Kubernetes service-account-shaped
ones. Keys can be rotated and the key endpoint taken down (`outage`)."""

from __future__ import annotations

import datetime as dt
import json
import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
from cert_fixtures import Issued, issue, key_pem, new_key
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _server_certificate(ca: Issued) -> Issued:
    key = new_key()
    now = dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    certificate = (x509.CertificateBuilder().subject_name(name)
                   .issuer_name(ca.certificate.subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(minutes=5))
                   .not_valid_after(now + dt.timedelta(days=2))
                   .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]),
                                  critical=False)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                                  critical=True)
                   .sign(ca.key, hashes.SHA256()))
    return Issued(certificate, key)


@dataclass
class SigningKey:
    kid: str
    algorithm: str
    key: Any

    def jwk(self) -> dict:
        algorithm = jwt.get_algorithm_by_name(self.algorithm)
        data = json.loads(algorithm.to_jwk(self.key.public_key()))
        return {**data, "kid": self.kid, "use": "sig", "alg": self.algorithm}


@dataclass
class IdP:
    """The running provider: `issuer` (https://localhost:<port>), `token(...)`, `rotate()`."""

    ca_file: Path
    keys: list[SigningKey] = field(default_factory=list)
    outage: bool = False
    requests: list[str] = field(default_factory=list)
    issuer: str = ""
    server: ThreadingHTTPServer | None = None

    @property
    def host(self) -> str:
        return self.issuer.removeprefix("https://")

    @property
    def current(self) -> SigningKey:
        return self.keys[-1]

    def add_key(self, algorithm: str = "ES256") -> SigningKey:
        if algorithm == "ES384":
            key = ec.generate_private_key(ec.SECP384R1())
        else:
            key = new_key("rsa" if algorithm.startswith("RS") else "ec")
        signing = SigningKey(f"key-{uuid.uuid4().hex[:8]}", algorithm, key)
        self.keys.append(signing)
        return signing

    def rotate(self, algorithm: str = "ES256") -> SigningKey:
        """A new key replaces the old ones in the JWKS."""
        new = self.add_key(algorithm)
        self.keys[:] = [new]
        return new

    def sign(self, claims: dict, key: SigningKey | None = None, headers: dict | None = None
             ) -> str:
        key = key or self.current
        return jwt.encode(claims, key.key, algorithm=key.algorithm,
                          headers={"kid": key.kid, **(headers or {})})

    def claims(self, **overrides: Any) -> dict:
        now = int(time.time())
        return {"iss": self.issuer, "sub": "repo:org/repo:ref:refs/heads/main",
                "aud": "sts.amazonaws.com", "iat": now, "nbf": now - 5, "exp": now + 300,
                **overrides}

    def github_token(self, **overrides: Any) -> str:
        """A token shaped like GitHub Actions' (its claims, for a push to main)."""
        return self.sign(self.claims(**{
            "jti": uuid.uuid4().hex, "ref": "refs/heads/main", "sha": "a" * 40,
            "repository": "org/repo", "repository_owner": "org", "actor": "octocat",
            "workflow": "deploy", "event_name": "push", "ref_type": "branch",
            "job_workflow_ref": "org/repo/.github/workflows/deploy.yml@refs/heads/main",
            "runner_environment": "github-hosted", **overrides}))

    def kubernetes_token(self, namespace: str = "prod", service_account: str = "deployer",
                         **overrides: Any) -> str:
        """A token shaped like a Kubernetes projected service-account token (IRSA)."""
        return self.sign(self.claims(
            sub=f"system:serviceaccount:{namespace}:{service_account}", aud=["sts.amazonaws.com"],
            **{"kubernetes.io": {"namespace": namespace,
                                 "serviceaccount": {"name": service_account,
                                                    "uid": str(uuid.uuid4())}}},
            **overrides))

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def start_idp(tmp_path: Path) -> IdP:
    ca = issue("iamconsole test OIDC CA", ca=True, days=2)
    server_cert = _server_certificate(ca)
    ca_file = tmp_path / "oidc-ca.pem"
    ca_file.write_text(ca.pem)
    (tmp_path / "idp-cert.pem").write_text(server_cert.pem)
    (tmp_path / "idp-key.pem").write_text(key_pem(server_cert.key))
    idp = IdP(ca_file)
    idp.add_key()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            idp.requests.append(self.path)
            if self.path == "/.well-known/openid-configuration":
                body = {"issuer": idp.issuer, "jwks_uri": f"{idp.issuer}/keys",
                        "id_token_signing_alg_values_supported": ["ES256", "RS256"]}
            elif self.path == "/keys" and not idp.outage:
                body = {"keys": [k.jwk() for k in idp.keys]}
            else:
                self.send_error(503 if idp.outage else 404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "idp-cert.pem", tmp_path / "idp-key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    idp.server = server
    idp.issuer = f"https://localhost:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return idp
