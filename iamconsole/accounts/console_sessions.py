"""Console sessions tracked per user (iam.models.ConsoleSession), so that an administrator can
list a user's sessions and sign them out: a row is written when a user signs in (Django's
user_logged_in, which fires after login() cycled the session key), removed at sign-out, and
kept in step by `ConsoleSessionMiddleware`.

The session itself remembers its row (`TRACKED`: the row's id, a digest of the key it was
tracked under, when it was last seen), so a request costs no query unless its key cycled
(password change) or a minute passed since the row was last refreshed. A session whose row is
gone (revoked while the key was cycling) is signed out then.
"""

from __future__ import annotations

from django.contrib.auth import logout, user_logged_in, user_logged_out
from django.http import HttpRequest

from iamconsole.iam import clock
from iamconsole.iam.services import sign_in_sessions

from .session import client_address

TRACKED = "accounts.console_session"  # {"id", "key", "seen"}


def _user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")


def track(request: HttpRequest, user) -> None:
    if not request.session.session_key:
        request.session.save()  # a new session gets its key now
    key = request.session.session_key
    row = sign_in_sessions.start_console_session(user, key, client_address(request),
                                                 _user_agent(request))
    request.session[TRACKED] = {"id": row.pk, "key": sign_in_sessions.key_digest(key),
                                "seen": clock.now().timestamp()}


def _signed_in(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    track(request, user)


def _signed_out(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        sign_in_sessions.end_console_session(request.session.session_key)


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="iamconsole.console_session.in")
    user_logged_out.connect(_signed_out, dispatch_uid="iamconsole.console_session.out")


class ConsoleSessionMiddleware:
    """After authentication: keep the signed-in session's row in step (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated
                and not getattr(user, "is_federated", False)):
            self._refresh(request, user)
        return self.get_response(request)

    @staticmethod
    def _refresh(request: HttpRequest, user) -> None:
        tracked = request.session.get(TRACKED)
        if not isinstance(tracked, dict) or "id" not in tracked:
            track(request, user)  # signed in before sessions were tracked
            return
        key = request.session.session_key or ""
        digest = sign_in_sessions.key_digest(key)
        now = clock.now().timestamp()
        alive = True
        if tracked.get("key") != digest:
            alive = sign_in_sessions.session_key_changed(tracked["id"], key)
            tracked = {**tracked, "key": digest}
        if alive and now - float(tracked.get("seen", 0)) >= \
                sign_in_sessions.SEEN_EVERY.total_seconds():
            alive = sign_in_sessions.session_seen(tracked["id"], client_address(request))
            tracked = {**tracked, "seen": now}
        if not alive:
            logout(request)
            return
        if tracked != request.session.get(TRACKED):
            request.session[TRACKED] = tracked
