"""Helpers for the sign-in tests: real HTTP through Django's test client, real TOTP codes from
pyotp at the (frozen) current time, real argon2 password hashes."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
from django.urls import reverse

from iamconsole.iam import clock
from iamconsole.iam import services as iam
from iamconsole.iam.caller import Caller

T0 = datetime(2025, 3, 3, 12, 0, 0, tzinfo=UTC)  # a step boundary: timestamp % 30 == 0
STEP = 30
LOGIN = "/accounts/login/"
LOGIN_MFA = "/accounts/login/mfa/"


def url(name: str) -> str:
    return reverse(f"accounts:{name}")


def enroll_device(user, *, caller: Caller | None = None) -> pyotp.TOTP:
    """CreateVirtualMFADevice + EnableMFADevice with two consecutive codes ending at the
    current step (which is therefore used up for sign-in)."""
    caller = caller or Caller.system("test")
    new = iam.create_virtual_mfa_device(caller, f"{user.name}-app")
    totp = pyotp.TOTP(new.base32_seed)
    now = clock.now().timestamp()
    iam.enable_mfa_device(caller, user.name, new.device.serial_number,
                          totp.at(now - STEP), totp.at(now))
    return totp


def code_at_offset(totp: pyotp.TOTP, steps: int) -> str:
    return totp.at(clock.now().timestamp() + steps * STEP)


def sign_in(client, name: str, password: str, **extra):
    return client.post(LOGIN, {"username": name, "password": password}, **extra)


def enter_code(client, code: str, **extra):
    return client.post(LOGIN_MFA, {"code": code}, **extra)


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def page_text(response) -> str:
    return response.content.decode()
