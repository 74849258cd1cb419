"""Real key material for the credential tests, made with `cryptography`: RSA keys in ssh-rsa
and PEM form, self-signed X.509 certificates (importable as `from key_material import ...`)."""

from __future__ import annotations

import base64
import functools
import hashlib
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID


@functools.cache
def rsa_key(index: int = 0, bits: int = 2048) -> rsa.RSAPrivateKey:
    """The `index`th RSA key of `bits` bits (made once per test run)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ssh_public(key=None, comment: str = "dev@laptop") -> str:
    key = key or rsa_key()
    text = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                         serialization.PublicFormat.OpenSSH).decode()
    return f"{text} {comment}" if comment else text


def pem_public(key=None) -> str:
    key = key or rsa_key()
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def ed25519_ssh_public() -> str:
    return ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def md5_fingerprint(ssh_text: str) -> str:
    """What `ssh-keygen -l -E md5` prints for the key, without its "MD5:" prefix."""
    digest = hashlib.md5(base64.b64decode(ssh_text.split()[1])).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


def certificate(key=None, *, days: int = 365, start_days_ago: int = 1,
                common_name: str = "iamconsole test") -> str:
    """A self-signed PEM certificate of `key` (an RSA key by default)."""
    key = key or rsa_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = datetime.now(UTC) - timedelta(days=start_days_ago)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + timedelta(days=days))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def ec_certificate() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return certificate(key, common_name="ec")
