"""The entity-kind registry: one description of each IAM entity kind, read by every door.

A kind says what AWS calls it (the noun in its actions: `iam:Tag{noun}`), its ARN shape and id
prefix, its name rules, which families of operations it has (paths, tags, inline policies,
managed-policy attachments, a permissions boundary), what blocks its deletion, and its labels in
the console and the APIs. The console's generic views, the REST routes and the Query API's
per-kind handlers are generated from it; a kind's domain operations keep AWS's names
(`tag_user`, `list_role_tags`, `put_user_permissions_boundary`) and are found with `op`.

Adding a kind: a model, its domain operations in `iam.services`, one `Kind(...)` below, and only
its truly special views (README, "Adding an entity kind").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

from . import arns
from . import identifiers as ids
from . import models as m


@dataclass(frozen=True)
class Blocker:
    """One thing that must be removed before an entity can be deleted (AWS DeleteConflict):
    `present(entity)` says whether the entity still has it."""

    label: str  # "access keys", as the DeleteConflict message names it
    present: Callable[[Any], bool]
    relation: str = ""  # the relation `present` asks about: many entities asked in one query


def _has(label: str, relation: str) -> Blocker:
    """A blocker that is a related row (access keys, group memberships...)."""
    return Blocker(label, lambda entity: getattr(entity, relation).exists(), relation)


@dataclass(frozen=True)
class Kind:
    key: str  # "user": registry key, console/REST URL segment, audit resource_type
    noun: str  # "User": the noun of its AWS actions and Query API parameters
    plural: str  # "users": console/REST collection segment
    label: str  # "User": console and API label
    label_plural: str  # "Users"
    model: type[Model]
    arn_type: str  # ARN resource type: arn:aws:iam::<account>:<arn_type><path><name>
    id_prefix: str  # first four letters of its unique id (AIDA...)
    id_field: str  # model field of the unique id ("" when it has none)
    name_field: str = "name"
    name_max_key: str = ""  # key of identifiers.NAME_MAX (defaults to `key`)
    name_param: str = ""  # Query API parameter naming one ("UserName"); default f"{noun}Name"
    has_path: bool = True
    has_tags: bool = False
    has_inline_policies: bool = False
    has_attachments: bool = False
    has_boundary: bool = False
    has_members: bool = False  # a group's users
    principal: bool = False  # may be named as a Principal in policies (user, role)
    delete_blockers: tuple[Blocker, ...] = field(default=())
    inline_model: type[Model] | None = None  # its inline policies' model
    attachment_model: type[Model] | None = None  # its managed-policy attachments' model
    owner_field: str = ""  # FK name on inline/attachment models ("user")
    # Query API parameter naming an existing one in its operations (Tag, Delete...): default
    # `name_parameter`; a policy is named by "PolicyArn", an MFA device by "SerialNumber".
    ref_param: str = ""

    # --- names and ARNs ---------------------------------------------------------------------

    @property
    def name_max(self) -> int:
        return ids.NAME_MAX[self.name_max_key or self.key]

    @property
    def name_parameter(self) -> str:
        return self.name_param or f"{self.noun}Name"

    def arn(self, name: str, path: str = "/") -> str:
        return arns.entity(self.arn_type, name, path or "/")

    def any_arn(self, *_: Any, **__: Any) -> str:
        """`<type>/*` in the current account: a resource declared once (a view decorator, a
        navigation entry) and worked out per request, when the account is known."""
        return self.arn("*")

    def parse_arn(self, value: str | None) -> arns.Arn | None:
        """The parts of an ARN of this kind in this account, or None."""
        parsed = arns.parse_named(value, self.arn_type)
        return parsed if parsed is not None and parsed.is_local else None

    def action(self, template: str) -> str:
        """`iam:` + the AWS operation of this kind: action("Tag{noun}") == "iam:TagUser"."""
        return "iam:" + template.format(noun=self.noun)

    # --- its domain operations --------------------------------------------------------------

    def op(self, template: str) -> Callable[..., Any]:
        """The domain operation named by AWS's operation `template` for this kind, e.g.
        op("Tag{noun}") is services.tag_user, op("List{noun}Tags") services.list_user_tags."""
        from . import services

        return getattr(services, self.op_name(template))

    def has_op(self, template: str) -> bool:
        from . import services

        return hasattr(services, self.op_name(template))

    def find(self, name: str, caller=None, action: str | None = None, **kwargs) -> Any:
        """The entity named `name` (NoSuchEntity otherwise, authorized first: see
        services.lookup.authorize_missing)."""
        return self.op("find_{noun}")(name, caller, action, **kwargs)

    def deletion_blockers(self, entity: Any) -> list[str]:
        """What still blocks deleting `entity`, in AWS's order (empty: it can be deleted)."""
        return [b.label for b in self.delete_blockers if b.present(entity)]

    def deletion_blockers_of(self, entities: list[Any]) -> dict[Any, list[str]]:
        """`deletion_blockers` of many entities (pk → labels): one query per related blocker."""
        found: dict[Any, list[str]] = {entity.pk: [] for entity in entities}
        for blocker in self.delete_blockers:
            if blocker.relation:
                having = set(self.model._default_manager.filter(
                    pk__in=list(found), **{f"{blocker.relation}__isnull": False})
                    .values_list("pk", flat=True))
            else:
                having = {entity.pk for entity in entities if blocker.present(entity)}
            for pk in sorted(having, key=str):
                found[pk].append(blocker.label)
        return found

    @property
    def ref_parameter(self) -> str:
        """The Query API parameter that names an existing entity of this kind ("PolicyArn")."""
        return self.ref_param or self.name_parameter

    def op_name(self, template: str) -> str:
        """The name of the domain operation `template` of this kind: "list_user_tags"."""
        return _snake(template.format(noun=self.noun))


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _snake(name: str) -> str:
    """"ListUserTags" -> "list_user_tags", "find_{User}" -> "find_user"."""
    return _CAMEL.sub("_", name).lower().replace("__", "_")


