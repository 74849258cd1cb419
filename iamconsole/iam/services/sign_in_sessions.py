"""Sign-in security for administrators (issue #19): the users a sign-in lockout keeps out and
their unlocking, a user's console sessions, a user's and a role's STS sessions, and AWS's
"Revoke active sessions" for a role.

Permissions. Only the root user acts on the root user's lock and sessions (IAM policies do
not reach it). AWS has no API for the first three, so each is governed by the IAM action closest
to it, on the user's (or role's) ARN:

- listing locked users: iam:ListUsers (on user/*); unlocking one: iam:UpdateLoginProfile;
- listing a user's console sessions: iam:GetLoginProfile; revoking them: iam:UpdateLoginProfile
  (both manage the user's console sign-in);
- listing a user's STS sessions: iam:ListAccessKeys; revoking one: iam:DeleteAccessKey (they
  are the user's temporary access keys);
- listing a role's sessions: iam:GetRole; revoking them: iam:PutRolePolicy, as on AWS, which
  puts the inline policy AWSRevokeOlderSessions (deny everything to credentials issued before
  now, by aws:TokenIssueTime).

The locks live in the cache (iamconsole.iam.lockout), which cannot be enumerated: the
sign-in flow writes a `SignInLock` row when it locks the name of an existing user, and the
list shows the rows whose lock the cache still holds.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.db.models import QuerySet

from iamconsole.iam import lockout

from .. import audit, authz, clock, kinds
from ..caller import Caller
from ..errors import AccessDenied, NoSuchEntity
from ..models import ConsoleSession, SignInLock, TemporaryCredential, User
from . import _entity
from ._common import operation
from .permissions import put_inline_policy
from .roles import find_role

UNLOCK = "signin:Unlock"
REVOKE_CONSOLE_SESSION = "signin:RevokeConsoleSession"
REVOKE_STS_SESSION = "sts:RevokeSession"
REVOKE_POLICY_NAME = "AWSRevokeOlderSessions"
LOCK_KINDS = (lockout.PASSWORD, lockout.MFA)
SEEN_EVERY = timedelta(minutes=1)  # how often a console session's last_seen_at is written


def _find_user(caller: Caller, name: str, action: str) -> User:
    """The user `name` (the root user too: its name can be locked); a missing one is
    authorized first, as everywhere: no existence oracle."""
    user = User.objects.filter(name__ci=str(name)[:64]).first() if name else None
    if user is None:
        raise _entity.missing(kinds.USER, str(name)[:64], caller, action)
    if user.is_root and not caller.is_root:
        # As on AWS, IAM policies do not reach the root user: only root acts on its sign-in.
        raise audit.denied(caller, AccessDenied(
            f"User: {caller.arn} is not authorized to perform: {action} on resource: "
            f"{user.arn} (only the root user manages its own sign-in)",
            action=action, resource=user.arn))
    return user


# --- locked-out users -----------------------------------------------------------------------

@dataclass(frozen=True)
class LockedUser:
    user: User
    locked_until: datetime
    kinds: tuple[str, ...]  # password and/or mfa


def record_lock(user: User, kind: str) -> None:
    """The sign-in flow locked `user`'s name for `kind`: index the lock (the cache holds it)."""
    until = lockout.state(kind, lockout.subject(user.name, user.account_id), None).user_until
    if until is None:
        return
    SignInLock.everywhere.update_or_create(
        user=user, kind=kind,
        defaults={"locked_until": datetime.fromtimestamp(until, UTC),
                  "account_id": user.account_id})


def _live_locks(user: User) -> dict[str, datetime]:
    """The kinds the cache holds a lock on the user's name for, with their ends."""
    subject = lockout.subject(user.name, user.account_id)
    found = {}
    for kind in LOCK_KINDS:
        until = lockout.state(kind, subject, None).user_until
        if until is not None:
            found[kind] = datetime.fromtimestamp(until, UTC)
    return found


def lock_of(user: User) -> LockedUser | None:
    """The lock that keeps `user` from signing in now, if any (the user's detail page)."""
    live = _live_locks(user)
    if not live:
        return None
    return LockedUser(user, max(live.values()), tuple(sorted(live)))


