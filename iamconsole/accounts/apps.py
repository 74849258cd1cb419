from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "iamconsole.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .console_sessions import connect

        connect()
