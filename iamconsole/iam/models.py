"""The IAM data model as AWS defines it: users, groups, roles, managed and inline policies,
attachments, tags, access keys, virtual MFA devices, password history, the account password
policy, temporary (STS) credentials and the audit log.

Rules and limits live in `iamconsole.iam.services`, not here: models only hold data and derive
AWS's read-only fields (ARN, ids).
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from . import arns, tenancy
from . import identifiers as ids
from .tenancy import AccountOwned, AccountScopedManager


@models.CharField.register_lookup
class CaseInsensitiveExact(models.Lookup):
    """`name__ci=value`: LOWER(name) = LOWER(value), the expression the case-insensitive unique
    indexes below are built on, so PostgreSQL answers from the index (`__iexact` compiles to
    UPPER(...) = UPPER(...) there, which no index serves: a sequential scan per lookup)."""

    lookup_name = "ci"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"LOWER({lhs}) = LOWER({rhs})", [*lhs_params, *rhs_params]


class Account(models.Model):
    """An AWS account: a 12-digit id that owns IAM entities. The first one
    (`IAM_ACCOUNT_ID`) exists from the first migration; more are created through the
    organization (`CreateAccount`)."""

    ACTIVE, SUSPENDED = "ACTIVE", "SUSPENDED"

    id = models.CharField(primary_key=True, max_length=12)
    name = models.CharField(max_length=50, blank=True, default="")
    email = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=16, default=ACTIVE)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.id


class NamedEntity:
    """A user, group, role, policy or MFA device: known by its name, with an ARN of type
    `ARN_TYPE` under its path (no fields here: the models keep their own)."""

    ARN_TYPE = ""

    def __str__(self) -> str:
        return self.name

    @property
    def arn(self) -> str:
        return arns.entity(self.ARN_TYPE, self.name, self.path, account=self.account_id)


def _named_entity_meta(key: str, *constraints: models.BaseConstraint) -> type:
    """The Meta of a user, group or role: ordered by name, the name unique in its account
    ignoring case (the index `name__ci` lookups use), an index on the path (PathPrefix
    listings)."""
    return type("Meta", (), {
        "ordering": ["name"],
        "default_manager_name": "objects",
        "constraints": [models.UniqueConstraint("account", Lower("name"),
                                                name=f"iam_{key}_name_ci_unique"),
                        *constraints],
        "indexes": [models.Index(fields=["account", "path"])],
    })


class TaggedEntity(models.Model):
    """Tags as AWS keeps them: an ordered mapping of key → value (keys unique ignoring case)."""

    tags = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    @property
    def tag_list(self) -> list[dict[str, str]]:
        return [{"Key": k, "Value": v} for k, v in self.tags.items()]


class UserManager(AccountScopedManager, BaseUserManager):
    def get_by_natural_key(self, username: str) -> User:
        return self.get(name__ci=username)

    def create_user(self, name: str, password: str | None = None, **fields) -> User:
        user = self.model(name=name, **fields)
        user.set_password(password)  # None → unusable password (no login profile)
        user.save(using=self._db)
        return user

    def create_superuser(self, name: str, password: str | None = None, **fields) -> User:
        """`createsuperuser` creates the account's root user, which may do everything."""
        fields["is_root"] = True
        return self.create_user(name, password, **fields)