def list_locked_users(caller: Caller) -> list[LockedUser]:
    """The account's users whose name a sign-in lockout holds now, soonest unlocked first."""
    authz.check(caller, "iam:ListUsers", kinds.USER.arn("*"))
    now = clock.now()
    SignInLock.objects.filter(locked_until__lte=now).delete()
    users = {lock.user_id: lock.user for lock in
             SignInLock.objects.select_related("user").filter(locked_until__gt=now)}
    locked = []
    for user in users.values():
        found = lock_of(user)
        if found is None:  # the lock ended early (cleared elsewhere): drop the stale row
            SignInLock.objects.filter(user=user).delete()
        else:
            locked.append(found)
    return sorted(locked, key=lambda lock: (lock.locked_until, lock.user.name))


@operation
def unlock_user(caller: Caller, user_name: str) -> User:
    """Clear the user's sign-in locks and failure counters (password and MFA code)."""
    user = _find_user(caller, user_name, "iam:UpdateLoginProfile")
    authz.check(caller, "iam:UpdateLoginProfile", user.arn)
    live = _live_locks(user)
    subject = lockout.subject(user.name, user.account_id)
    for kind in LOCK_KINDS:
        lockout.clear(kind, subject)
    SignInLock.objects.filter(user=user).delete()
    audit.record(caller, UNLOCK, resource_type="user", resource_name=user.name,
                 resource_arn=user.arn,
                 old={kind: until.isoformat() for kind, until in live.items()} or None,
                 detail="sign-in lock cleared" if live else "no lock was held")
    return user


# --- console sessions -----------------------------------------------------------------------

def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def key_digest(session_key: str) -> str:
    """What a session remembers of its own key, to notice it cycled (never the key itself)."""
    return hashlib.sha256(session_key.encode()).hexdigest()[:16]


def start_console_session(user: User, session_key: str, address: str | None,
                          user_agent: str) -> ConsoleSession:
    """A user signed in to the console (the sign-in signal): track the session."""
    store = _session_store()
    for stale in ConsoleSession.everywhere.filter(user=user).only("session_key"):
        if not store().exists(stale.session_key):
            stale.delete()
    row, _ = ConsoleSession.everywhere.update_or_create(
        session_key=session_key,
        defaults={"user": user, "account_id": user.account_id, "created_at": clock.now(),
                  "last_seen_at": clock.now(), "client_address": (address or "")[:64],
                  "user_agent": (user_agent or "")[:512]})
    return row


def session_key_changed(row_id: int, session_key: str) -> bool:
    """The session cycled its key (password change): follow it. False if it was revoked."""
    return bool(ConsoleSession.everywhere.filter(pk=row_id).update(session_key=session_key))


def session_seen(row_id: int, address: str | None) -> bool:
    """Refresh last_seen_at (at most once a minute, the caller decides). False: revoked."""
    return bool(ConsoleSession.everywhere.filter(pk=row_id).update(
        last_seen_at=clock.now(), client_address=(address or "")[:64]))


def end_console_session(session_key: str | None) -> None:
    """The user signed out."""
    if session_key:
        ConsoleSession.everywhere.filter(session_key=session_key).delete()


def list_console_sessions(caller: Caller, user_name: str) -> list[ConsoleSession]:
    """The user's signed-in console sessions (expired ones are dropped), latest seen first."""
    user = _find_user(caller, user_name, "iam:GetLoginProfile")
    authz.check(caller, "iam:GetLoginProfile", user.arn)
    store = _session_store()
    live = []
    for row in ConsoleSession.objects.filter(user=user):
        if store().exists(row.session_key):
            live.append(row)
        else:
            row.delete()
    return live


