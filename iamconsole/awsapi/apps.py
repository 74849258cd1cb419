from django.apps import AppConfig


class AwsapiConfig(AppConfig):
    name = "iamconsole.awsapi"
    label = "awsapi"
    default_auto_field = "django.db.models.BigAutoField"
