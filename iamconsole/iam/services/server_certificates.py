"""Server certificates: UploadServerCertificate, GetServerCertificate, ListServerCertificates,
UpdateServerCertificate (a new name and/or path), DeleteServerCertificate and the certificate's
tags.

The certificate body and chain are PEM X.509 certificates (parsed with `cryptography`); the
private key must be the certificate's. The private key is kept encrypted at rest (`iam.crypto`)
and is never answered by any door nor written to the audit log. At most
`MAX_SERVER_CERTIFICATES` per account (AWS's ServerCertificatesPerAccount quota).
"""

from __future__ import annotations

import datetime as dt
import re

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from django.db.models import QuerySet

from .. import audit, authz, crypto, kinds
from ..caller import Caller
from ..errors import (
    EntityAlreadyExists,
    KeyPairMismatch,
    LimitExceeded,
    MalformedCertificate,
    NoSuchEntity,
    ValidationError,
)
from ..models import ServerCertificate
from . import _entity
from ._common import (
    bump,
    check_revision,
    normalize_tags,
    operation,
    tag_context,
    validate_name,
    validate_path,
)
from .lookup import authorize_missing

KIND = kinds.SERVER_CERTIFICATE
MAX_SERVER_CERTIFICATES = 20
BODY_MAX, KEY_MAX, CHAIN_MAX = 16384, 16384, 2097152  # botocore's length limits

_PEM_CERT = re.compile(
    r"-----BEGIN CERTIFICATE-----\s*[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----")
_BAD_BODY = "Unable to parse certificate. Please ensure the certificate is in PEM format."
_BAD_KEY = "Unable to parse private key. Please ensure the private key is in PEM format."
_MISMATCH = ("The request was rejected because the public key certificate and the private key "
             "do not match.")


def _bad_chain(index: int) -> MalformedCertificate:
    return MalformedCertificate(
        "Unable to validate certificate chain. The certificate chain must start with the "
        "immediate signing certificate, followed by any intermediaries in order. The index "
        f"within the chain of the invalid certificate is: {index}")


def _text(value, field: str, limit: int, required: bool = True) -> str:
    if value is None or value == "":
        if required:
            raise ValidationError(f"{field} must not be empty.", field=field)
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string.", field=field)
    if len(value) > limit:
        raise ValidationError(f"Value at '{field}' failed to satisfy constraint: Member must "
                              f"have length less than or equal to {limit}", field=field)
    return value


def _certificate(pem: str) -> x509.Certificate:
    """One PEM X.509 certificate (MalformedCertificate otherwise)."""
    found = _PEM_CERT.findall(pem)
    if len(found) != 1 or pem.strip() != found[0].strip():
        raise MalformedCertificate(_BAD_BODY)
    try:
        return x509.load_pem_x509_certificate(found[0].encode())
    except ValueError:
        raise MalformedCertificate(_BAD_BODY) from None


def _chain(pem: str) -> list[x509.Certificate]:
    """The chain's certificates, in order; a block that does not parse (or text that is no
    certificate) is MalformedCertificate with its index, as AWS tells it."""
    blocks = _PEM_CERT.findall(pem)
    if not blocks or _PEM_CERT.sub("", pem).strip():
        raise _bad_chain(-1)
    chain = []
    for index, block in enumerate(blocks):
        try:
            chain.append(x509.load_pem_x509_certificate(block.encode()))
        except ValueError:
            raise _bad_chain(index) from None
    return chain


def _check_chain(leaf: x509.Certificate, chain: list[x509.Certificate]) -> None:
    """Each certificate of the chain must have signed the one before it (the leaf first)."""
    child = leaf
    for index, issuer in enumerate(chain):
        try:
            child.verify_directly_issued_by(issuer)
        except (InvalidSignature, ValueError, TypeError):  # not its issuer, unsupported key
            raise _bad_chain(index) from None
        child = issuer


def _private_key(pem: str):
    try:
        return serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):  # malformed, encrypted, unsupported
        raise MalformedCertificate(_BAD_KEY) from None


