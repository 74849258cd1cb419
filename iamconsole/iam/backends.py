"""Console sign-in as AWS's sign-in page asks for it: account (12-digit id or alias), IAM user
name and password. User names are unique per account, so the account comes first."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend

from . import tenancy
from .models import User


class AccountUserBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, account=None, **kwargs):
        from .services.accounts import resolve_account

        found = resolve_account(account)
        if found is None:
            # Same cost as a wrong password: the answer never tells whether the account exists.
            User().set_password(password)
            return None
        with tenancy.acting_in(found.id):
            return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        user = User.everywhere.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
