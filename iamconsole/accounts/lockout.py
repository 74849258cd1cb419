"""Lockout after repeated failed sign-in attempts, per user name and per client address.

Failure counters are `iamconsole.iam.counters` (Redis, or an atomic database row) and locks live
in Django's cache (Redis or the shared database cache table), so every instance of the console
sees the same counts, and concurrent failures are all counted. A counter covers a fixed window
from its first failure; reaching the threshold locks that name or address for a while. Password
failures and MFA-code failures are counted separately ("kind"), each with the same rules.

Counters are keyed by the attempted name whether or not such a user exists, so a lockout never
tells an attacker that a name is real. A success clears the user's counter but not the address's
(else one valid account would let an attacker reset the address counter between guesses).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from iamconsole.iam import clock, counters

PASSWORD = "password"
MFA = "mfa"


@dataclass(frozen=True)
class Limits:
    user_failures: int = 5  # failures per user name within `window` seconds
    address_failures: int = 20  # failures per client address (many users may share one)
    window: int = 15 * 60
    duration: int = 15 * 60  # how long a lock lasts


def limits() -> Limits:
    """Overridable with settings.IAMCONSOLE_LOCKOUT = {"user_failures": …, …}."""
    return Limits(**getattr(settings, "IAMCONSOLE_LOCKOUT", {}))


def _key(kind: str, scope: str, value: str) -> str:
    # Hashed: user names and addresses stay out of cache keys (and memcached's key rules).
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"iamconsole:lockout:{kind}:{scope}:{digest}"


def _subjects(user_name: str, address: str | None) -> list[tuple[str, str, int]]:
    lim = limits()
    subjects = [("user", user_name or "", lim.user_failures)]
    if address:
        subjects.append(("addr", address, lim.address_failures))
    return subjects


def locked_until(kind: str, user_name: str, address: str | None) -> float | None:
    """The epoch time the lock on this name or address ends, or None when neither is locked."""
    ends = [
        cache.get(_key(kind, f"lock-{scope}", value))
        for scope, value, _ in _subjects(user_name, address)
    ]
    ends = [end for end in ends if end is not None and end > clock.now().timestamp()]
    return max(ends) if ends else None


def register_failure(kind: str, user_name: str, address: str | None) -> bool:
    """Count one failure; returns True when it locked the name or the address just now."""
    lim = limits()
    locked = False
    for scope, value, threshold in _subjects(user_name, address):
        key = _key(kind, scope, value)
        if counters.increment(key, lim.window) >= threshold:
            until = clock.now().timestamp() + lim.duration
            cache.set(_key(kind, f"lock-{scope}", value), until, timeout=lim.duration)
            counters.reset(key)
            locked = True
    return locked


def register_success(kind: str, user_name: str) -> None:
    counters.reset(_key(kind, "user", user_name or ""))


def clear(kind: str, user_name: str, address: str | None = None) -> None:
    """Remove counters and locks (an administrator unlocking, or tests)."""
    for scope, value, _ in _subjects(user_name, address):
        counters.reset(_key(kind, scope, value))
        cache.delete(_key(kind, f"lock-{scope}", value))