def _spki(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def _not_after(certificate: x509.Certificate) -> dt.datetime:
    return certificate.not_valid_after_utc


def private_key_of(certificate: ServerCertificate) -> str:
    """The certificate's PEM private key, decrypted: for the services that deploy it, never for
    a door's answer."""
    return crypto.decrypt(certificate.private_key_encrypted)


def server_certificate_summary(certificate: ServerCertificate) -> dict:
    """What the audit log keeps of a certificate: its metadata and tags, never its key."""
    return {**_entity.summary(KIND, certificate),
            "UploadDate": certificate.created_at.isoformat(),
            "Expiration": certificate.expiration.isoformat(), "Tags": dict(certificate.tags)}


def find_server_certificate(name: str, caller: Caller | None = None,
                            action: str | None = None) -> ServerCertificate:
    """The server certificate `name` (any case); with `caller` and `action` a missing one is
    authorized first (lookup.authorize_missing): no existence oracle."""
    try:
        return ServerCertificate.objects.get(name__ci=name)
    except ServerCertificate.DoesNotExist:
        authorize_missing(caller, action, KIND.arn(name))
        raise NoSuchEntity(f"The Server Certificate with name {name} cannot be found.") \
            from None


@operation
def upload_server_certificate(caller: Caller, server_certificate_name: str,
                              certificate_body: str, private_key: str, *,
                              certificate_chain: str | None = None, path: str | None = "/",
                              tags=None) -> ServerCertificate:
    validate_name(server_certificate_name, KIND.key, "server_certificate_name")
    path = validate_path(path)
    body = _text(certificate_body, "certificate_body", BODY_MAX)
    key_text = _text(private_key, "private_key", KEY_MAX)
    chain_text = _text(certificate_chain, "certificate_chain", CHAIN_MAX, required=False)
    tag_map = normalize_tags(tags)
    arn = KIND.arn(server_certificate_name, path)
    context = tag_context(tag_map) if tag_map else None
    authz.check(caller, "iam:UploadServerCertificate", arn, context)
    if tag_map:
        authz.check(caller, "iam:TagServerCertificate", arn, context)
    certificate = _certificate(body)
    key = _private_key(key_text)
    if _spki(key.public_key()) != _spki(certificate.public_key()):
        raise KeyPairMismatch(_MISMATCH)
    if chain_text:
        _check_chain(certificate, _chain(chain_text))
    # Serialized with the other uploads of the account: the quota and the name are checked
    # against committed rows.
    list(ServerCertificate.objects.select_for_update().values_list("pk", flat=True))
    if ServerCertificate.objects.filter(name__ci=server_certificate_name).exists():
        raise EntityAlreadyExists(
            f"The Server Certificate with name {server_certificate_name} already exists.",
            field="server_certificate_name")
    if ServerCertificate.objects.count() >= MAX_SERVER_CERTIFICATES:
        raise LimitExceeded("Cannot exceed quota for ServerCertificatesPerAccount: "
                            f"{MAX_SERVER_CERTIFICATES}")
    stored = ServerCertificate.objects.create(
        name=server_certificate_name, path=path, certificate_body=body.strip(),
        certificate_chain=chain_text.strip(), private_key_encrypted=crypto.encrypt(key_text),
        expiration=_not_after(certificate), tags=tag_map)
    audit.record(caller, "iam:UploadServerCertificate", resource_type=KIND.key,
                 resource_name=stored.name, resource_arn=stored.arn,
                 new=server_certificate_summary(stored))
    return stored


def get_server_certificate(caller: Caller, server_certificate_name: str) -> ServerCertificate:
    certificate = find_server_certificate(server_certificate_name, caller,
                                          "iam:GetServerCertificate")
    authz.check(caller, "iam:GetServerCertificate", certificate.arn)
    return certificate


def list_server_certificates(caller: Caller, *, path_prefix: str | None = "/"
                             ) -> QuerySet[ServerCertificate]:
    return _entity.listing(caller, KIND, path_prefix).order_by("name")


@operation
def update_server_certificate(caller: Caller, server_certificate_name: str, *,
                              new_server_certificate_name: str | None = None,
                              new_path: str | None = None,
                              revision: int | None = None) -> ServerCertificate:
    """UpdateServerCertificate: a new name and/or path, authorized on the old and the new ARN
    (`revision`: the one the caller read, ConcurrentModification if it changed since)."""
    action = "iam:UpdateServerCertificate"
    certificate = find_server_certificate(server_certificate_name, caller, action)
    check_revision(certificate, revision)
    field = "new_server_certificate_name"
    name = validate_name(new_server_certificate_name, KIND.key, field) \
        if new_server_certificate_name else certificate.name
    path = validate_path(new_path, "new_path") if new_path else certificate.path
    authz.check(caller, action, certificate.arn)
    old = server_certificate_summary(certificate)
    taken = ServerCertificate.objects.filter(name__ci=name).exclude(pk=certificate.pk).exists()
    certificate.name, certificate.path = name, path
    authz.check(caller, action, certificate.arn)
    if taken:
        raise EntityAlreadyExists(f"The Server Certificate with name {name} already exists.",
                                  field=field)
    bump(certificate, "name", "path")
    audit.record(caller, action, resource_type=KIND.key, resource_name=certificate.name,
                 resource_arn=certificate.arn, old=old,
                 new=server_certificate_summary(certificate))
    return certificate


@operation
def delete_server_certificate(caller: Caller, server_certificate_name: str) -> None:
    certificate = find_server_certificate(server_certificate_name, caller,
                                          "iam:DeleteServerCertificate")
    authz.check(caller, "iam:DeleteServerCertificate", certificate.arn)
    old = server_certificate_summary(certificate)
    certificate.delete()
    audit.record(caller, "iam:DeleteServerCertificate", resource_type=KIND.key,
                 resource_name=old["ServerCertificateName"], resource_arn=old["Arn"], old=old)


tag_server_certificate, untag_server_certificate, list_server_certificate_tags = \
    _entity.tag_operations(KIND, find_server_certificate)