# What every identity must be rid of before it is deleted, between its own blockers.
_HOLDS_POLICIES = (_has("inline policies", "inline_policies"),
                   _has("attached policies", "policy_attachments"))


def _identity(noun: str, model: type[Model], id_prefix: str, inline: type[Model],
              attachment: type[Model], *, blocked_first: tuple[Blocker, ...] = (),
              blocked_last: tuple[Blocker, ...] = (), **features: bool) -> Kind:
    """A user, group or role: the kinds that policies are attached to and inline in."""
    key = noun.lower()
    return Kind(key=key, noun=noun, plural=f"{key}s", label=noun, label_plural=f"{noun}s",
                model=model, arn_type=key, id_prefix=id_prefix, id_field=f"{key}_id",
                has_inline_policies=True, has_attachments=True,
                delete_blockers=(*blocked_first, *_HOLDS_POLICIES, *blocked_last),
                inline_model=inline, attachment_model=attachment, owner_field=key, **features)


USER = _identity(
    "User", m.User, "AIDA", m.UserInlinePolicy, m.UserPolicyAttachment,
    has_tags=True, has_boundary=True, principal=True,
    blocked_first=(Blocker("login profile", lambda user: user.has_usable_password()),
                   _has("access keys", "access_keys"),
                   _has("signing certificates", "signing_certificates"),
                   _has("SSH public keys", "ssh_public_keys"),
                   _has("service-specific credentials", "service_specific_credentials"),
                   _has("MFA devices", "mfa_devices")),
    blocked_last=(_has("group memberships", "iam_groups"),),
)
GROUP = _identity("Group", m.Group, "AGPA", m.GroupInlinePolicy, m.GroupPolicyAttachment,
                  has_members=True, blocked_first=(_has("users", "members"),))
