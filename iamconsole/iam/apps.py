from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_default_account(sender, using="default", **kwargs) -> None:
    """The installation's default account exists after every migrate and flush (a test
    database emptied between tests gets it back, as content types do)."""
    from django.conf import settings

    from .models import Account

    Account.objects.using(using).get_or_create(id=settings.IAM_ACCOUNT_ID,
                                               defaults={"name": "default"})


def load_aws_managed_policies(sender, using="default", **kwargs) -> None:
    """`migrate` loads the AWS managed policy catalog into the default account when it is
    missing (a fresh installation has it; `sync_aws_managed_policies` updates it). A flush
    (which sends post_migrate without a plan) does not: a test database emptied between tests
    stays cheap, and tests that need the catalog load it (tests/conftest.py `aws_catalog`)."""
    from django.conf import settings

    if "plan" not in kwargs or not getattr(settings, "AWS_MANAGED_POLICIES_AUTOLOAD", True):
        return
    from . import aws_catalog, tenancy
    from .models import ManagedPolicy

    with tenancy.acting_in(tenancy.default_account_id()):
        if ManagedPolicy.objects.using(using).filter(
                is_aws_managed=True, path="/job-function/").exists():
            return
        aws_catalog.sync(aws_catalog.load(aws_catalog.dataset_path()))


class IamConfig(AppConfig):
    name = "iamconsole.iam"
    label = "iam"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(ensure_default_account, sender=self)
        from . import custom_services

        custom_services.install()  # the policy catalog knows the accounts' own services
        post_migrate.connect(load_aws_managed_policies, sender=self)