class User(NamedEntity, AbstractBaseUser, TaggedEntity, AccountOwned):
    """An IAM user; also the Django user who signs in to the console (when it has a password)."""

    ARN_TYPE = "user"

    # Unique per account (Meta); Django's auth check for a globally unique USERNAME_FIELD is
    # silenced in settings: sign-in names the account (iamconsole.iam.backends).
    name = models.CharField("user name", max_length=64)
    path = models.CharField(max_length=512, default="/")
    user_id = models.CharField(max_length=32, unique=True, default=ids.new_user_id, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    is_root = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    permissions_boundary = models.ForeignKey(
        "ManagedPolicy", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Login profile (console password): present when the password is usable.
    login_profile_created_at = models.DateTimeField(null=True, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    password_last_used = models.DateTimeField(null=True, blank=True)
    password_reset_required = models.BooleanField(default=False)
    # Bumped on every change, for stale-edit detection (ETag / If-Match, console forms).
    revision = models.PositiveIntegerField(default=1)

    objects = UserManager()
    everywhere = models.Manager()  # noqa: DJ012 (ruff takes it for a field)

    USERNAME_FIELD = "name"
    REQUIRED_FIELDS: list[str] = []

    Meta = _named_entity_meta("user", models.UniqueConstraint(
        fields=["account"], condition=models.Q(is_root=True), name="iam_single_root_user"))

    @property
    def arn(self) -> str:
        return arns.root(self.account_id) if self.is_root else super().arn

    @property
    def has_login_profile(self) -> bool:
        return self.has_usable_password()


class Group(NamedEntity, AccountOwned):
    ARN_TYPE = "group"

    name = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    group_id = models.CharField(
        max_length=32, unique=True, default=ids.new_group_id, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    members = models.ManyToManyField(User, related_name="iam_groups", blank=True)
    revision = models.PositiveIntegerField(default=1)

    Meta = _named_entity_meta("group")


class Role(NamedEntity, TaggedEntity, AccountOwned):
    ARN_TYPE = "role"

    name = models.CharField(max_length=64)
    path = models.CharField(max_length=512, default="/")
    role_id = models.CharField(max_length=32, unique=True, default=ids.new_role_id, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    description = models.CharField(max_length=1000, blank=True, default="")
    assume_role_policy_document = models.TextField()
    max_session_duration = models.PositiveIntegerField(default=3600)
    permissions_boundary = models.ForeignKey(
        "ManagedPolicy", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_region = models.CharField(max_length=32, blank=True, default="")
    # A service-linked role's service ("elasticbeanstalk.amazonaws.com"); "" for other roles.
    aws_service_name = models.CharField(max_length=128, blank=True, default="")
    revision = models.PositiveIntegerField(default=1)

    Meta = _named_entity_meta("role")

    @property
    def is_service_linked(self) -> bool:
        """Created by CreateServiceLinkedRole: only its description may change."""
        return bool(self.aws_service_name)


class InstanceProfile(NamedEntity, TaggedEntity, AccountOwned):
    """An instance profile: the container that passes one role to an EC2 instance."""

    ARN_TYPE = "instance-profile"

    name = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    instance_profile_id = models.CharField(
        max_length=32, unique=True, default=ids.new_instance_profile_id, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    roles = models.ManyToManyField(Role, related_name="instance_profiles", blank=True)
    revision = models.PositiveIntegerField(default=1)

    Meta = _named_entity_meta("instance_profile")


class ServerCertificate(NamedEntity, TaggedEntity, AccountOwned):
    """A server certificate (UploadServerCertificate): a PEM X.509 certificate, its optional
    chain and its private key, kept encrypted (`iam.crypto`) and never answered by any door."""

    ARN_TYPE = "server-certificate"

    name = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    server_certificate_id = models.CharField(
        max_length=32, unique=True, default=ids.new_server_certificate_id, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)  # UploadDate
    certificate_body = models.TextField()
    certificate_chain = models.TextField(blank=True, default="")
    private_key_encrypted = models.TextField()  # iam.crypto.encrypt(PEM private key)
    expiration = models.DateTimeField()  # the certificate's notAfter
    revision = models.PositiveIntegerField(default=1)

    Meta = _named_entity_meta("server_certificate")

    @property
    def is_expired(self) -> bool:
        return self.expiration <= timezone.now()


class OpenIDConnectProvider(NamedEntity, TaggedEntity, AccountOwned):
    """An OIDC identity provider (CreateOpenIDConnectProvider) whose ID tokens
    AssumeRoleWithWebIdentity accepts: known by its URL without https:// (`name`: host and
    optional path), which is also its ARN's resource: `oidc-provider/<host/path>`."""

    ARN_TYPE = "oidc-provider"
    path = "/"  # no IAM path: the ARN is oidc-provider/<url without https://>

    name = models.CharField(max_length=255)
    client_ids = models.JSONField(default=list, blank=True)  # the audiences accepted
    thumbprints = models.JSONField(default=list, blank=True)  # 40 hex digits each
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        default_manager_name = "objects"
        constraints = [models.UniqueConstraint("account", Lower("name"),
                                               name="iam_oidc_provider_url_ci_unique")]

    @property
    def url(self) -> str:
        return "https://" + self.name


class SAMLProvider(NamedEntity, TaggedEntity, AccountOwned):
    """A SAML 2.0 identity provider (CreateSAMLProvider): the IdP's metadata document as
    uploaded and what was read from it (entity id, signing certificates, validUntil). Its
    private keys (for encrypted assertions) are kept encrypted (`iam.crypto`), never answered."""

    ARN_TYPE = "saml-provider"
    path = "/"  # SAML providers have no path: arn:aws:iam::<account>:saml-provider/<name>

    name = models.CharField(max_length=128)
    saml_provider_uuid = models.CharField(max_length=64, unique=True,
                                          default=ids.new_saml_provider_uuid, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)  # CreateDate
    metadata_document = models.TextField()
    entity_id = models.CharField(max_length=1024)  # the IdP's entityID (saml:iss)
    signing_certificates = models.JSONField(default=list)  # base64 DER X.509 certificates
    valid_until = models.DateTimeField()
    assertion_encryption_mode = models.CharField(max_length=16, blank=True, default="")
    # [{"KeyId": ..., "Timestamp": iso, "Encrypted": crypto.encrypt(PEM)}]
    private_keys = models.JSONField(default=list, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        default_manager_name = "objects"
        constraints = [models.UniqueConstraint("account", Lower("name"),
                                               name="iam_saml_provider_name_ci_unique")]


class ServiceLinkedRoleDeletion(AccountOwned):
    """A DeleteServiceLinkedRole task, kept so GetServiceLinkedRoleDeletionStatus can answer
    after the role is gone (the deletion itself completes at once)."""

    SUCCEEDED, IN_PROGRESS, FAILED, NOT_STARTED = "SUCCEEDED", "IN_PROGRESS", "FAILED", \
        "NOT_STARTED"

    task_id = models.CharField(max_length=1000, unique=True)
    role_name = models.CharField(max_length=64)
    role_arn = models.CharField(max_length=2048)
    status = models.CharField(max_length=16, default=NOT_STARTED)
    reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return self.task_id


class PolicyScopedManager(AccountScopedManager):
    """`ManagedPolicy.objects`: the current account's policies and the AWS managed policies,
    which every account sees and attaches (they are rows of the default account, loaded by
    aws_catalog)."""

    def get_queryset(self) -> models.QuerySet:
        queryset = models.Manager.get_queryset(self)
        if hasattr(self, "core_filters"):
            return queryset
        here = tenancy.current()
        if here == tenancy.default_account_id():
            return queryset.filter(account_id=here)
        return queryset.filter(models.Q(account_id=here) | models.Q(
            is_aws_managed=True, account_id=tenancy.default_account_id()))


class ManagedPolicy(NamedEntity, TaggedEntity, AccountOwned):
    """A managed policy. `is_aws_managed` marks AWS's managed policies (ARN
    `arn:aws:iam::aws:policy/…`, the catalog of aws_catalog): visible to every account, and
    read-only."""

    ARN_TYPE = "policy"

    objects = PolicyScopedManager()
    everywhere = models.Manager()  # noqa: DJ012

    name = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")
    policy_id = models.CharField(
        max_length=32, unique=True, default=ids.new_policy_id, editable=False
    )
    description = models.CharField(max_length=1000, blank=True, default="")
    is_aws_managed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    # AWS never reuses a version id: v1, v2… keep increasing after deletions.
    next_version_number = models.PositiveIntegerField(default=1)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "managed policies"
        constraints = [
            models.UniqueConstraint(
                "account", Lower("name"), "is_aws_managed", name="iam_policy_name_ci_unique"
            )
        ]
        indexes = [models.Index(fields=["account", "path"])]

    @property
    def arn(self) -> str:
        return arns.policy(self.name, self.path, aws_managed=self.is_aws_managed,
                           account=self.account_id)

    @property
    def policy_type(self) -> str:
        """SimulatePrincipalPolicy's SourcePolicyType."""
        return "aws-managed" if self.is_aws_managed else "user-managed"


class PolicyVersion(models.Model):
    policy = models.ForeignKey(ManagedPolicy, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.TextField()
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["policy_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="iam_policy_version_unique"),
            models.UniqueConstraint(
                fields=["policy"], condition=models.Q(is_default=True),
                name="iam_policy_single_default_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy.name} {self.version_id}"

    @property
    def version_id(self) -> str:
        return f"v{self.number}"


class InlinePolicy(models.Model):
    name = models.CharField(max_length=128)
    document = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def _inline_policy_model(owner: type[models.Model], field: str) -> type[InlinePolicy]:
    """The inline policies of users, groups or roles: `field` is the owner's foreign key."""
    name = f"{owner.__name__}InlinePolicy"
    meta = type("Meta", (InlinePolicy.Meta,), {"constraints": [
        models.UniqueConstraint(fields=[field, "name"], name=f"iam_{field}_inline_u")]})
    return type(name, (InlinePolicy,), {
        "__module__": __name__, "__qualname__": name, "Meta": meta,
        field: models.ForeignKey(owner, on_delete=models.CASCADE, related_name="inline_policies"),
    })


def _attachment_model(owner: type[models.Model], field: str) -> type[models.Model]:
    """The managed policies attached to users, groups or roles: `field` is the owner's FK."""
    name = f"{owner.__name__}PolicyAttachment"
    meta = type("Meta", (), {"constraints": [
        models.UniqueConstraint(fields=[field, "policy"], name=f"iam_{field}_att_u")]})
    return type(name, (models.Model,), {
        "__module__": __name__, "__qualname__": name, "Meta": meta,
        field: models.ForeignKey(owner, on_delete=models.CASCADE,
                                 related_name="policy_attachments"),
        "policy": models.ForeignKey(ManagedPolicy, on_delete=models.PROTECT,
                                    related_name=f"{field}_attachments"),
        "attached_at": models.DateTimeField(default=timezone.now),
    })


UserInlinePolicy = _inline_policy_model(User, "user")
GroupInlinePolicy = _inline_policy_model(Group, "group")
RoleInlinePolicy = _inline_policy_model(Role, "role")
UserPolicyAttachment = _attachment_model(User, "user")
GroupPolicyAttachment = _attachment_model(Group, "group")
RolePolicyAttachment = _attachment_model(Role, "role")


class AccessKey(models.Model):
    """A long-term access key. The secret is stored encrypted (`iamconsole.iam.crypto`)."""

    ACTIVE, INACTIVE = "Active", "Inactive"

    access_key_id = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_keys")
    secret_encrypted = models.TextField()
    status = models.CharField(
        max_length=8, choices=[(ACTIVE, ACTIVE), (INACTIVE, INACTIVE)], default=ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_service = models.CharField(max_length=64, blank=True, default="")
    last_used_region = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.access_key_id


_STATUSES = [(AccessKey.ACTIVE, AccessKey.ACTIVE), (AccessKey.INACTIVE, AccessKey.INACTIVE)]


class SSHPublicKey(models.Model):
    """An SSH public key of a user (UploadSSHPublicKey; CodeCommit's SSH credential): the body
    as uploaded (public material, stored in clear) and AWS's MD5 fingerprint of the key."""

    ACTIVE, INACTIVE = AccessKey.ACTIVE, AccessKey.INACTIVE

    ssh_public_key_id = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="ssh_public_keys")
    body = models.TextField()
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=_STATUSES, default=ACTIVE)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "fingerprint"],
                                               name="iam_sshkey_user_fingerprint_unique")]

    def __str__(self) -> str:
        return self.ssh_public_key_id


class SigningCertificate(models.Model):
    """An X.509 signing certificate of a user (UploadSigningCertificate): the PEM body as
    uploaded and the SHA-256 of its DER form, unique in the account (DuplicateCertificate)."""

    ACTIVE, INACTIVE = AccessKey.ACTIVE, AccessKey.INACTIVE

    certificate_id = models.CharField(max_length=128, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE,
                             related_name="signing_certificates")
    body = models.TextField()
    fingerprint = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=8, choices=_STATUSES, default=ACTIVE)
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.certificate_id


class ServiceSpecificCredential(models.Model):
    """A service-specific credential (CodeCommit Git credentials, Keyspaces, Bedrock API
    keys): the generated password or secret is returned once and stored only as a hash."""

    ACTIVE, INACTIVE, EXPIRED = AccessKey.ACTIVE, AccessKey.INACTIVE, "Expired"

    credential_id = models.CharField(max_length=128, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE,
                             related_name="service_specific_credentials")
    service_name = models.CharField(max_length=128)
    service_user_name = models.CharField(max_length=200, blank=True, default="")
    alias = models.CharField(max_length=200, blank=True, default="")
    secret_hash = models.CharField(max_length=256)
    status = models.CharField(max_length=8, choices=_STATUSES, default=ACTIVE)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["service_name"])]

    def __str__(self) -> str:
        return self.credential_id


class VirtualMFADevice(NamedEntity, TaggedEntity, AccountOwned):
    """A virtual MFA device (authenticator app). Created unassigned, bound to a user by
    EnableMFADevice. The TOTP seed is stored encrypted; `last_used_step` blocks code replay."""

    name = models.CharField(max_length=226)
    path = models.CharField(max_length=512, default="/")
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="mfa_devices"
    )
    secret_encrypted = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    enabled_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(null=True, blank=True)

    ARN_TYPE = "mfa"

    class Meta:
        ordering = ["name"]
        # AWS: the name "must be unique. Use with path to uniquely identify a virtual MFA
        # device" (EntityAlreadyExists "at the same path and name"): unique per account and path.
        constraints = [models.UniqueConstraint("account", "path", Lower("name"),
                                               name="iam_mfa_path_name_ci_unique")]

    @property
    def serial_number(self) -> str:
        return self.arn


class PasswordHistory(models.Model):
    """Hashes of a user's previous passwords, for PasswordReusePrevention. Never plain text."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=256)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]


class AccountPasswordPolicy(AccountOwned):
    """The account password policy (one row per account at most; no row means no policy)."""

    minimum_password_length = models.PositiveSmallIntegerField(default=8)
    require_symbols = models.BooleanField(default=False)
    require_numbers = models.BooleanField(default=False)
    require_uppercase_characters = models.BooleanField(default=False)
    require_lowercase_characters = models.BooleanField(default=False)
    allow_users_to_change_password = models.BooleanField(default=False)
    max_password_age = models.PositiveSmallIntegerField(null=True, blank=True)
    password_reuse_prevention = models.PositiveSmallIntegerField(null=True, blank=True)
    hard_expiry = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account"],
                                               name="iam_password_policy_per_account")]

    @property
    def expire_passwords(self) -> bool:
        return bool(self.max_password_age)


class AccountSettings(AccountOwned):
    """Account-wide settings (one row per account): alias (unique across accounts, as AWS's
    sign-in URLs need) and whether console users must use MFA."""

    alias = models.CharField(max_length=63, blank=True, default="")
    require_mfa = models.BooleanField(default=False)
    credential_report_generated_at = models.DateTimeField(null=True, blank=True)
    credential_report = models.TextField(blank=True, default="")
    # SetSecurityTokenServicePreferences: v1Token (AWS's default) or v2Token.
    global_endpoint_token_version = models.CharField(max_length=8, default="v1Token")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account"], name="iam_settings_per_account"),
            models.UniqueConstraint(fields=["alias"], condition=~models.Q(alias=""),
                                    name="iam_account_alias_unique"),
        ]

    @classmethod
    def load(cls) -> AccountSettings:
        """The current account's settings."""
        obj, _ = cls.objects.get_or_create()
        return obj


class TemporaryCredential(models.Model):
    """STS credentials (ASIA… key, secret encrypted, session token hashed) from AssumeRole or
    GetSessionToken. They stop working at `expires_at`. A user's credential with a
    `session_name` is a GetFederationToken session (`Caller.is_federated`)."""

    access_key_id = models.CharField(max_length=32, unique=True)
    secret_encrypted = models.TextField()
    session_token_hash = models.CharField(max_length=64)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="sts_credentials"
    )
    role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.CASCADE, related_name="sessions"
    )
    source_arn = models.CharField(max_length=2048, blank=True, default="")
    session_name = models.CharField(max_length=64, blank=True, default="")
    session_policy = models.TextField(blank=True, default="")
    session_policy_arns = models.JSONField(default=list, blank=True)
    session_tags = models.JSONField(default=dict, blank=True)
    source_identity = models.CharField(max_length=64, blank=True, default="")
    mfa_authenticated = models.BooleanField(default=False)
    mfa_authenticated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]


