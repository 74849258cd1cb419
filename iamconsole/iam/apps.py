from django.apps import AppConfig
from django.db.models.signals import post_migrate


def ensure_default_account(sender, using="default", **kwargs) -> None:
    """The installation's default account exists after every migrate and flush (a test
    database emptied between tests gets it back, as content types do)."""
    from django.conf import settings

    from .models import Account

    Account.objects.using(using).get_or_create(id=settings.IAM_ACCOUNT_ID,
                                               defaults={"name": "default"})


class IamConfig(AppConfig):
    name = "iamconsole.iam"
    label = "iam"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(ensure_default_account, sender=self)
        from . import custom_services

        custom_services.install()  # the policy catalog knows the accounts' own services
