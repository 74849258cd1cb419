"""OpenID Connect identity providers: CreateOpenIDConnectProvider, GetOpenIDConnectProvider,
ListOpenIDConnectProviders, DeleteOpenIDConnectProvider, UpdateOpenIDConnectProviderThumbprint,
Add/RemoveClientIDTo/FromOpenIDConnectProvider and the provider's tags.

A provider is named by its URL (https only, no query, fragment or user info); its ARN is
`arn:aws:iam::<account>:oidc-provider/<url without https://>`. The Query API and the other
operations name it by that ARN. Limits as AWS's: at most 100 client ids of 1..255 characters,
at most 5 thumbprints of 40 hex digits, 100 providers per account. AssumeRoleWithWebIdentity
(`iam.web_identity`) accepts the ID tokens the provider signs.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.db.models import QuerySet

from .. import audit, authz, kinds
from .. import identifiers as ids
from ..caller import Caller
from ..errors import EntityAlreadyExists, InvalidInput, LimitExceeded, NoSuchEntity
from ..models import OpenIDConnectProvider
from . import _entity
from ._common import bump, normalize_tags, operation, tag_context

KIND = kinds.OIDC_PROVIDER
MAX_PROVIDERS = 100  # AWS's OpenIdConnectProvidersPerAccount quota
MAX_CLIENT_IDS = 100
MAX_THUMBPRINTS = 5
URL_MAX = CLIENT_ID_MAX = 255
_THUMBPRINT = re.compile(r"^[0-9a-fA-F]{40}$")
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$")


def provider_key(url: str) -> str:
    """The provider's name (its ARN's resource): the URL without https:// and without a
    trailing slash; InvalidInput for a URL AWS refuses."""
    if not isinstance(url, str) or not url or len(url) > URL_MAX:
        raise InvalidInput(f"Url must be 1 to {URL_MAX} characters.", field="url")
    if not url.lower().startswith("https://"):
        raise InvalidInput("The URL must begin with https://.", field="url")
    parts = urlsplit(url)
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise InvalidInput("The URL must not contain a query or a fragment.", field="url")
    if "@" in parts.netloc or not _HOST.match(parts.netloc or ""):
        raise InvalidInput(f"Invalid OpenID Connect provider URL: {url}", field="url")
    if any(c.isspace() or not c.isprintable() for c in url):
        raise InvalidInput(f"Invalid OpenID Connect provider URL: {url}", field="url")
    return (parts.netloc.lower() + parts.path).rstrip("/")


_ARN = re.compile(r"^arn:aws:iam::([0-9]{12}):oidc-provider/(.+)$")


def _key_of(reference: str) -> tuple[str, bool]:
    """A provider's name from its ARN (as the Query API names it) or from its URL, and
    whether it names this account's."""
    if isinstance(reference, str) and reference.startswith("arn:"):
        found = _ARN.match(reference)
        if found is None:
            raise InvalidInput(f"Invalid OpenIDConnectProviderArn: {reference}",
                               field="open_id_connect_provider_arn")
        return found.group(2), found.group(1) == ids.account_id()
    return provider_key(reference), True


def _client_ids(values, current: list[str] | None = None) -> list[str]:
    result = list(current or [])
    for value in values or []:
        if not isinstance(value, str) or not 1 <= len(value) <= CLIENT_ID_MAX:
            raise InvalidInput(f"A client ID must be 1 to {CLIENT_ID_MAX} characters.",
                               field="client_id_list")
        if value not in result:
            result.append(value)
    if len(result) > MAX_CLIENT_IDS:
        raise LimitExceeded(f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: "
                            f"{MAX_CLIENT_IDS}")
    return result


def _thumbprints(values) -> list[str]:
    result: list[str] = []
    for value in values or []:
        if not isinstance(value, str) or not _THUMBPRINT.match(value):
            raise InvalidInput("A thumbprint must be 40 hexadecimal characters (the SHA-1 of "
                               "a certificate).", field="thumbprint_list")
        if value.lower() not in result:
            result.append(value.lower())
    if len(result) > MAX_THUMBPRINTS:
        raise InvalidInput(f"Thumbprint list must contain at most {MAX_THUMBPRINTS} "
                           "thumbprints.", field="thumbprint_list")
    return result


def open_id_connect_provider_summary(provider: OpenIDConnectProvider) -> dict:
    """What the audit log keeps of a provider."""
    return {"Url": provider.url, "Arn": provider.arn, "ClientIDList": list(provider.client_ids),
            "ThumbprintList": list(provider.thumbprints), "Tags": dict(provider.tags)}


def find_open_id_connect_provider(reference: str, caller: Caller | None = None,
                                  action: str | None = None) -> OpenIDConnectProvider:
    """The provider named by its ARN or URL; with `caller` and `action` a missing one is
    authorized first (lookup.authorize_missing): no existence oracle."""
    key, local = _key_of(reference)
    try:
        if not local:
            raise OpenIDConnectProvider.DoesNotExist
        return OpenIDConnectProvider.objects.get(name__ci=key)
    except OpenIDConnectProvider.DoesNotExist:
        arn = reference if not local else KIND.arn(key)
        if caller is not None and action:
            authz.check(caller, action, arn)
        raise NoSuchEntity(f"OpenIDConnect Provider not found for arn {arn}") from None