class ServiceLastAccessed(AccountOwned):
    """When a user or role (a role session's role) was last authenticated for a service, i.e.
    last allowed an action of it, and for IAM and STS per action (`action` "" is the service
    row). Keyed by the principal's unique id (AIDA…, AROA…): a new entity of a deleted one's
    name starts afresh, as on AWS. Written by `iam.last_accessed`, at most once a minute."""

    principal_type = models.CharField(max_length=8)  # user | role
    principal_id = models.CharField(max_length=32)
    entity_path = models.CharField(max_length=512, default="/")
    service = models.CharField(max_length=64)
    action = models.CharField(max_length=128, blank=True, default="")
    last_authenticated = models.DateTimeField()
    region = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal_id", "service", "action"],
                                               name="iam_last_accessed_unique")]

    def __str__(self) -> str:
        return f"{self.principal_id} {self.service}:{self.action} {self.last_authenticated}"


class ServiceLastAccessedJob(AccountOwned):
    """A GenerateServiceLastAccessedDetails report, computed at once and kept as generated (a
    snapshot, as AWS's): `report` holds the services and, per service, the entities."""

    job_id = models.CharField(max_length=36, unique=True)
    arn = models.CharField(max_length=2048)
    granularity = models.CharField(max_length=16, default="SERVICE_LEVEL")
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField()
    report = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.job_id


