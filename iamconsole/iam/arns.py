"""Every ARN the product builds or reads ("IAM identifiers: ARNs").

    arn:aws:<service>::<account>:<type><path><name>      user, group, role, policy, mfa, ...
    arn:aws:iam::<account>:root                           an account's root user
    arn:aws:sts::<account>:assumed-role/<role>/<session>  a role session
    arn:aws:iam::aws:policy<path><name>                   an AWS managed policy

Build them here and parse them here: no f-string ARNs and no ad-hoc ARN regexes elsewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import identifiers as ids

PARTITION = "aws"
AWS_ACCOUNT = "aws"  # the "account" of AWS managed policies

@dataclass(frozen=True)
class Arn:
    """A parsed IAM or STS ARN. For a typed resource with a path (`user/eng/alice`) `path` is
    `/eng/` and `name` is `alice`; for `root` both are empty; for `assumed-role/r/s` the path is
    `/r/` and the name `s` (see `parse_any`)."""

    service: str
    account: str
    type: str
    path: str
    name: str

    def __str__(self) -> str:
        return build(self.type, self.name, self.path, service=self.service,
                     account=self.account)

    @property
    def is_local(self) -> bool:
        return self.account == ids.account_id()


def build(type: str, name: str = "", path: str = "/", *, service: str = "iam",
          account: str | None = None) -> str:
    """`arn:aws:<service>::<account>:<type><path><name>`; `root` has neither path nor name."""
    resource = type if not name and type == "root" else f"{type}{path or '/'}{name}"
    return of_resource(resource, service, account)


def entity(type: str, name: str, path: str = "/", account: str | None = None) -> str:
    """The ARN of an IAM entity of `type` (user, group, role, policy, mfa, ...)."""
    return build(type, name, path, account=account)


def policy(name: str, path: str = "/", *, aws_managed: bool = False,
           account: str | None = None) -> str:
    return build("policy", name, path, account=AWS_ACCOUNT if aws_managed else account)


def root(account: str | None = None) -> str:
    return build("root", account=account)


def access_report(entity_path: str, account: str | None = None) -> str:
    """The access-report resource (GenerateOrganizationsAccessReport's)."""
    return of_resource(f"access-report/{entity_path}", "iam", account)


def federated_user(name: str, account: str | None = None) -> str:
    """The ARN of a GetFederationToken session: arn:aws:sts::<account>:federated-user/<name>."""
    return build("federated-user", name, "/", service="sts", account=account)


def assumed_role(role_name: str, session_name: str, account: str | None = None) -> str:
    return build("assumed-role", f"{role_name}/{session_name}", "/", service="sts",
                 account=account)


_ANY = re.compile(
    r"arn:aws:(?P<service>[a-z0-9-]+)::(?P<account>[^:]*):(?P<type>[A-Za-z-]+)"
    r"(?P<rest>/(?:.*/)?[^/]*)?"
)


def parse_any(value: str | None) -> Arn | None:
    """The parts of an IAM/STS ARN of any account (an account-independent parse, for what a
    request names before it is checked): `path` is the resource up to its last slash and `name`
    what follows, possibly empty (`assumed-role/r/s`: path `/r/`, name `s`); `root` has neither.
    None when `value` does not have the shape arn:aws:<service>::<account>:<type>[/...]."""
    match = _ANY.fullmatch(value or "")
    if match is None:
        return None
    rest = match["rest"]
    path, _, name = (rest or "").rpartition("/")
    return Arn(match["service"], match["account"], match["type"], f"{path}/" if rest else "",
               name)


_ARN_SHAPE = re.compile(r"arn:[^:]+:[^:]+:[^:]*:[^:]*:.+", re.DOTALL)


def is_arn_shaped(value: str | None) -> bool:
    """`value` has an ARN's six parts (arn:partition:service:region:account:resource), of any
    service. AWS answers one that does not: ValidationError "Invalid ARN: Could not be parsed!";
    one that does but names no IAM entity of the expected type is InvalidInput."""
    return isinstance(value, str) and _ARN_SHAPE.fullmatch(value) is not None


def owner_account(value: str) -> str | None:
    """The 12-digit account in an ARN (`arn:aws:<service>:<region>:<account>:...`), None for
    an ARN without one (S3, AWS managed policies) or anything else. A split, not a regex: every
    authorization asks it."""
    parts = value.split(":", 5)
    return parts[4] if len(parts) == 6 and is_account_id(parts[4]) else None


def is_account_id(value: str) -> bool:
    """A 12-digit account id (not `aws`, `*` or empty)."""
    return len(value) == 12 and value.isdecimal()


def of_resource(text: str, service: str = "iam", account: str | None = None) -> str:
    """`arn:aws:<service>::<account>:<text>` for a resource written out already (`user/a`)."""
    return f"arn:{PARTITION}:{service}::{account or ids.account_id()}:{text}"


def parse_named(value: str | None, type: str, *, aws: bool = False) -> Arn | None:
    """An IAM ARN of `type` with a name, in any 12-digit account (or AWS's `aws` when `aws`):
    what a request names as a role or policy ARN, before its account is compared with ours."""
    parsed = parse_any(value)
    if parsed is None or parsed.service != "iam" or parsed.type != type or not parsed.name:
        return None
    if not (is_account_id(parsed.account) or (aws and parsed.account == AWS_ACCOUNT)):
        return None
    return parsed


# --- AWS Organizations ("ARN formats supported by Organizations", the service authorization
# reference): every resource of an organization is named in its management account.

def organization(management: str, org_id: str) -> str:
    return of_resource(f"organization/{org_id}", "organizations", management)


def org_account(management: str, org_id: str, account_id: str) -> str:
    return of_resource(f"account/{org_id}/{account_id}", "organizations", management)


def org_root(management: str, org_id: str, root_id: str) -> str:
    return of_resource(f"root/{org_id}/{root_id}", "organizations", management)


def org_unit(management: str, org_id: str, ou_id: str) -> str:
    return of_resource(f"ou/{org_id}/{ou_id}", "organizations", management)


def org_policy(management: str, org_id: str, policy_type: str, policy_id: str, *,
               aws_managed: bool = False) -> str:
    """A customer policy `.../policy/o-x/service_control_policy/p-x`; an AWS managed one
    `arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess`."""
    kind = policy_type.lower()
    if aws_managed:
        return of_resource(f"policy/{kind}/{policy_id}", "organizations", AWS_ACCOUNT)
    return of_resource(f"policy/{org_id}/{kind}/{policy_id}", "organizations", management)
