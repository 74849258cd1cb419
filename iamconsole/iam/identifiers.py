"""AWS identifier formats: unique ids, ARNs, names and paths ("IAM identifiers")."""

from __future__ import annotations

import base64
import re
import secrets

_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

# The name patterns and lengths of the IAM API model (botocore's service-2.json).
NAME_PATTERN = re.compile(r"^[\w+=,.@-]+$", re.ASCII)  # Java \w: ASCII only
PATH_PATTERN = re.compile(r"^(/|/[\x21-\x7e]+/)$")
NAME_MAX = {"user": 64, "group": 128, "role": 64, "policy": 128, "mfa": 226, "inline": 128,
            "instance_profile": 128, "server_certificate": 128,
            "oidc_provider": 255, "saml_provider": 128}


def new_unique_id(prefix: str) -> str:
    """A 21-character unique id such as AIDA… (user), AGPA… (group), AROA… (role)."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(17))


def new_access_key_id(prefix: str = "AKIA") -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


def new_certificate_id() -> str:
    """A signing certificate's id: 32 characters of the id alphabet (AWS's are 24 to 128)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(32))


def new_service_password() -> str:
    """A generated service-specific password: 44 characters, as AWS's (32 random bytes)."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def new_secret_access_key() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


def new_user_id() -> str:
    return new_unique_id("AIDA")


def new_group_id() -> str:
    return new_unique_id("AGPA")


def new_role_id() -> str:
    return new_unique_id("AROA")


def new_policy_id() -> str:
    return new_unique_id("ANPA")


def new_instance_profile_id() -> str:
    return new_unique_id("AIPA")


def new_server_certificate_id() -> str:
    return new_unique_id("ASCA")


def new_saml_provider_uuid() -> str:
    """A SAML provider's SAMLProviderUUID (and its private keys' KeyId): 32 of [A-Z0-9]."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(32))


def account_id() -> str:
    """The account the current request acts in (`iamconsole.iam.tenancy`)."""
    from .tenancy import current

    return current()