@operation
def create_open_id_connect_provider(caller: Caller, url: str, *, client_id_list=None,
                                    thumbprint_list=None, tags=None) -> OpenIDConnectProvider:
    key = provider_key(url)
    clients = _client_ids(client_id_list)
    thumbprints = _thumbprints(thumbprint_list)
    tag_map = normalize_tags(tags)
    arn = KIND.arn(key)
    context = tag_context(tag_map) if tag_map else None
    authz.check(caller, "iam:CreateOpenIDConnectProvider", arn, context)
    if tag_map:
        authz.check(caller, "iam:TagOpenIDConnectProvider", arn, context)
    list(OpenIDConnectProvider.objects.select_for_update().values_list("pk", flat=True))
    if OpenIDConnectProvider.objects.filter(name__ci=key).exists():
        raise EntityAlreadyExists(f"Provider with url https://{key} already exists.",
                                  field="url")
    if OpenIDConnectProvider.objects.count() >= MAX_PROVIDERS:
        raise LimitExceeded("Cannot exceed quota for OpenIdConnectProvidersPerAccount: "
                            f"{MAX_PROVIDERS}")
    provider = OpenIDConnectProvider.objects.create(name=key, client_ids=clients,
                                                    thumbprints=thumbprints, tags=tag_map)
    audit.record(caller, "iam:CreateOpenIDConnectProvider", resource_type=KIND.key,
                 resource_name=provider.name, resource_arn=provider.arn,
                 new=open_id_connect_provider_summary(provider))
    return provider


def get_open_id_connect_provider(caller: Caller, reference: str) -> OpenIDConnectProvider:
    action = "iam:GetOpenIDConnectProvider"
    provider = find_open_id_connect_provider(reference, caller, action)
    authz.check(caller, action, provider.arn)
    return provider


def list_open_id_connect_providers(caller: Caller, *, path_prefix: str | None = None
                                   ) -> QuerySet[OpenIDConnectProvider]:
    """ListOpenIDConnectProviders (providers have no path: `path_prefix` is accepted for the
    generic doors and ignored)."""
    authz.check(caller, "iam:ListOpenIDConnectProviders", KIND.arn("*"))
    return OpenIDConnectProvider.objects.order_by("name")


def _change(caller: Caller, reference: str, action: str, apply) -> OpenIDConnectProvider:
    provider = find_open_id_connect_provider(reference, caller, action)
    authz.check(caller, action, provider.arn)
    old = open_id_connect_provider_summary(provider)
    fields = apply(provider)
    bump(provider, *fields)
    audit.record(caller, action, resource_type=KIND.key, resource_name=provider.name,
                 resource_arn=provider.arn, old=old,
                 new=open_id_connect_provider_summary(provider))
    return provider


@operation
def update_open_id_connect_provider_thumbprint(caller: Caller, reference: str,
                                               thumbprint_list) -> OpenIDConnectProvider:
    thumbprints = _thumbprints(thumbprint_list)

    def apply(provider):
        provider.thumbprints = thumbprints
        return ("thumbprints",)

    return _change(caller, reference, "iam:UpdateOpenIDConnectProviderThumbprint", apply)


@operation
def add_client_id_to_open_id_connect_provider(caller: Caller, reference: str,
                                              client_id: str) -> OpenIDConnectProvider:
    def apply(provider):
        provider.client_ids = _client_ids([client_id], provider.client_ids)
        return ("client_ids",)

    _client_ids([client_id])  # a malformed id is refused before authorization
    return _change(caller, reference, "iam:AddClientIDToOpenIDConnectProvider", apply)


@operation
def remove_client_id_from_open_id_connect_provider(caller: Caller, reference: str,
                                                   client_id: str) -> OpenIDConnectProvider:
    """Removing a client id the provider does not have succeeds, as AWS's does."""
    _client_ids([client_id])

    def apply(provider):
        provider.client_ids = [c for c in provider.client_ids if c != client_id]
        return ("client_ids",)

    return _change(caller, reference, "iam:RemoveClientIDFromOpenIDConnectProvider", apply)


@operation
def delete_open_id_connect_provider(caller: Caller, reference: str) -> None:
    action = "iam:DeleteOpenIDConnectProvider"
    provider = find_open_id_connect_provider(reference, caller, action)
    authz.check(caller, action, provider.arn)
    old = open_id_connect_provider_summary(provider)
    provider.delete()
    audit.record(caller, action, resource_type=KIND.key, resource_name=old["Url"][8:],
                 resource_arn=old["Arn"], old=old)


tag_open_id_connect_provider, untag_open_id_connect_provider, \
    list_open_id_connect_provider_tags = _entity.tag_operations(KIND, find_open_id_connect_provider)
