"""A flood of sign-in attempts must not buy argon2 time: attempts are limited per client address
before any password is hashed (429 with Retry-After), locked names are answered without hashing,
and unknown names cost the same hash as known ones.

The hasher is the real argon2 hasher, counted: a subclass keeping its algorithm name (so the
users' stored hashes verify with it) that counts each hash it computes."""

from __future__ import annotations

import pytest
from accounts_helpers import T0, page_text, sign_in, signed_in_user_id
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client
from personas import PASSWORD, make_user

from iamconsole.iam import lockout

pytestmark = pytest.mark.django_db


class CountingArgon2Hasher(Argon2PasswordHasher):
    hashes = 0

    def encode(self, password, salt):
        CountingArgon2Hasher.hashes += 1
        return super().encode(password, salt)

    def verify(self, password, encoded):
        CountingArgon2Hasher.hashes += 1
        return super().verify(password, encoded)


@pytest.fixture
def counted(settings, time_machine):
    time_machine.move_to(T0, tick=False)
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingArgon2Hasher"]
    settings.SIGNIN_RATE_LIMIT = "3/minute"
    make_user("alice")
    CountingArgon2Hasher.hashes = 0
    return CountingArgon2Hasher


def test_attempts_beyond_the_per_address_limit_get_429_without_hashing(counted):
    flood = Client(REMOTE_ADDR="192.0.2.66")
    for _ in range(3):
        assert sign_in(flood, "alice", "Not-The-Password-1!").status_code == 200
    assert counted.hashes == 3
    response = sign_in(flood, "alice", PASSWORD)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Too many sign-in attempts from your network address" in page_text(response)
    assert 'href="/accounts/login/">Back to sign in' in page_text(response)  # a styled page
    assert "css/app.css" in page_text(response)
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert counted.hashes == 3  # the refused attempt hashed nothing
    assert signed_in_user_id(flood) is None


def test_the_limit_is_per_address(counted):
    flood = Client(REMOTE_ADDR="192.0.2.66")
    for _ in range(4):
        sign_in(flood, "nobody", "x")
    owner = Client(REMOTE_ADDR="198.51.100.7")
    assert sign_in(owner, "alice", PASSWORD).status_code == 302
    assert signed_in_user_id(owner) is not None


def test_the_limit_lifts_in_the_next_window(counted, time_machine):
    client = Client(REMOTE_ADDR="192.0.2.66")
    for _ in range(4):
        sign_in(client, "nobody", "x")
    time_machine.shift(61)
    sign_in(client, "alice", PASSWORD)
    assert signed_in_user_id(client) is not None


def test_unknown_names_are_hashed_like_known_ones(counted):
    sign_in(Client(REMOTE_ADDR="10.0.0.1"), "alice", "Not-The-Password-1!")
    known = counted.hashes
    sign_in(Client(REMOTE_ADDR="10.0.0.2"), "no-such-user", "Not-The-Password-1!")
    assert known == 1 and counted.hashes - known == known


def test_a_locked_name_is_answered_without_hashing(counted, settings):
    settings.SIGNIN_RATE_LIMIT = "off"
    attacker = Client(REMOTE_ADDR="192.0.2.66")
    for _ in range(lockout.limits().user_failures):
        sign_in(attacker, "alice", "Not-The-Password-1!")
    before = counted.hashes
    response = sign_in(attacker, "alice", "Not-The-Password-1!")
    assert "Too many failed sign-in attempts" in page_text(response)
    assert counted.hashes == before
