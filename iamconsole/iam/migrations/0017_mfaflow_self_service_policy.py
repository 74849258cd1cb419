"""Every existing account gets the shipped self-service policy IAMConsoleManageOwnCredentials
(iam/services/self_service.py; new accounts get it when created). An account that already has
a customer managed policy of that name keeps it. Audited as the account itself."""

from django.conf import settings
from django.db import migrations
from django.db.models.functions import Lower
from django.utils import timezone

from iamconsole.iam import arns, identifiers
from iamconsole.iam.services.self_service import DESCRIPTION, DOCUMENT, POLICY_NAME


def ship_self_service_policy(apps, schema_editor):
    if not getattr(settings, "SELF_SERVICE_POLICY_AUTOCREATE", True):
        return
    db = schema_editor.connection.alias
    Account = apps.get_model("iam", "Account")
    ManagedPolicy = apps.get_model("iam", "ManagedPolicy")
    PolicyVersion = apps.get_model("iam", "PolicyVersion")
    AuditEvent = apps.get_model("iam", "AuditEvent")
    # Plain managers (`_base_manager`): the live models' account-scoped ones would hide the
    # other accounts' rows.
    now = timezone.now()
    for account in Account._base_manager.using(db).order_by("id"):
        taken = ManagedPolicy._base_manager.using(db).annotate(lower=Lower("name")).filter(
            account_id=account.id, is_aws_managed=False, lower=POLICY_NAME.lower()).exists()
        if taken:
            continue
        policy = ManagedPolicy._base_manager.using(db).create(
            account_id=account.id, name=POLICY_NAME, path="/", description=DESCRIPTION,
            policy_id=identifiers.new_policy_id(), tags={}, is_aws_managed=False,
            created_at=now, updated_at=now, next_version_number=2)
        PolicyVersion._base_manager.using(db).create(policy=policy, number=1, document=DOCUMENT,
                                               is_default=True, created_at=now)
        arn = arns.policy(POLICY_NAME, account=account.id)
        AuditEvent._base_manager.using(db).create(
            account_id=account.id, created_at=now, actor="migration",
            auth_method="migration", action="iam:CreatePolicy", resource_type="policy",
            resource_name=POLICY_NAME, resource_arn=arn,
            new_value={"PolicyName": POLICY_NAME, "Arn": arn, "Path": "/",
                 "Description": DESCRIPTION, "Document": DOCUMENT})


class Migration(migrations.Migration):

    dependencies = [
        ("iam", "0016_merge_samlsts"),
    ]

    operations = [
        migrations.RunPython(ship_self_service_policy, migrations.RunPython.noop),
    ]
