from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_aws_managed_policies(sender, using="default", **kwargs) -> None:
    """AWS's own FullAWSAccess and RCPFullAWSAccess exist after every migrate and flush."""
    from .models import ensure_aws_managed

    ensure_aws_managed(using)


class OrgsConfig(AppConfig):
    name = "iamconsole.orgs"
    label = "orgs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from iamconsole.iam import guardrails as iam_guardrails

        from . import guardrails

        post_migrate.connect(ensure_aws_managed_policies, sender=self)
        iam_guardrails.register(guardrails)  # authorization asks this app for SCPs and RCPs
