"""Parsing and fingerprinting the public material users upload: SSH public keys
(UploadSSHPublicKey) and X.509 signing certificates (UploadSigningCertificate), with
`cryptography`, raising AWS's error codes for what AWS refuses."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .errors import (
    InvalidCertificate,
    InvalidPublicKey,
    MalformedCertificate,
    UnrecognizedPublicKeyEncoding,
    ValidationError,
)

MATERIAL_MAX = 16384  # publicKeyMaterialType, certificateBodyType
_MATERIAL = re.compile(r"^[\t\n\r\x20-\xff]+$")
SSH_MIN_BITS = 2048  # "The minimum bit-length of the public key is 2048 bits."
SSH, PEM = "SSH", "PEM"


@dataclass(frozen=True)
class SSHKey:
    encoding: str  # SSH (ssh-rsa ...) or PEM, as uploaded
    key: rsa.RSAPublicKey

    @property
    def openssh(self) -> str:
        """`ssh-rsa AAAA...` (no comment)."""
        return self.key.public_bytes(serialization.Encoding.OpenSSH,
                                     serialization.PublicFormat.OpenSSH).decode()

    @property
    def pem(self) -> str:
        return self.key.public_bytes(serialization.Encoding.PEM,
                                     serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    @property
    def fingerprint(self) -> str:
        """The MD5 of the key's SSH wire blob, colon-separated hex (RFC 4716 section 4, what
        `ssh-keygen -l -E md5` prints): the same for both encodings of one key."""
        blob = base64.b64decode(self.openssh.split()[1])
        digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
        return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def _material(value: object, field: str) -> str:
    """Key or certificate text as the IAM model allows it: 1 to 16384 characters of tab, line
    feed, carriage return and U+0020 to U+00FF."""
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{field} must not be empty.", field=field)
    if len(value) > MATERIAL_MAX:
        raise ValidationError(f"Value at '{field}' failed to satisfy constraint: Member must "
                              f"have length less than or equal to {MATERIAL_MAX}", field=field)
    if not _MATERIAL.match(value):
        raise ValidationError(f"Value at '{field}' failed to satisfy constraint: Member must "
                              r"satisfy regular expression pattern: [\u0009\u000A\u000D"
                              r"\u0020-\u00FF]+", field=field)
    return value.strip()


def parse_ssh_public_key(body: str) -> SSHKey:
    """An RSA public key of at least 2048 bits in ssh-rsa (OpenSSH) or PEM form."""
    text = _material(body, "ssh_public_key_body")
    if text.startswith("-----BEGIN"):
        encoding = PEM
        try:
            key = serialization.load_pem_public_key(text.encode("latin-1"))
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise InvalidPublicKey("The public key is malformed or otherwise invalid.",
                                   field="ssh_public_key_body") from exc
    elif text.split(" ", 1)[0] == "ssh-rsa":
        encoding = SSH
        try:
            key = serialization.load_ssh_public_key(text.encode("latin-1"))
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise InvalidPublicKey("The public key is malformed or otherwise invalid.",
                                   field="ssh_public_key_body") from exc
    else:
        raise UnrecognizedPublicKeyEncoding(
            "The public key encoding format is unsupported or unrecognized: it must be "
            "ssh-rsa (OpenSSH) or PEM.", field="ssh_public_key_body")
    if not isinstance(key, rsa.RSAPublicKey):
        raise UnrecognizedPublicKeyEncoding(
            "Only RSA public keys are supported (ssh-rsa or PEM).", field="ssh_public_key_body")
    if key.key_size < SSH_MIN_BITS:
        raise InvalidPublicKey(
            f"The public key must be at least {SSH_MIN_BITS} bits long (it has "
            f"{key.key_size}).", field="ssh_public_key_body")
    return SSHKey(encoding, key)


@dataclass(frozen=True)
class Certificate:
    certificate: x509.Certificate

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the DER form: one certificate however its PEM is wrapped."""
        return hashlib.sha256(
            self.certificate.public_bytes(serialization.Encoding.DER)).hexdigest()


def parse_signing_certificate(body: str, now: datetime) -> Certificate:
    """One PEM-encoded X.509 certificate, valid at `now`, with an RSA key (AWS's signing
    certificates sign requests with RSA)."""
    text = _material(body, "certificate_body")
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise MalformedCertificate("Unable to parse certificate. Please ensure the certificate "
                                   "is in PEM format.", field="certificate_body")
    try:
        certificates = x509.load_pem_x509_certificates(text.encode("latin-1"))
    except ValueError as exc:
        raise MalformedCertificate("Unable to parse certificate. Please ensure the certificate "
                                   "is in PEM format.", field="certificate_body") from exc
    if len(certificates) != 1:
        raise MalformedCertificate("The body must hold exactly one certificate.",
                                   field="certificate_body")
    certificate = certificates[0]
    if certificate.not_valid_after_utc < now:
        raise MalformedCertificate("The certificate has expired.", field="certificate_body")
    if certificate.not_valid_before_utc > now:
        raise MalformedCertificate("The certificate is not yet valid.",
                                   field="certificate_body")
    try:
        key = certificate.public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise InvalidCertificate("The certificate's public key cannot be read.",
                                 field="certificate_body") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidCertificate("The certificate's public key must be an RSA key.",
                                 field="certificate_body")
    return Certificate(certificate)
