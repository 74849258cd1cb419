"""X.509 certificates and keys made with `cryptography` for the server-certificate tests: a
self-signed one, a leaf issued by an intermediate issued by a root (a CA chain), an expired one
and keys that match none of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class Issued:
    certificate: x509.Certificate
    key: object

    @property
    def pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def key_pem(self) -> str:
        return key_pem(self.key)

    @property
    def not_after(self) -> dt.datetime:
        return self.certificate.not_valid_after_utc


def key_pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def new_key(kind: str = "ec"):
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def issue(common_name: str, *, issuer: Issued | None = None, ca: bool = False,
          days: int = 365, expired: bool = False, key=None) -> Issued:
    """A certificate for `common_name`, signed by `issuer` (self-signed without one)."""
    key = key or new_key()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start, end = (now - dt.timedelta(days=30), now - dt.timedelta(days=1)) if expired else (
        now - dt.timedelta(minutes=5), now + dt.timedelta(days=days))
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (x509.CertificateBuilder().subject_name(subject)
               .issuer_name(issuer.certificate.subject if issuer else subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(end)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    certificate = builder.sign((issuer.key if issuer else key), hashes.SHA256())
    return Issued(certificate, key)


def ca_chain(common_name: str = "www.example.com") -> tuple[Issued, Issued, Issued]:
    """(leaf, intermediate, root): upload the leaf with the chain intermediate + root."""
    root = issue("Example Root CA", ca=True, days=3650)
    intermediate = issue("Example Intermediate CA", issuer=root, ca=True, days=1825)
    return issue(common_name, issuer=intermediate), intermediate, root
