"""What a simulation returns: AWS's EvaluationResult (with its ResourceSpecificResults and
matched statements), the policies of a principal as the simulator lists them, and the rows of
"who can"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY = "allowed", "explicitDeny", "implicitDeny"
BOUNDARY_KEY = "permissions-boundary"


@dataclass(frozen=True)
class SimulatedStatement:
    """One statement that decided a result: AWS's ``Statement`` plus what a page needs to link
    to and highlight it."""

    source_policy_id: str
    source_policy_type: str
    start_position: tuple[int, int]  # (line, column), 1-based
    end_position: tuple[int, int]
    sid: str | None = None
    statement_index: int = 0
    version_id: str | None = None  # "v3" for managed policies, None otherwise
    policy_arn: str | None = None  # managed policies
    policy_id: str | None = None  # ANPA… of managed policies
    owner: str = ""  # "user/alice", "group/devs", "role/app" for a principal's policies
    policy_text: str = field(default="", repr=False, compare=False)

    def as_aws_dict(self) -> dict[str, Any]:
        return {
            "SourcePolicyId": self.source_policy_id,
            "SourcePolicyType": self.source_policy_type,
            "StartPosition": {"Line": self.start_position[0], "Column": self.start_position[1]},
            "EndPosition": {"Line": self.end_position[0], "Column": self.end_position[1]},
        }

    def as_dict(self) -> dict[str, Any]:
        """The AWS shape plus our extras (Sid, statement index, version, policy ARN)."""
        return {
            **self.as_aws_dict(),
            "Sid": self.sid,
            "StatementIndex": self.statement_index,
            "VersionId": self.version_id,
            "PolicyArn": self.policy_arn,
            "Owner": self.owner,
        }

    @property
    def lines(self) -> list[tuple[int, str, bool]]:
        """(line number, text, inside the statement) for every line of the policy."""
        start, end = self.start_position[0], self.end_position[0]
        return [(n, text, start <= n <= end)
                for n, text in enumerate(self.policy_text.splitlines(), start=1)]

    @property
    def statement_lines(self) -> list[tuple[int, str]]:
        start, end = self.start_position[0], self.end_position[0]
        return [(n, text) for n, text, inside in self.lines if start <= n <= end and inside]


@dataclass
class ResourceSpecificResult:
    eval_resource_name: str
    eval_resource_decision: str
    matched_statements: list[SimulatedStatement] = field(default_factory=list)
    missing_context_values: list[str] = field(default_factory=list)
    eval_decision_details: dict[str, str] | None = None
    permissions_boundary_decision_detail: bool | None = None

    def as_aws_dict(self) -> dict[str, Any]:
        return {"EvalResourceName": self.eval_resource_name,
                "EvalResourceDecision": self.eval_resource_decision, **_decided_by(self)}


@dataclass
class EvaluationResult:
    """One simulated (action, resource) request, field for field AWS's ``EvaluationResult``."""

    eval_action_name: str
    eval_resource_name: str
    eval_decision: str
    matched_statements: list[SimulatedStatement] = field(default_factory=list)
    missing_context_values: list[str] = field(default_factory=list)
    eval_decision_details: dict[str, str] | None = None
    permissions_boundary_decision_detail: bool | None = None  # AllowedByPermissionsBoundary
    resource_specific_results: list[ResourceSpecificResult] = field(default_factory=list)
    # AllowedByOrganizations: set when the principal's account is governed by SCPs (or the
    # resource's by RCPs); `organizations_denied_by` says which ("scp" / "rcp"), for the page.
    organizations_decision_detail: bool | None = None
    organizations_denied_by: str | None = None

    @property
    def allowed(self) -> bool:
        return self.eval_decision == ALLOWED

    def as_aws_dict(self) -> dict[str, Any]:
        """Exactly the wire shape of AWS's EvaluationResult (for the Query API and boto3)."""
        out: dict[str, Any] = {
            "EvalActionName": self.eval_action_name,
            "EvalResourceName": self.eval_resource_name,
            "EvalDecision": self.eval_decision,
            **_decided_by(self),
        }
        if self.organizations_decision_detail is not None:
            out["OrganizationsDecisionDetail"] = {
                "AllowedByOrganizations": self.organizations_decision_detail}
        if self.resource_specific_results:
            out["ResourceSpecificResults"] = [
                r.as_aws_dict() for r in self.resource_specific_results]
        return out

    def as_dict(self) -> dict[str, Any]:
        """The AWS shape with our statement extras (for the console's JSON export)."""
        out = self.as_aws_dict()
        out["MatchedStatements"] = [s.as_dict() for s in self.matched_statements]
        return out


def _decided_by(result: ResourceSpecificResult | EvaluationResult) -> dict[str, Any]:
    """The wire fields an EvaluationResult and a ResourceSpecificResult share, in AWS's order:
    the matched statements, missing context values and the decision details (when known)."""
    out: dict[str, Any] = {
        "MatchedStatements": [s.as_aws_dict() for s in result.matched_statements],
        "MissingContextValues": list(result.missing_context_values),
    }
    if result.eval_decision_details is not None:
        out["EvalDecisionDetails"] = dict(result.eval_decision_details)
    if result.permissions_boundary_decision_detail is not None:
        out["PermissionsBoundaryDecisionDetail"] = {
            "AllowedByPermissionsBoundary": result.permissions_boundary_decision_detail}
    return out


@dataclass(frozen=True)
class SimulationPolicy:
    """A policy of a principal as the simulator lists it (the page's checkboxes)."""

    key: str  # stable identifier for the exclusion list: ARN, "group/devs/Name", BOUNDARY_KEY
    name: str  # SourcePolicyId
    policy_type: str  # SourcePolicyType
    document: str
    kind: str = "identity"  # identity | boundary
    arn: str | None = None
    policy_id: str | None = None
    version_id: str | None = None  # "v3"
    owner: str = ""

    @property
    def label(self) -> str:
        where = f" (via {self.owner})" if self.owner and not self.owner.startswith("user/") \
            and self.kind == "identity" else ""
        version = f" {self.version_id}" if self.version_id else ""
        return f"{self.name}{version} — {self.policy_type}{where}"


@dataclass
class WhoCanRow:
    principal_type: str  # "user" | "role"
    name: str
    arn: str
    matched_statements: list[SimulatedStatement] = field(default_factory=list)
    missing_context_values: list[str] = field(default_factory=list)

