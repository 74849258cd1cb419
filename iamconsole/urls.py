from django.urls import include, path

from iamconsole.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("iamconsole.console.urls")),
    path("accounts/", include("iamconsole.accounts.urls")),
    path("api/v1/", include("iamconsole.api.urls")),
    path("aws/", include("iamconsole.awsapi.urls")),
    path("simulator/", include("iamconsole.simulator.urls")),
]
