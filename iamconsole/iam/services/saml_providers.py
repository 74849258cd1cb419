"""SAML 2.0 identity providers: CreateSAMLProvider, GetSAMLProvider, ListSAMLProviders,
UpdateSAMLProvider, DeleteSAMLProvider and the provider's tags.

A provider is made from the IdP's metadata document (an md:EntityDescriptor with an
md:IDPSSODescriptor). The document is parsed with lxml with no DTD, no entity resolution and no
network (a document with a DOCTYPE is refused outright: no XXE, no entity expansion); what is
kept from it: the entityID (the `saml:iss` of its assertions), the X.509 certificates of its
signing KeyDescriptors (base64 DER; those are the only keys assertions are verified with) and
its validUntil (absent: one year after the newest certificate's notAfter would be a guess, so
the provider is valid until its last signing certificate expires, as AWS shows ValidUntil).

Private keys (AddPrivateKey, for encrypted assertions) are PEM keys kept encrypted at rest
(`iam.crypto`): at most two (botocore's privateKeyList), never answered nor audited.
Limits are botocore's: the document 1000..10000000 characters, names `[\\w._-]{1,128}`, and
AWS's quota of 100 SAML providers per account.
"""

from __future__ import annotations

import base64
import datetime as dt
import re

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.db.models import QuerySet
from django.utils import timezone
from lxml import etree

from .. import audit, authz, crypto, kinds
from .. import identifiers as ids
from ..caller import Caller
from ..errors import EntityAlreadyExists, InvalidInput, LimitExceeded, NoSuchEntity
from ..models import SAMLProvider
from . import _entity
from ._common import bump, check_revision, normalize_tags, operation, tag_context
from .lookup import authorize_missing

KIND = kinds.SAML_PROVIDER
MAX_SAML_PROVIDERS = 100
MAX_PRIVATE_KEYS = 2
DOCUMENT_MIN, DOCUMENT_MAX = 1000, 10_000_000
PRIVATE_KEY_MAX = 16384
ENCRYPTION_MODES = ("Required", "Allowed")
_NAME = re.compile(r"^[\w._-]{1,128}$", re.ASCII)
_KEY_ID = re.compile(r"^[A-Z0-9]{22,64}$")

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
_BAD_METADATA = "Could not parse metadata"


def safe_parser() -> etree.XMLParser:
    """An lxml parser that loads no DTD, resolves no entity and reaches no network."""
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True,
                           dtd_validation=False, huge_tree=False, remove_comments=False)


def parse_xml(text: str | bytes, error: type[Exception] = InvalidInput,
              message: str = _BAD_METADATA) -> etree._Element:
    """The document's root element; `error(message)` for malformed XML or any DOCTYPE
    (entities, external subsets: XXE and entity expansion are refused, not resolved)."""
    data = text.encode() if isinstance(text, str) else text
    try:
        tree = etree.fromstring(data, parser=safe_parser()).getroottree()
    except (etree.XMLSyntaxError, ValueError):
        raise error(message) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise error(message)
    for element in tree.iter():
        if isinstance(element, etree._Entity):
            raise error(message)
    return tree.getroot()


