"""Lockout after repeated failed sign-in attempts, per user name and per client address.

Failure counters are `iamconsole.iam.counters` (Redis, or an atomic database row) and locks live
in Django's cache (Redis or the shared database cache table), so every instance of the console
sees the same counts, and concurrent failures are all counted. A counter covers a fixed window
from its first failure; reaching the threshold locks that name or address for a while. Password
failures and MFA-code failures are counted separately ("kind"), each with the same rules.

Counters are keyed by the attempted name whether or not such a user exists, so a lockout never
tells an attacker that a name is real. A success clears the user's counter but not the address's
(else one valid account would let an attacker reset the address counter between guesses).

A lock on a name must not keep its owner out for as long as strangers keep guessing: each failure
is also counted per (name, address) pair, and a locked name can still be opened from an address
that caused none of its failures (and is not locked itself) with the right password *and* a valid
MFA code (`LockState.bypassable`; the flows demand the code). A name without an MFA device stays
locked: the dashboard warns first of all about a root user without MFA.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from . import clock, counters, tenancy

PASSWORD = "password"
MFA = "mfa"


@dataclass(frozen=True)
class Limits:
    user_failures: int = 5  # failures per user name within `window` seconds
    address_failures: int = 20  # failures per client address (many users may share one)
    window: int = 15 * 60
    duration: int = 15 * 60  # how long a lock lasts


def subject(user_name: str, account_id: str) -> str:
    """Lockouts count per account and user name (the default account's by name alone)."""
    return user_name if account_id == tenancy.default_account_id() \
        else f"{account_id}/{user_name}"


def limits() -> Limits:
    """Overridable with settings.IAMCONSOLE_LOCKOUT = {"user_failures": …, …}."""
    return Limits(**getattr(settings, "IAMCONSOLE_LOCKOUT", {}))


def _key(kind: str, scope: str, value: str) -> str:
    # Hashed: user names and addresses stay out of cache keys (and memcached's key rules).
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"iamconsole:lockout:{kind}:{scope}:{digest}"


@dataclass(frozen=True)
class LockState:
    """The locks that concern one attempt: on the name, on the address, and whether this address
    took part in the name's failures."""

    user_until: float | None = None
    address_until: float | None = None
    address_failed_name: bool = True

    @property
    def until(self) -> float | None:
        ends = [end for end in (self.user_until, self.address_until) if end is not None]
        return max(ends) if ends else None

    @property
    def locked(self) -> bool:
        return self.until is not None

    @property
    def bypassable(self) -> bool:
        """Only the name is locked, and not by this address: the right password with a valid
        MFA code may sign in."""
        return (self.user_until is not None and self.address_until is None
                and not self.address_failed_name)


def _pair(user_name: str, address: str) -> str:
    return f"{(user_name or '').strip().lower()}\n{address}"


def _subjects(user_name: str, address: str | None) -> list[tuple[str, str, int]]:
    lim = limits()
    subjects = [("user", user_name or "", lim.user_failures)]
    if address:
        subjects.append(("addr", address, lim.address_failures))
    return subjects


def state(kind: str, user_name: str, address: str | None) -> LockState:
    now = clock.now().timestamp()
    keys = {scope: _key(kind, f"lock-{scope}", value)
            for scope, value, _ in _subjects(user_name, address)}
    found = cache.get_many(list(keys.values()))
    ends = {scope: found.get(key) for scope, key in keys.items()}
    ends = {scope: end for scope, end in ends.items() if end is not None and end > now}
    # Without an address there is no telling who failed: as if this one had.
    failed_here = True
    if address and "user" in ends:
        failed_here = counters.value(_key(kind, "pair", _pair(user_name, address))) > 0
    return LockState(user_until=ends.get("user"), address_until=ends.get("addr"),
                     address_failed_name=failed_here)


def locked_until(kind: str, user_name: str, address: str | None) -> float | None:
    """The epoch time the lock on this name or address ends, or None when neither is locked."""
    return state(kind, user_name, address).until


def register_failure(kind: str, user_name: str, address: str | None) -> bool:
    """Count one failure; returns True when it locked the name or the address just now."""
    lim = limits()
    locked = False
    if address:  # outlives the lock this failure may cause: see LockState.bypassable
        counters.increment(_key(kind, "pair", _pair(user_name, address)),
                           lim.window + lim.duration)
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
    if address:
        counters.reset(_key(kind, "pair", _pair(user_name, address)))