class Counter(models.Model):
    """A shared counter with an expiry (sign-in failures, request rates) for deployments without
    Redis: incremented atomically by `iamconsole.iam.counters`, whatever the number of workers."""

    key = models.CharField(max_length=250, unique=True)
    value = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class SignInLock(AccountOwned):
    """The index of sign-in locks on existing users, so that an administrator can list them:
    the lock itself is in the cache (iamconsole.iam.lockout), which cannot be enumerated.
    A row is written when a user's name gets locked, removed when an administrator unlocks it;
    one whose `locked_until` passed (or whose lock the cache no longer holds) is stale."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_locks")
    kind = models.CharField(max_length=16)  # lockout.PASSWORD | lockout.MFA
    locked_until = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"],
                                               name="iam_sign_in_lock_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} until {self.locked_until}"


class ConsoleSession(AccountOwned):
    """A user's signed-in console session (Django's sessions are not indexed by user): written
    at sign-in, its `session_key` kept in step when the session cycles its key, `last_seen_at`
    refreshed at most once a minute; revoking it deletes the Django session."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="console_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    client_address = models.CharField(max_length=64, blank=True, default="")
    user_agent = models.CharField(max_length=512, blank=True, default="")

    class Meta:
        ordering = ["-last_seen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} since {self.created_at}"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("audit events are immutable")

    def delete(self):
        raise PermissionError("audit events are immutable")


class AuditEvent(AccountOwned):
    """One change (or security event): who did what to which object, when, from where, with the
    old and new values. Immutable: no update or delete through any interface, and on PostgreSQL
    a trigger refuses UPDATE and DELETE in the database itself (migration 0004)."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.CharField(max_length=256, blank=True, default="")  # name shown in the log
    actor_arn = models.CharField(max_length=2048, blank=True, default="")
    auth_method = models.CharField(max_length=32, blank=True, default="")
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True, default="")
    action = models.CharField(max_length=128, db_index=True)  # e.g. iam:CreateUser
    resource_type = models.CharField(max_length=32, blank=True, default="", db_index=True)
    resource_name = models.CharField(max_length=512, blank=True, default="")
    resource_arn = models.CharField(max_length=2048, blank=True, default="")
    outcome = models.CharField(max_length=16, default="success")  # success | failure | denied
    error_code = models.CharField(max_length=64, blank=True, default="")  # CloudTrail errorCode
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    detail = models.TextField(blank=True, default="")

    objects = AccountScopedManager.from_queryset(AuditEventQuerySet)()
    everywhere = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit events are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are immutable")


class OutboundFederation(AccountOwned):
    """Outbound web identity federation of an account (one row per account at most): whether
    its principals may get JWTs from sts:GetWebIdentityToken (iam/outbound_federation.py)."""

    enabled = models.BooleanField(default=False)
    enabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account"],
                                               name="iam_outbound_federation_per_account")]


class OutboundSigningKey(AccountOwned):
    """A key pair that signs an account's web identity tokens. The private key is stored
    encrypted (iam/crypto.py); a retired key signs no more but its public key stays in the JWKS
    until `published_until`, when the last token it signed has expired."""

    kid = models.CharField(max_length=64, unique=True)
    algorithm = models.CharField(max_length=8)  # RS256 | ES384
    private_key_encrypted = models.TextField()
    public_jwk = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)
    published_until = models.DateTimeField(null=True, blank=True)


class CustomService(AccountOwned):
    """A service of the account's own (an internal API, a gateway) that iamconsole's policies
    govern: its prefix, actions (with access levels), resource types and condition keys, as
    AWS's service authorization reference describes a service. Policies, the validator, the
    editor's autocomplete, the simulator and the decision API (iam/decisions.py) know them."""

    prefix = models.CharField(max_length=64)
    name = models.CharField(max_length=256, blank=True, default="")
    actions = models.JSONField(default=list)  # [{name, access_level, resource_types, ...}]
    resource_types = models.JSONField(default=list)  # [{name, arn}]
    condition_keys = models.JSONField(default=list)  # [{name, type}]
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["prefix"]
        constraints = [models.UniqueConstraint(fields=["account", "prefix"],
                                               name="uniq_custom_service_prefix")]

    def __str__(self) -> str:
        return self.prefix


class ConsoleSignInClient(AccountOwned):
    """Console sign-in through an OIDC provider (issue #17): the OAuth 2.0 client the console
    is registered as at the provider, its client secret encrypted at rest (iam.crypto). When
    `enabled`, the sign-in page of the provider's account offers "Sign in with <display_name>"."""

    provider = models.OneToOneField(OpenIDConnectProvider, on_delete=models.CASCADE,
                                    related_name="console_sign_in")
    client_id = models.CharField(max_length=255)
    client_secret_encrypted = models.TextField(blank=True, default="")
    display_name = models.CharField(max_length=64)
    enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["display_name"]
        default_manager_name = "objects"


class SAMLAssertionUse(models.Model):
    """An assertion AssumeRoleWithSAML accepted, kept until it expires so that it is accepted
    once (`key`: SHA-256 of the provider's ARN and the assertion's ID). Not account-scoped:
    replay is refused by a unique constraint, expired rows are purged on each use."""

    key = models.CharField(max_length=64, unique=True)
    account_id = models.CharField(max_length=12)
    expires_at = models.DateTimeField(db_index=True)
