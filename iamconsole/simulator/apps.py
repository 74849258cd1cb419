from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    name = "iamconsole.simulator"
    label = "simulator"
    default_auto_field = "django.db.models.BigAutoField"
