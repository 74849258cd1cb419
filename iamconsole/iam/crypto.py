"""Encryption at rest for stored secrets (TOTP seeds, access-key secrets).

Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`. Keys come from
`IAMCONSOLE_ENCRYPTION_KEYS` (newest first, so old ciphertexts still decrypt after rotation) or,
by default, are derived from SECRET_KEY with HKDF: the key is never stored beside the data.
"""

from __future__ import annotations

import base64
import functools
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _derive(secret: str) -> bytes:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"iamconsole", info=b"secrets-at-rest"
    ).derive(secret.encode())
    return base64.urlsafe_b64encode(key)


@functools.cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_derive(k)) for k in keys])


def _fernet() -> MultiFernet:
    keys = tuple(settings.IAMCONSOLE_ENCRYPTION_KEYS) or (settings.SECRET_KEY,)
    return _fernet_for(keys)


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("stored secret cannot be decrypted with the configured keys") from exc


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