def _parse_datetime(value: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def parse_metadata(document) -> dict:
    """{entity_id, signing_certificates (base64 DER), valid_until} of an IdP metadata document
    (InvalidInput when it is no such document)."""
    if not isinstance(document, str) or not document.strip():
        raise InvalidInput("SAMLMetadataDocument must not be empty.",
                           field="saml_metadata_document")
    if len(document) < DOCUMENT_MIN or len(document) > DOCUMENT_MAX:
        raise InvalidInput(
            "Value at 'SAMLMetadataDocument' failed to satisfy constraint: Member must have "
            f"length between {DOCUMENT_MIN} and {DOCUMENT_MAX}", field="saml_metadata_document")
    root = parse_xml(document)
    if root.tag != f"{{{MD}}}EntityDescriptor" or not root.get("entityID"):
        raise InvalidInput(_BAD_METADATA, field="saml_metadata_document")
    idp = root.find(f"{{{MD}}}IDPSSODescriptor")
    if idp is None:
        raise InvalidInput(_BAD_METADATA + ": no IDPSSODescriptor",
                           field="saml_metadata_document")
    certificates, not_after = [], []
    for descriptor in idp.findall(f"{{{MD}}}KeyDescriptor"):
        if descriptor.get("use", "signing") != "signing":
            continue
        for element in descriptor.iterfind(f".//{{{DS}}}X509Certificate"):
            text = "".join((element.text or "").split())
            try:
                certificate = x509.load_der_x509_certificate(base64.b64decode(text,
                                                                              validate=True))
            except (ValueError, TypeError):
                raise InvalidInput(_BAD_METADATA + ": a signing certificate does not parse",
                                   field="saml_metadata_document") from None
            certificates.append(text)
            not_after.append(certificate.not_valid_after_utc)
    if not certificates:
        raise InvalidInput(_BAD_METADATA + ": no signing certificate",
                           field="saml_metadata_document")
    valid_until = root.get("validUntil") or idp.get("validUntil")
    try:
        until = _parse_datetime(valid_until) if valid_until else max(not_after)
    except ValueError:
        raise InvalidInput(_BAD_METADATA + ": validUntil is no date",
                           field="saml_metadata_document") from None
    return {"entity_id": root.get("entityID"), "signing_certificates": certificates,
            "valid_until": until}


def signing_certificates_pem(provider: SAMLProvider) -> list[str]:
    """The provider's signing certificates as PEM (what assertions are verified with)."""
    return ["-----BEGIN CERTIFICATE-----\n" + "\n".join(b64[i:i + 64] for i in
                                                        range(0, len(b64), 64))
            + "\n-----END CERTIFICATE-----\n" for b64 in provider.signing_certificates]


def private_keys_pem(provider: SAMLProvider) -> list[str]:
    """The provider's PEM private keys, decrypted: for decrypting assertions, never answered."""
    return [crypto.decrypt(key["Encrypted"]) for key in provider.private_keys]


def _check_name(name) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidInput(
            "Value at 'name' failed to satisfy constraint: Member must satisfy regular "
            "expression pattern: [\\w._-]+ and have length between 1 and 128", field="name")
    return name


def _check_mode(mode) -> str | None:
    if mode in (None, ""):
        return None
    if mode not in ENCRYPTION_MODES:
        raise InvalidInput("Value at 'assertionEncryptionMode' failed to satisfy constraint: "
                           "Member must satisfy enum value set: [Required, Allowed]",
                           field="assertion_encryption_mode")
    return mode


def _new_private_key(pem) -> dict:
    if not isinstance(pem, str) or not pem.strip() or len(pem) > PRIVATE_KEY_MAX:
        raise InvalidInput("AddPrivateKey must be a PEM private key of at most 16384 "
                           "characters.", field="add_private_key")
    try:
        serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        raise InvalidInput("Unable to parse private key. Please ensure the private key is in "
                           "PEM format.", field="add_private_key") from None
    return {"KeyId": ids.new_saml_provider_uuid(), "Timestamp": timezone.now().isoformat(),
            "Encrypted": crypto.encrypt(pem)}


def _check_keys(provider: SAMLProvider) -> None:
    if len(provider.private_keys) > MAX_PRIVATE_KEYS:
        raise LimitExceeded(f"Cannot exceed quota for PrivateKeysPerSAMLProvider: "
                            f"{MAX_PRIVATE_KEYS}")
    if provider.assertion_encryption_mode == "Required" and not provider.private_keys:
        raise InvalidInput("AssertionEncryptionMode Required needs a private key "
                           "(AddPrivateKey).", field="assertion_encryption_mode")


def saml_provider_summary(provider: SAMLProvider) -> dict:
    """What the audit log keeps of a provider: never its private keys (their ids only)."""
    return {"Name": provider.name, "Arn": provider.arn,
            "SAMLProviderUUID": provider.saml_provider_uuid, "EntityId": provider.entity_id,
            "ValidUntil": provider.valid_until.isoformat(),
            "AssertionEncryptionMode": provider.assertion_encryption_mode or None,
            "PrivateKeyIds": [key["KeyId"] for key in provider.private_keys],
            "Tags": dict(provider.tags)}


def saml_private_key_list(provider: SAMLProvider) -> list[dict]:
    """AWS's PrivateKeyList: KeyId and Timestamp of each key."""
    return [{"KeyId": key["KeyId"], "Timestamp": _parse_datetime(key["Timestamp"])}
            for key in provider.private_keys]


def _name_of(ref) -> str:
    """The provider name of `ref`: its ARN (what the Query API passes), or its name (the REST
    API's and the console's URLs name it)."""
    if not isinstance(ref, str) or not ref:
        raise InvalidInput("SAMLProviderArn must not be empty.", field="saml_provider_arn")
    if not ref.startswith("arn:"):
        return _check_name(ref)
    parsed = KIND.parse_arn(ref)
    if parsed is None or parsed.path != "/" or not parsed.name:
        raise InvalidInput(f"Invalid SAML provider ARN: {ref}", field="saml_provider_arn")
    return parsed.name


def find_saml_provider(arn: str, caller: Caller | None = None,
                       action: str | None = None) -> SAMLProvider:
    """The SAML provider of ARN `arn` (or named `arn`; its name in any case); with `caller`
    and `action` a missing one is authorized first (lookup.authorize_missing): no existence
    oracle."""
    name = _name_of(arn)
    try:
        return SAMLProvider.objects.get(name__ci=name)
    except SAMLProvider.DoesNotExist:
        authorize_missing(caller, action, KIND.arn(name))
        raise NoSuchEntity(f"Manifest not found for arn {arn}") from None


@operation
def create_saml_provider(caller: Caller, name: str, saml_metadata_document: str, *,
                         tags=None, assertion_encryption_mode: str | None = None,
                         add_private_key: str | None = None) -> SAMLProvider:
    _check_name(name)
    tag_map = normalize_tags(tags)
    mode = _check_mode(assertion_encryption_mode)
    arn = KIND.arn(name)
    context = tag_context(tag_map) if tag_map else None
    authz.check(caller, "iam:CreateSAMLProvider", arn, context)
    if tag_map:
        authz.check(caller, "iam:TagSAMLProvider", arn, context)
    metadata = parse_metadata(saml_metadata_document)
    keys = [_new_private_key(add_private_key)] if add_private_key else []
    list(SAMLProvider.objects.select_for_update().values_list("pk", flat=True))
    if SAMLProvider.objects.filter(name__ci=name).exists():
        raise EntityAlreadyExists(f"SAMLProvider {name} already exists", field="name")
    if SAMLProvider.objects.count() >= MAX_SAML_PROVIDERS:
        raise LimitExceeded("Cannot exceed quota for SAMLProvidersPerAccount: "
                            f"{MAX_SAML_PROVIDERS}")
    provider = SAMLProvider(name=name, metadata_document=saml_metadata_document,
                            assertion_encryption_mode=mode or "", private_keys=keys,
                            tags=tag_map, **metadata)
    _check_keys(provider)
    provider.save()
    audit.record(caller, "iam:CreateSAMLProvider", resource_type=KIND.key,
                 resource_name=provider.name, resource_arn=provider.arn,
                 new=saml_provider_summary(provider))
    return provider


def get_saml_provider(caller: Caller, saml_provider_arn: str) -> SAMLProvider:
    provider = find_saml_provider(saml_provider_arn, caller, "iam:GetSAMLProvider")
    authz.check(caller, "iam:GetSAMLProvider", provider.arn)
    return provider


def list_saml_providers(caller: Caller, *, path_prefix: str | None = None
                        ) -> QuerySet[SAMLProvider]:
    """ListSAMLProviders (no path: `path_prefix` is accepted for the generic views, unused)."""
    authz.check(caller, "iam:ListSAMLProviders", KIND.arn("*"))
    return SAMLProvider.objects.order_by("name")


@operation
def update_saml_provider(caller: Caller, saml_provider_arn: str, *,
                         saml_metadata_document: str | None = None,
                         assertion_encryption_mode: str | None = None,
                         add_private_key: str | None = None,
                         remove_private_key: str | None = None,
                         revision: int | None = None) -> SAMLProvider:
    """UpdateSAMLProvider: a new metadata document, encryption mode, key added and/or key
    removed (at least one of them; `revision`: the one the caller read)."""
    action = "iam:UpdateSAMLProvider"
    provider = find_saml_provider(saml_provider_arn, caller, action)
    check_revision(provider, revision)
    mode = _check_mode(assertion_encryption_mode)
    if remove_private_key is not None and (not isinstance(remove_private_key, str)
                                           or not _KEY_ID.match(remove_private_key)):
        raise InvalidInput("Value at 'removePrivateKey' failed to satisfy constraint: Member "
                           "must satisfy regular expression pattern: [A-Z0-9]+ and have "
                           "length between 22 and 64", field="remove_private_key")
    authz.check(caller, action, provider.arn)
    if not any((saml_metadata_document, mode, add_private_key, remove_private_key)):
        raise InvalidInput("Nothing to update: give SAMLMetadataDocument, "
                           "AssertionEncryptionMode, AddPrivateKey or RemovePrivateKey.")
    old = saml_provider_summary(provider)
    fields = []
    if saml_metadata_document:
        for field, value in parse_metadata(saml_metadata_document).items():
            setattr(provider, field, value)
        provider.metadata_document = saml_metadata_document
        fields += ["metadata_document", "entity_id", "signing_certificates", "valid_until"]
    if remove_private_key:
        kept = [k for k in provider.private_keys if k["KeyId"] != remove_private_key]
        if len(kept) == len(provider.private_keys):
            raise NoSuchEntity(f"The private key {remove_private_key} cannot be found.")
        provider.private_keys = kept
        fields.append("private_keys")
    if add_private_key:
        provider.private_keys = [*provider.private_keys, _new_private_key(add_private_key)]
        fields.append("private_keys")
    if mode:
        provider.assertion_encryption_mode = mode
        fields.append("assertion_encryption_mode")
    _check_keys(provider)
    bump(provider, *dict.fromkeys(fields))
    audit.record(caller, action, resource_type=KIND.key, resource_name=provider.name,
                 resource_arn=provider.arn, old=old, new=saml_provider_summary(provider))
    return provider


@operation
def delete_saml_provider(caller: Caller, saml_provider_arn: str) -> None:
    provider = find_saml_provider(saml_provider_arn, caller, "iam:DeleteSAMLProvider")
    authz.check(caller, "iam:DeleteSAMLProvider", provider.arn)
    old = saml_provider_summary(provider)
    provider.delete()
    audit.record(caller, "iam:DeleteSAMLProvider", resource_type=KIND.key,
                 resource_name=old["Name"], resource_arn=old["Arn"], old=old)


tag_saml_provider, untag_saml_provider, list_saml_provider_tags = \
    _entity.tag_operations(KIND, find_saml_provider)
