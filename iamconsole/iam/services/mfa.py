"""Virtual MFA devices (authenticator apps) with pyotp: CreateVirtualMFADevice, EnableMFADevice,
ResyncMFADevice, DeactivateMFADevice, DeleteVirtualMFADevice, ListMFADevices,
ListVirtualMFADevices, and the sign-in code check with replay protection.

A code is accepted once only: the device remembers the last TOTP time step it accepted and a
conditional UPDATE moves it forward atomically, so two concurrent requests cannot both use a code.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import quote

import pyotp
import segno
from django.db.models import Q, QuerySet

from .. import audit, authz, clock, crypto, kinds
from .. import identifiers as ids
from ..caller import Caller
from ..errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidAuthenticationCode,
    LimitExceeded,
    NoSuchEntity,
    ValidationError,
)
from ..models import AccountSettings, User, VirtualMFADevice
from . import _entity
from ._common import normalize_tags, operation, validate_name, validate_path
from .lookup import authorize_missing
from .users import target_user

STEP_SECONDS = 30
DRIFT_STEPS = 1  # ±1 step accepted at sign-in
ENABLE_WINDOW_STEPS = 10  # how far back two consecutive enrolment codes may lie (AWS is lenient)
MAX_DEVICES_PER_USER = 8
# AWS's name for the root user's virtual device: arn:aws:iam::<account>:mfa/root-account-mfa-device
ROOT_DEVICE_NAME = "root-account-mfa-device"


@dataclass
class NewVirtualMFADevice:
    device: VirtualMFADevice
    base32_seed: str
    otpauth_uri: str

    @property
    def qr_png(self) -> bytes:
        out = io.BytesIO()
        segno.make(self.otpauth_uri, error="m").save(out, kind="png", scale=5, border=2)
        return out.getvalue()

    @property
    def qr_svg(self) -> str:
        out = io.BytesIO()
        segno.make(self.otpauth_uri, error="m").save(
            out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True,
            title="Scan with your authenticator app",
        )
        return out.getvalue().decode()


mfa_arn = kinds.MFA_DEVICE.arn


def _totp(device: VirtualMFADevice) -> pyotp.TOTP:
    return pyotp.TOTP(crypto.decrypt(device.secret_encrypted), interval=STEP_SECONDS)


def _current_step() -> int:
    return int(clock.now().timestamp()) // STEP_SECONDS


def _check_code_format(code: str, field: str) -> str:
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        raise ValidationError(
            f"Value '{code}' at '{field}' failed to satisfy constraint: Member must satisfy "
            r"regular expression pattern: [\d]+ and have length 6",
            field=field,
        )
    return code


def enrollment_required(caller: Caller, user: User | None = None) -> bool:
    """The account requires MFA for console users (AccountSettings.require_mfa) and the calling
    IAM user has no device yet: that user may create and enable a device for itself without an
    IAM permission, as ChangePassword is allowed for a password the sign-in flow requires."""
    me = caller.user
    if me is None or caller.role is not None or me.is_root:
        return False
    if user is not None and user.pk != me.pk:
        return False
    return AccountSettings.load().require_mfa and not me.mfa_devices.exists()


def _root_caller(caller: Caller) -> bool:
    return caller.user is not None and caller.user.is_root and caller.role is None


def _mfa_user(caller: Caller, user_name: str | None, action: str, *,
              allow_root: bool = True) -> User:
    """The user an MFA operation acts on: the named user, or the caller when UserName is
    omitted (target_user). The root user reaches its own devices (UserName omitted unless
    `allow_root` is False, or its own name); no IAM principal can name the root user."""
    me = caller.user
    if user_name and _root_caller(caller) and user_name.lower() == me.name.lower():
        return me
    return target_user(caller, user_name, action, allow_root=allow_root)


def find_device(serial_number: str) -> VirtualMFADevice:
    for device in VirtualMFADevice.objects.select_related("user").filter(
        name__ci=serial_number.rsplit("/", 1)[-1]
    ):
        if device.serial_number == serial_number:
            return device
    raise NoSuchEntity(f"VirtualMFADevice with serial number {serial_number} doesn't exist.")


def find_mfa_device(serial_number: str, caller: Caller | None = None,
                    action: str | None = None) -> VirtualMFADevice:
    """The virtual MFA device `serial_number` names; a missing one is NoSuchEntity after the
    caller is authorized for `action` on the serial number (no existence oracle)."""
    try:
        return find_device(serial_number)
    except NoSuchEntity:
        authorize_missing(caller, action, serial_number)
        raise


# TagMFADevice, UntagMFADevice, ListMFADeviceTags: a device is named by its serial number.
tag_mfa_device, untag_mfa_device, list_mfa_device_tags = _entity.tag_operations(
    kinds.MFA_DEVICE, find_mfa_device)


def get_mfa_device(caller: Caller, serial_number: str,
                   user_name: str | None = None) -> VirtualMFADevice:
    """GetMFADevice: the MFA device `serial_number` of the user (an omitted UserName: the
    caller, root included), authorized on the user. AWS answers it for FIDO security keys
    only; iamconsole has virtual devices only and answers them (UserName, SerialNumber,
    EnableDate; no Certifications), so a tool can read one device without listing."""
    user = _mfa_user(caller, user_name, "iam:GetMFADevice")
    authz.check(caller, "iam:GetMFADevice", user.arn)
    return _user_device(user, serial_number)


def otpauth_uri(device_name: str, secret: str) -> str:
    """AWS's format: otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String;
    the issuer is the account alias (or the account id)."""
    account = AccountSettings.load().alias or ids.account_id()
    label = quote(f"{device_name}@{account}", safe="@")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(account)}"


@operation
def create_virtual_mfa_device(
    caller: Caller, virtual_mfa_device_name: str, *, path: str | None = "/", tags=None
) -> NewVirtualMFADevice:
    validate_name(virtual_mfa_device_name, "mfa", "virtual_mfa_device_name")
    path = validate_path(path)
    tag_map = normalize_tags(tags)
    arn = mfa_arn(virtual_mfa_device_name, path)
    if not enrollment_required(caller):
        authz.check(caller, "iam:CreateVirtualMFADevice", arn)
    if virtual_mfa_device_name.lower() == ROOT_DEVICE_NAME and not _root_caller(caller):
        # Else anyone allowed CreateVirtualMFADevice could take the name and keep root from MFA.
        raise ValidationError(f"The name {ROOT_DEVICE_NAME} is reserved for the root user's MFA "
                              "device.", field="virtual_mfa_device_name")
    if VirtualMFADevice.objects.filter(path=path, name__ci=virtual_mfa_device_name).exists():
        raise EntityAlreadyExists("MFADevice entity at the same path and name already exists.",
                                  field="virtual_mfa_device_name")
    secret = pyotp.random_base32(length=32)
    device = VirtualMFADevice.objects.create(
        name=virtual_mfa_device_name, path=path, secret_encrypted=crypto.encrypt(secret),
        tags=tag_map,
    )
    audit.record(caller, "iam:CreateVirtualMFADevice", resource_type="mfa",
                 resource_name=device.name, resource_arn=device.serial_number)
    return NewVirtualMFADevice(device, secret, otpauth_uri(device.name, secret))


def _consecutive_step(device: VirtualMFADevice, codes: tuple[str, str]) -> int:
    """The time step of the second code when `codes` are two consecutive codes near now,
    never one accepted before (InvalidAuthenticationCode otherwise)."""
    code1, code2 = codes
    totp = _totp(device)
    now_step = _current_step()
    for step in range(now_step + DRIFT_STEPS, now_step - ENABLE_WINDOW_STEPS, -1):
        if totp.at(step * STEP_SECONDS) == code2 and totp.at((step - 1) * STEP_SECONDS) == code1:
            if device.last_used_step is not None and step <= device.last_used_step:
                break  # replay of codes already used
            return step
    raise InvalidAuthenticationCode("Authentication code for device is not valid.")


def _codes_and_user(caller: Caller, user_name: str, code1: str, code2: str,
                    action: str) -> tuple[tuple[str, str], User]:
    """EnableMFADevice / ResyncMFADevice: the two codes (format checked) and the user."""
    codes = (_check_code_format(code1, "authenticationCode1"),
             _check_code_format(code2, "authenticationCode2"))
    return codes, _mfa_user(caller, user_name, action)


@operation
def enable_mfa_device(
    caller: Caller, user_name: str, serial_number: str, authentication_code1: str,
    authentication_code2: str,
) -> VirtualMFADevice:
    codes, user = _codes_and_user(caller, user_name, authentication_code1,
                                  authentication_code2, "iam:EnableMFADevice")
    if not enrollment_required(caller, user):
        authz.check(caller, "iam:EnableMFADevice", user.arn)
    device = find_device(serial_number)
    if user.is_root and device.serial_number != mfa_arn(ROOT_DEVICE_NAME):
        raise ValidationError(f"The root user's virtual MFA device must be "
                              f"{mfa_arn(ROOT_DEVICE_NAME)}.", field="serial_number")
    device = VirtualMFADevice.objects.select_for_update().get(pk=device.pk)
    if device.user_id is not None:
        raise EntityAlreadyExists("MFA Device is already in use.")
    if user.mfa_devices.count() >= MAX_DEVICES_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for MFADevicesPerUser: {MAX_DEVICES_PER_USER}.")
    step = _consecutive_step(device, codes)
    device.user = user
    device.enabled_at = clock.now()
    device.last_used_step = step
    device.save(update_fields=["user", "enabled_at", "last_used_step"])
    audit.record(caller, "iam:EnableMFADevice", resource_type="user", resource_name=user.name,
                 resource_arn=user.arn, new={"SerialNumber": device.serial_number})
    return device


def _user_device(user: User, serial_number: str) -> VirtualMFADevice:
    device = find_device(serial_number)
    if device.user_id != user.pk:
        raise NoSuchEntity(f"MFA Device with serial number {serial_number} is not assigned to "
                           f"user {user.name}.")
    return device


@operation
def resync_mfa_device(
    caller: Caller, user_name: str, serial_number: str, authentication_code1: str,
    authentication_code2: str,
) -> VirtualMFADevice:
    codes, user = _codes_and_user(caller, user_name, authentication_code1,
                                  authentication_code2, "iam:ResyncMFADevice")
    authz.check(caller, "iam:ResyncMFADevice", user.arn)
    device = VirtualMFADevice.objects.select_for_update().get(
        pk=_user_device(user, serial_number).pk
    )
    device.last_used_step = _consecutive_step(device, codes)
    device.save(update_fields=["last_used_step"])
    audit.record(caller, "iam:ResyncMFADevice", resource_type="user", resource_name=user.name,
                 resource_arn=user.arn, detail=device.serial_number)
    return device


@operation
def deactivate_mfa_device(caller: Caller, user_name: str | None, serial_number: str) -> None:
    """DeactivateMFADevice; an omitted UserName means the calling IAM user (not root)."""
    user = _mfa_user(caller, user_name, "iam:DeactivateMFADevice", allow_root=False)
    authz.check(caller, "iam:DeactivateMFADevice", user.arn)
    device = _user_device(user, serial_number)
    device.user = None
    device.enabled_at = None
    device.save(update_fields=["user", "enabled_at"])
    audit.record(caller, "iam:DeactivateMFADevice", resource_type="user",
                 resource_name=user.name, resource_arn=user.arn,
                 old={"SerialNumber": device.serial_number})


@operation
def delete_virtual_mfa_device(caller: Caller, serial_number: str) -> None:
    device = find_device(serial_number)
    authz.check(caller, "iam:DeleteVirtualMFADevice", device.serial_number)
    if device.user_id is not None:
        raise DeleteConflict("MFA device is still assigned to a user: deactivate it first.")
    device.delete()
    audit.record(caller, "iam:DeleteVirtualMFADevice", resource_type="mfa",
                 resource_name=device.name, resource_arn=serial_number)


def list_mfa_devices(caller: Caller, user_name: str | None = None) -> QuerySet[VirtualMFADevice]:
    """ListMFADevices; an omitted UserName means the calling user, root included."""
    user = _mfa_user(caller, user_name, "iam:ListMFADevices")
    authz.check(caller, "iam:ListMFADevices", user.arn)
    return user.mfa_devices.order_by("enabled_at")


def list_virtual_mfa_devices(
    caller: Caller, assignment_status: str = "Any"
) -> QuerySet[VirtualMFADevice]:
    authz.check(caller, "iam:ListVirtualMFADevices", "*")
    qs = VirtualMFADevice.objects.select_related("user").order_by("name")
    if assignment_status == "Assigned":
        return qs.exclude(user=None)
    if assignment_status == "Unassigned":
        return qs.filter(user=None)
    if assignment_status != "Any":
        raise ValidationError("AssignmentStatus must be Assigned, Unassigned or Any.")
    return qs


def verify_mfa_code(user: User, code: str) -> VirtualMFADevice | None:
    """Sign-in (and STS TokenCode) check: a current code (±1 step) from one of the user's
    devices, never one that was accepted before. Returns the device, or None."""
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        return None
    now_step = _current_step()
    for device in user.mfa_devices.all():
        totp = _totp(device)
        for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
            if not crypto.constant_time_equals(totp.at(step * STEP_SECONDS), code):
                continue
            claimed = VirtualMFADevice.objects.filter(pk=device.pk).filter(
                Q(last_used_step__isnull=True) | Q(last_used_step__lt=step)
            ).update(last_used_step=step)
            if claimed:
                return device
            return None  # replay: this code (or a later one) was already used
    return None


# --- the signed-in user's own devices (the accounts door) -----------------------------------

def account_requires_mfa() -> bool:
    """The account's sign-in setting: every console user must have an MFA device."""
    return AccountSettings.load().require_mfa