@operation
def revoke_console_sessions(caller: Caller, user_name: str,
                            session_id: int | str | None = None) -> int:
    """Sign the user out of one console session (`session_id`) or all of them: their Django
    sessions are deleted, so their next request is anonymous. Returns how many."""
    user = _find_user(caller, user_name, "iam:UpdateLoginProfile")
    authz.check(caller, "iam:UpdateLoginProfile", user.arn)
    rows = ConsoleSession.objects.filter(user=user)
    if session_id is not None:
        try:
            rows = rows.filter(pk=int(session_id))
        except (TypeError, ValueError):
            rows = rows.none()
        if not rows.exists():
            raise NoSuchEntity(f"The console session {str(session_id)[:32]} of user "
                               f"{user.name} does not exist.", field="session_id")
    store = _session_store()
    revoked = list(rows.select_for_update())
    for row in revoked:
        old = {"SessionId": row.pk, "CreatedAt": row.created_at.isoformat(),
               "ClientAddress": row.client_address}
        store(session_key=row.session_key).delete()
        row.delete()
        audit.record(caller, REVOKE_CONSOLE_SESSION, resource_type="user",
                     resource_name=user.name, resource_arn=user.arn, old=old)
    return len(revoked)


# --- STS sessions ---------------------------------------------------------------------------

def _active(credentials: QuerySet[TemporaryCredential]) -> QuerySet[TemporaryCredential]:
    return credentials.filter(expires_at__gt=clock.now()).order_by("-created_at")


def list_user_sts_sessions(caller: Caller, user_name: str) -> list[TemporaryCredential]:
    """The user's unexpired GetSessionToken / GetFederationToken credentials."""
    user = _find_user(caller, user_name, "iam:ListAccessKeys")
    authz.check(caller, "iam:ListAccessKeys", user.arn)
    return list(_active(TemporaryCredential.objects.filter(user=user, role__isnull=True)))


@operation
def revoke_user_sts_session(caller: Caller, user_name: str, access_key_id: str) -> None:
    """Delete one of the user's temporary credentials: requests signed with it then fail as
    with an unknown key."""
    user = _find_user(caller, user_name, "iam:DeleteAccessKey")
    authz.check(caller, "iam:DeleteAccessKey", user.arn)
    credential = TemporaryCredential.objects.filter(
        user=user, role__isnull=True, access_key_id=str(access_key_id)[:32]).first()
    if credential is None:
        raise NoSuchEntity(f"The session {str(access_key_id)[:32]} of user {user.name} does "
                           "not exist.", field="access_key_id")
    credential.delete()
    audit.record(caller, REVOKE_STS_SESSION, resource_type="user", resource_name=user.name,
                 resource_arn=user.arn,
                 old={"AccessKeyId": credential.access_key_id,
                      "SessionName": credential.session_name,
                      "Expiration": credential.expires_at.isoformat()})


def list_role_sessions(caller: Caller, role_name: str) -> list[TemporaryCredential]:
    """The role's unexpired sessions (AssumeRole, AssumeRoleWithSAML / WebIdentity)."""
    role = find_role(role_name, caller, "iam:GetRole")
    authz.check(caller, "iam:GetRole", role.arn)
    return list(_active(TemporaryCredential.objects.filter(role=role)))


def revoke_time(moment: datetime) -> str:
    """AWS's form (milliseconds, Z), rounded up: a session issued in the same millisecond
    before the revocation is revoked too."""
    moment = moment.astimezone(UTC)
    if moment.microsecond % 1000:
        moment += timedelta(microseconds=1000 - moment.microsecond % 1000)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def revoke_policy_document(moment: datetime) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Action": ["*"], "Resource": ["*"],
        "Condition": {"DateLessThan": {"aws:TokenIssueTime": revoke_time(moment)}}}]}, indent=2)


def revoke_role_sessions(caller: Caller, role_name: str) -> str:
    """AWS's "Revoke active sessions": the role's inline policy AWSRevokeOlderSessions denies
    everything to its sessions issued before now (put or replaced by PutRolePolicy, with its
    authorization and audit; a service-linked role's refused as UnmodifiableEntity). Returns
    the revocation time."""
    moment = clock.now()
    put_inline_policy(caller, "role", role_name, REVOKE_POLICY_NAME,
                      revoke_policy_document(moment))
    return revoke_time(moment)