# AWS's DeleteRole and DeleteInstanceProfile both say "must remove roles from instance profile".
_IN_PROFILE = "roles from instance profile"
ROLE = _identity("Role", m.Role, "AROA", m.RoleInlinePolicy, m.RolePolicyAttachment,
                 has_tags=True, has_boundary=True, principal=True,
                 blocked_first=(_has(_IN_PROFILE, "instance_profiles"),))
POLICY = Kind(
    key="policy", noun="Policy", plural="policies", label="Policy", label_plural="Policies",
    model=m.ManagedPolicy, arn_type="policy", id_prefix="ANPA", id_field="policy_id",
    has_tags=True, name_param="PolicyName", ref_param="PolicyArn",
)
MFA_DEVICE = Kind(
    key="mfa", noun="MFADevice", plural="mfa-devices", label="MFA device",
    label_plural="MFA devices", model=m.VirtualMFADevice, arn_type="mfa", id_prefix="",
    id_field="", has_tags=True, name_param="VirtualMFADeviceName", ref_param="SerialNumber",
)

INSTANCE_PROFILE = Kind(
    key="instance_profile", noun="InstanceProfile", plural="instance-profiles",
    label="Instance profile", label_plural="Instance profiles", model=m.InstanceProfile,
    arn_type="instance-profile", id_prefix="AIPA", id_field="instance_profile_id",
    has_tags=True, delete_blockers=(_has(_IN_PROFILE, "roles"),),
)

SERVER_CERTIFICATE = Kind(
    key="server_certificate", noun="ServerCertificate", plural="server-certificates",
    label="Server certificate", label_plural="Server certificates", model=m.ServerCertificate,
    arn_type="server-certificate", id_prefix="ASCA", id_field="server_certificate_id",
    has_tags=True,
)

# Named by its URL without https:// ("token.actions.githubusercontent.com"), which is its ARN's
# resource (oidc-provider/<host/path>); the Query API names one by its ARN.
OIDC_PROVIDER = Kind(
    key="oidc_provider", noun="OpenIDConnectProvider", plural="oidc-providers",
    label="OIDC provider", label_plural="OIDC providers", model=m.OpenIDConnectProvider,
    arn_type="oidc-provider", id_prefix="", id_field="", has_path=False, has_tags=True,
    name_param="Url", ref_param="OpenIDConnectProviderArn",
)

SAML_PROVIDER = Kind(
    key="saml_provider", noun="SAMLProvider", plural="saml-providers", label="SAML provider",
    label_plural="SAML providers", model=m.SAMLProvider, arn_type="saml-provider",
    id_prefix="", id_field="saml_provider_uuid", name_param="Name", ref_param="SAMLProviderArn",
    has_path=False, has_tags=True,
)

KINDS: dict[str, Kind] = {k.key: k for k in (USER, GROUP, ROLE, POLICY, MFA_DEVICE,
                                             INSTANCE_PROFILE, SERVER_CERTIFICATE,
                                             OIDC_PROVIDER, SAML_PROVIDER)}
# The identities: what policies are attached to and inline in (users, groups, roles).
IDENTITIES: dict[str, Kind] = {k: v for k, v in KINDS.items() if v.has_attachments}


def get(key: str) -> Kind:
    """The kind `key` ("user"); KeyError for an unknown one."""
    return KINDS[key]


def by_noun(noun: str) -> Kind:
    """The kind whose AWS noun is `noun` ("User")."""
    return next(k for k in KINDS.values() if k.noun == noun)


def of(entity: Any) -> Kind:
    """The kind of a model instance."""
    return next(k for k in KINDS.values() if isinstance(entity, k.model))


def with_(feature: str) -> Iterator[Kind]:
    """The kinds that have `feature` ("tags", "boundary", "inline_policies", ...)."""
    return (k for k in KINDS.values() if getattr(k, f"has_{feature}"))


def kind_of_arn(value: str | None) -> Kind | None:
    """The kind of a local entity ARN (user/group/role/policy/mfa), or None."""
    parsed = arns.parse_any(value)
    if parsed is None or parsed.service != "iam" or not parsed.name:
        return None
    return next((k for k in KINDS.values() if k.arn_type == parsed.type), None)