def has_mfa_device(user: User) -> bool:
    return user.mfa_devices.exists()


def mfa_device_count(user: User) -> int:
    return user.mfa_devices.count()


def user_mfa_devices(user: User) -> list[VirtualMFADevice]:
    """The user's devices, the first enabled first."""
    return list(user.mfa_devices.order_by("enabled_at"))


def mfa_enrollment_required(user: User) -> bool:
    """The account requires MFA for every console user and this one has no device. The root
    user is left out: the MFA operations act on IAM users only."""
    if user.is_root or has_mfa_device(user):
        return False
    return account_requires_mfa()


def default_device_name(user: User) -> str:
    """The name an enrollment proposes: AWS's fixed name for the root user, else the user's
    name, with -2, -3... while a device has it."""
    if user.is_root:
        return ROOT_DEVICE_NAME
    name, n = user.name, 1
    while VirtualMFADevice.objects.filter(name__ci=name).exists():
        n += 1
        name = f"{user.name}-{n}"[:226]
    return name


def create_own_device(caller: Caller, device_name: str) -> NewVirtualMFADevice:
    """CreateVirtualMFADevice for the signed-in user's enrollment. The root user's device has
    AWS's fixed name; one left unassigned by an enrollment never finished is replaced."""
    if not caller.user.is_root:
        return create_virtual_mfa_device(caller, device_name)
    stale = VirtualMFADevice.objects.filter(name__ci=ROOT_DEVICE_NAME, path="/",
                                            user=None).first()
    if stale is not None:
        delete_virtual_mfa_device(caller, stale.serial_number)
    return create_virtual_mfa_device(caller, ROOT_DEVICE_NAME)


def pending_device(serial_number: str | None) -> NewVirtualMFADevice | None:
    """The device an enrollment created and has not enabled yet, with its seed to show again
    (until a pair of codes verifies; the secret stays server-side)."""
    if not serial_number:
        return None
    try:
        device = find_device(serial_number)
    except NoSuchEntity:
        return None
    if device.user_id is not None:
        return None
    seed = crypto.decrypt(device.secret_encrypted)
    return NewVirtualMFADevice(device, seed, otpauth_uri(device.name, seed))


def mfa_serial_number(device: str) -> str:
    """The serial number of the virtual MFA device `device` names: a serial number (an ARN) is
    returned as it is; a device name (any case) gives its device's serial number (when several
    paths have the name: the one at "/", else the first path in order), an unknown name itself
    (the operation then answers NoSuchEntity as for an unknown serial number)."""
    if device.startswith("arn:"):
        return device
    found = VirtualMFADevice.objects.filter(name__ci=device).order_by("path").first()
    return found.serial_number if found else device
