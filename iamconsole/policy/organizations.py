"""AWS Organizations guardrails for the engine: service control policies (SCPs) and resource
control policies (RCPs), compiled for :func:`iamconsole.policy.evaluate` (``scp_levels`` /
``rcp_levels``).

Organizations attaches an AWS managed policy that allows everything at the root, at every OU
and at every account when the policy type is enabled: FullAWSAccess for SCPs (it can be
detached, but every entity keeps at least one SCP) and RCPFullAWSAccess for RCPs (it cannot
be detached). Without them a level allows nothing and the request is denied, so a caller
building the levels of an account's path includes them where they are attached::

    from iamconsole.policy import organizations as orgs

    scp_levels = [[orgs.full_aws_access()],                       # root
                  [orgs.full_aws_access(), deny_regions],         # OU
                  [orgs.compile_scp(text, policy_id="p-abcd1234")]]  # the account
    rcp_levels = [[orgs.rcp_full_aws_access(), perimeter], [orgs.rcp_full_aws_access()], ...]
"""

from __future__ import annotations

from functools import cache

from .compiler import CompiledPolicy, compile_policy
from .findings import PolicyError
from .validate import ORGANIZATIONS_MAX_CHARS, analyze

__all__ = [
    "FULL_AWS_ACCESS_DOCUMENT",
    "FULL_AWS_ACCESS_ID",
    "ORGANIZATIONS_MAX_CHARS",
    "RCP_FULL_AWS_ACCESS_DOCUMENT",
    "RCP_FULL_AWS_ACCESS_ID",
    "compile_rcp",
    "compile_scp",
    "full_aws_access",
    "rcp_full_aws_access",
]

FULL_AWS_ACCESS_ID = "p-FullAWSAccess"
FULL_AWS_ACCESS_DOCUMENT = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}"""

RCP_FULL_AWS_ACCESS_ID = "p-RCPFullAWSAccess"
RCP_FULL_AWS_ACCESS_DOCUMENT = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": "*",
      "Action": "*",
      "Resource": "*"
    }
  ]
}"""

# What only the AWS managed RCPFullAWSAccess may do (a customer's RCP is rejected for it).
_MANAGED_RCP_ONLY = frozenset({"AllowNotSupportedInRcp", "InvalidRcpAction"})


def compile_scp(text: str, *, policy_id: str, version_id: str | None = None) -> CompiledPolicy:
    """Validate (SCP grammar) and compile a service control policy; PolicyError if invalid.
    Its statements are reported with policy_type "scp"."""
    return compile_policy(text, policy_id=policy_id, policy_type="scp", kind="scp",
                          version_id=version_id)


def compile_rcp(text: str, *, policy_id: str, version_id: str | None = None) -> CompiledPolicy:
    """Validate (RCP grammar: Deny only, Principal "*") and compile a resource control policy;
    PolicyError if invalid. ``RCP_FULL_AWS_ACCESS_ID`` compiles the AWS managed policy (the
    only RCP with an Allow) whatever ``text`` is. Statements report policy_type "rcp"."""
    if policy_id == RCP_FULL_AWS_ACCESS_ID:
        return rcp_full_aws_access()
    return compile_policy(text, policy_id=policy_id, policy_type="rcp", kind="rcp",
                          version_id=version_id)


@cache
def full_aws_access() -> CompiledPolicy:
    """The AWS managed SCP FullAWSAccess (allows every action on every resource)."""
    return compile_scp(FULL_AWS_ACCESS_DOCUMENT, policy_id=FULL_AWS_ACCESS_ID)


@cache
def rcp_full_aws_access() -> CompiledPolicy:
    """The AWS managed RCP RCPFullAWSAccess (lets every principal and action through)."""
    text = RCP_FULL_AWS_ACCESS_DOCUMENT
    a = analyze(text, "rcp")
    errors = [f for f in a.errors if f.code not in _MANAGED_RCP_ONLY]
    if errors:  # pragma: no cover - the document above is fixed
        raise PolicyError(errors)
    assert a.root is not None and a.lines is not None
    return CompiledPolicy(text, RCP_FULL_AWS_ACCESS_ID, "rcp", "rcp", None, a.version, a.root,
                          [n for _, n in a.statements], a.lines)
