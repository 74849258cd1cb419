"""Sign-in security for administrators (issue #19): the "Locked-out users" page, and the
"Sessions" tabs of a user (sign-in lock, console sessions, STS sessions) and of a role (its
sessions, "Revoke active sessions"). Each view calls one domain operation of
iam.services.sign_in_sessions, which authorizes and audits."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from iamconsole.iam import kinds
from iamconsole.iam.services import sign_in_sessions as sessions

from ..auth import console_view, get_caller
from . import entities, roles, users
from .common import in_place, readable

LOCKED_TEMPLATE = "console/users/locked.html"


def _locked_context(request: HttpRequest, notice: str = "") -> dict:
    return {"locked": sessions.list_locked_users(get_caller(request)), "notice": notice}


@console_view("iam:ListUsers", kinds.USER.any_arn, methods=("GET",))
def locked_users(request: HttpRequest) -> HttpResponse:
    return render(request, LOCKED_TEMPLATE, _locked_context(request))


@console_view("iam:UpdateLoginProfile", users.user_resource, methods=("POST",))
def locked_user_unlock(request: HttpRequest, name: str) -> HttpResponse:
    """Unlock from the "Locked-out users" page (htmx: the table is re-rendered)."""
    return in_place(
        request, lambda: sessions.unlock_user(get_caller(request), name),
        url="/locked-users/", message=f"Unlocked {name}.",
        fragment=lambda msg: render(request, "console/users/_locked_table.html",
                                    _locked_context(request, msg)))


# --- a user's "Sessions" tab --------------------------------------------------------------

SESSIONS_TAB = ("sessions", "Sessions")


def user_sessions_context(request: HttpRequest, user) -> dict:
    caller = get_caller(request)
    console, console_denied = readable(
        lambda: sessions.list_console_sessions(caller, user.name))
    sts, sts_denied = readable(lambda: sessions.list_user_sts_sessions(caller, user.name))
    return {"console_sessions": console, "console_denied": console_denied,
            "sts_sessions": sts, "sts_denied": sts_denied,
            "current_session_key": request.session.session_key}


user_unlock = entities.tab_action(
    users.PAGE, "sessions", "iam:UpdateLoginProfile",
    lambda caller, name, request: sessions.unlock_user(caller, name),
    lambda request, name: f"Unlocked {name}.")
user_console_session_revoke = entities.tab_action(
    users.PAGE, "sessions", "iam:UpdateLoginProfile",
    lambda caller, name, request, session_id: sessions.revoke_console_sessions(
        caller, name, session_id),
    lambda request, name, session_id: f"Signed {name} out of that console session.")
user_console_sessions_revoke_all = entities.tab_action(
    users.PAGE, "sessions", "iam:UpdateLoginProfile",
    lambda caller, name, request: sessions.revoke_console_sessions(caller, name),
    lambda request, name: f"Signed {name} out of every console session.")
user_sts_session_revoke = entities.tab_action(
    users.PAGE, "sessions", "iam:DeleteAccessKey",
    lambda caller, name, request, key_id: sessions.revoke_user_sts_session(
        caller, name, key_id),
    lambda request, name, key_id: f"Revoked the session {key_id}.")


# --- a role's "Sessions" tab --------------------------------------------------------------

def role_sessions_context(request: HttpRequest, role) -> dict:
    found, denied = readable(lambda: sessions.list_role_sessions(get_caller(request),
                                                                 role.name))
    return {"role_sessions": found, "role_sessions_denied": denied,
            "revoke_policy_name": sessions.REVOKE_POLICY_NAME}


role_sessions_revoke = entities.tab_action(
    roles.PAGE, "sessions", "iam:PutRolePolicy",
    lambda caller, name, request: sessions.revoke_role_sessions(caller, name),
    lambda request, name: f"Revoked every session of {name} issued before now: "
                          f"the inline policy {sessions.REVOKE_POLICY_NAME} denies them.")
