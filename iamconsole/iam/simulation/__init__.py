"""The policy simulator: SimulatePrincipalPolicy, SimulateCustomPolicy, GetContextKeysFor…Policy,
and the reverse "who can" query. The one place simulation logic lives: the console's simulator
page, the REST API and the Query API all call these functions.

The package, by responsibility: ``results`` (what comes back), ``inputs`` (reading and
validating the request), ``compiled`` (compiling policies, cached by content), ``principals``
(the simulated user, group or role and its policies, gathered once per request as a
:class:`PrincipalPolicies` that a page passes to every operation), ``run`` (each action ×
resource through the engine; the operations) and ``whocan`` (the reverse query).

Choices, where AWS leaves room or where we differ (each one deliberate):

* Action names are exact names (AWS: "This operation does not support using wildcards (*) in an
  action name"). A name with ``*`` or ``?`` or one not in the service catalog raises
  ``InvalidInput`` (field ``action_names``). Front doors that accept patterns (the console page)
  expand them first with :func:`expand_action_patterns`.
* Results come one per action × resource, in the order given (classic AWS shape):
  ``EvalResourceName`` is the resource ARN (``*`` when no ResourceArns), and when ResourceArns
  are given each result also carries one ``ResourceSpecificResults`` entry for that resource.
  With a ``ResourceHandlingOption`` (the EC2 scenarios) all resources of an action are judged
  together: one result per action, ``EvalResourceName`` ``*``, the most restrictive decision, and
  one ``ResourceSpecificResults`` entry per resource.
* Matched statements: ``SourcePolicyId`` is the policy name for a principal's own policies
  (SourcePolicyType user | group | role | user-managed | aws-managed), ``PolicyInputList.N`` and
  ``PermissionsBoundaryPolicyInputList.N`` for pasted policies (type ``none``), ``ResourcePolicy``
  for the resource policy (type ``resource``). The same managed policy reached twice (attached to
  the user and to one of its groups) is evaluated once.
* Request context: like AWS's simulator we fill the simulated principal's identity keys —
  ``aws:username`` (users), ``aws:userid``, ``aws:PrincipalArn``, ``aws:PrincipalType``,
  ``aws:PrincipalAccount``, ``aws:PrincipalTag/*`` — from the CallerArn, or else from the
  PolicySourceArn when it is a user or role (a group is not a principal, so nothing). Request
  facts (aws:CurrentTime, aws:SourceIp, aws:SecureTransport, …) are never invented: a policy that
  needs them reports them in MissingContextValues unless ContextEntries supply them. Given
  ContextEntries always win over the filled values.
* ``EvalDecisionDetails`` follows AWS: absent for same-account simulations on ``*``, ``{}`` for
  same-account simulations of a resource ARN, and for cross-account ones (the resource ARN's
  account, or ResourceOwner, differs from the principal's) the decision of each policy type:
  ``{"IAM Policy": …, "Resource Policy": …}`` (plus ``"Permissions Boundary Policy"``).
* ``who_can`` is authorized by ``iam:SimulatePrincipalPolicy`` on ``*``: it discloses what every
  user and role may do, i.e. it is SimulatePrincipalPolicy on every principal at once.
"""

from .compiled import _COMPILED  # the compile cache (benchmarks/who_can.py clears it)
from .exclusions import exclusion_keys
from .inputs import RESOURCE_HANDLING_OPTIONS, expand_action_patterns
from .principals import PrincipalPolicies, gather_principal, principal_policies
from .results import (
    BOUNDARY_KEY,
    EvaluationResult,
    ResourceSpecificResult,
    SimulatedStatement,
    SimulationPolicy,
    WhoCanRow,
)
from .run import (
    get_context_keys_for_custom_policy,
    get_context_keys_for_principal_policy,
    simulate_custom_policy,
    simulate_principal_policy,
)
from .whocan import who_can

__all__ = [
    "BOUNDARY_KEY",
    "RESOURCE_HANDLING_OPTIONS",
    "EvaluationResult",
    "PrincipalPolicies",
    "ResourceSpecificResult",
    "SimulatedStatement",
    "SimulationPolicy",
    "WhoCanRow",
    "exclusion_keys",
    "expand_action_patterns",
    "gather_principal",
    "get_context_keys_for_custom_policy",
    "get_context_keys_for_principal_policy",
    "principal_policies",
    "simulate_custom_policy",
    "simulate_principal_policy",
    "who_can",
]
