"""SSH public keys (CodeCommit's SSH credentials): UploadSSHPublicKey, GetSSHPublicKey,
ListSSHPublicKeys, UpdateSSHPublicKey, DeleteSSHPublicKey. Keys are RSA, at least 2048 bits, in
ssh-rsa or PEM form; a user holds at most five, each once."""

from __future__ import annotations

from django.db.models import QuerySet

from .. import audit, authz, clock, keymaterial
from .. import identifiers as ids
from ..caller import Caller
from ..errors import DuplicateSSHPublicKey, LimitExceeded, NoSuchEntity, ValidationError
from ..models import SSHPublicKey, User
from ._common import MAX_SSH_PUBLIC_KEYS, check_status, operation
from .users import target_user

ENCODINGS = (keymaterial.SSH, keymaterial.PEM)


def _audit(caller: Caller, action: str, user: User, **values) -> None:
    audit.record(caller, action, resource_type="user", resource_name=user.name,
                 resource_arn=user.arn, **values)


def _find(user: User, key_id: str, *, for_update: bool = False) -> SSHPublicKey:
    keys = user.ssh_public_keys.filter(ssh_public_key_id=key_id)
    key = (keys.select_for_update() if for_update else keys).first()
    if key is None:
        raise NoSuchEntity(f"The Public Key with id {key_id} cannot be found.")
    return key


@operation
def upload_ssh_public_key(caller: Caller, user_name: str | None,
                          ssh_public_key_body: str) -> SSHPublicKey:
    user = target_user(caller, user_name, "iam:UploadSSHPublicKey")
    authz.check(caller, "iam:UploadSSHPublicKey", user.arn)
    parsed = keymaterial.parse_ssh_public_key(ssh_public_key_body)
    User.objects.select_for_update().filter(pk=user.pk).first()  # serialize the quota check
    if user.ssh_public_keys.filter(fingerprint=parsed.fingerprint).exists():
        raise DuplicateSSHPublicKey("The SSH public key is already associated with the user "
                                    f"{user.name}.", field="ssh_public_key_body")
    if user.ssh_public_keys.count() >= MAX_SSH_PUBLIC_KEYS:
        raise LimitExceeded(
            f"Cannot exceed quota for SSHPublicKeysPerUser: {MAX_SSH_PUBLIC_KEYS}")
    key = SSHPublicKey.objects.create(
        ssh_public_key_id=ids.new_access_key_id("APKA"), user=user,
        body=ssh_public_key_body.strip(), fingerprint=parsed.fingerprint,
        uploaded_at=clock.now(),
    )
    _audit(caller, "iam:UploadSSHPublicKey", user,
           new={"SSHPublicKeyId": key.ssh_public_key_id, "Fingerprint": key.fingerprint,
                "Status": key.status})
    return key


def encoded_body(key: SSHPublicKey, encoding: str) -> str:
    """The key in `encoding`: as uploaded when it was uploaded so, else converted."""
    parsed = keymaterial.parse_ssh_public_key(key.body)
    if parsed.encoding == encoding:
        return key.body
    return parsed.openssh if encoding == keymaterial.SSH else parsed.pem


def get_ssh_public_key(caller: Caller, user_name: str | None, ssh_public_key_id: str,
                       encoding: str = keymaterial.SSH) -> tuple[SSHPublicKey, str]:
    """GetSSHPublicKey: the key and its body in `encoding` (SSH or PEM)."""
    if encoding not in ENCODINGS:
        raise ValidationError(f"Value '{encoding}' at 'encoding' failed to satisfy constraint: "
                              "Member must satisfy enum value set: [SSH, PEM]", field="encoding")
    user = target_user(caller, user_name, "iam:GetSSHPublicKey")
    authz.check(caller, "iam:GetSSHPublicKey", user.arn)
    key = _find(user, ssh_public_key_id)
    return key, encoded_body(key, encoding)


def list_ssh_public_keys(caller: Caller, user_name: str | None = None
                         ) -> QuerySet[SSHPublicKey]:
    user = target_user(caller, user_name, "iam:ListSSHPublicKeys")
    authz.check(caller, "iam:ListSSHPublicKeys", user.arn)
    return user.ssh_public_keys.select_related("user").order_by("uploaded_at", "id")


@operation
def update_ssh_public_key(caller: Caller, user_name: str | None, ssh_public_key_id: str,
                          status: str) -> SSHPublicKey:
    check_status(status)
    user = target_user(caller, user_name, "iam:UpdateSSHPublicKey")
    authz.check(caller, "iam:UpdateSSHPublicKey", user.arn)
    key = _find(user, ssh_public_key_id, for_update=True)
    old = key.status
    key.status = status
    key.save(update_fields=["status"])
    _audit(caller, "iam:UpdateSSHPublicKey", user,
           old={"SSHPublicKeyId": key.ssh_public_key_id, "Status": old},
           new={"SSHPublicKeyId": key.ssh_public_key_id, "Status": status})
    return key


@operation
def delete_ssh_public_key(caller: Caller, user_name: str | None,
                          ssh_public_key_id: str) -> None:
    user = target_user(caller, user_name, "iam:DeleteSSHPublicKey")
    authz.check(caller, "iam:DeleteSSHPublicKey", user.arn)
    key = _find(user, ssh_public_key_id, for_update=True)
    old = {"SSHPublicKeyId": key.ssh_public_key_id, "Fingerprint": key.fingerprint,
           "Status": key.status}
    key.delete()
    _audit(caller, "iam:DeleteSSHPublicKey", user, old=old)
