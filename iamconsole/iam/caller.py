"""Who is calling a domain operation, and how: the input to authorization and the audit log.

Every front door (console, REST API, Query API, management commands) builds a `Caller` and passes
it to the domain operations in `iamconsole.iam.services`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import arns, task_policies
from . import identifiers as ids

if TYPE_CHECKING:
    from .models import Role, TemporaryCredential, User


@dataclass
class Caller:
    user: User | None = None
    role: Role | None = None  # set for assumed-role sessions
    credential: TemporaryCredential | None = None
    auth_method: str = "system"  # console | api | query | cli | system
    source_ip: str | None = None
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    mfa_authenticated_at: datetime | None = None
    secure_transport: bool = False
    access_key_id: str = ""
    region: str = ""  # a signed request's SigV4 credential scope region (Access Advisor)
    # Gathered once per request by `authz` (effective policies of the principal).
    cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def system(cls, reason: str = "system") -> Caller:
        """Management commands and the demo seed act as the account itself."""
        return cls(auth_method=reason)

    @property
    def account(self) -> str:
        """The 12-digit id of the caller's own account (a role session's: the role's)."""
        if self.role is not None:
            return self.role.account_id
        if self.user is not None:
            return self.user.account_id
        return ids.account_id()

    @property
    def is_system(self) -> bool:
        return self.user is None and self.role is None

    @property
    def is_root(self) -> bool:
        return self.is_system or bool(self.user is not None and self.user.is_root
                                      and self.role is None)

    @property
    def task_policy_arn(self) -> str | None:
        """The root-task policy of an STS AssumeRoot session (the member account's root user
        limited by it), None for every other caller."""
        if self.user is None or not self.user.is_root or self.role is not None:
            return None
        return task_policies.of_session(self.credential)

    @property
    def is_federated(self) -> bool:
        """A federated-user session of STS GetFederationToken (a user's credential that
        carries a federated user name; GetSessionToken and AssumeRoot credentials carry none)."""
        return (self.role is None and self.credential is not None
                and self.credential.user_id is not None and bool(self.credential.session_name))

    @property
    def session_name(self) -> str:
        return self.credential.session_name if self.credential else ""

    @property
    def arn(self) -> str:
        if self.is_federated:
            return arns.federated_user(self.session_name, account=self.account)
        if self.role is not None:
            return arns.assumed_role(self.role.name, self.session_name,
                                     account=self.role.account_id)
        if self.user is not None:
            return self.user.arn
        return arns.root(self.account)

    @property
    def display_name(self) -> str:
        if self.is_federated:
            return f"federated-user/{self.session_name}"
        if self.role is not None:
            return f"{self.role.name}/{self.session_name}"
        if self.user is not None:
            return self.user.name
        return f"[{self.auth_method}]"

    @property
    def principal_type(self) -> str:
        if self.is_federated:
            return "FederatedUser"
        if self.role is not None:
            return "AssumedRole"
        if self.user is not None and not self.user.is_root:
            return "User"
        return "Account"

    @property
    def user_id(self) -> str:
        if self.is_federated:  # AWS: account:caller-specified-name
            return f"{self.account}:{self.session_name}"
        if self.role is not None:
            return f"{self.role.role_id}:{self.session_name}"
        if self.user is not None and not self.user.is_root:
            return self.user.user_id
        return self.account

    @property
    def mfa_present(self) -> bool:
        return self.mfa_authenticated_at is not None
