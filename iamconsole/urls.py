from django.urls import include, path

from iamconsole.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The programmatic doors first: the resolver tries patterns in order, and the console's
    # catch-all prefix "" holds about seventy.
    path("api/v1/", include("iamconsole.api.urls")),
    path("aws/", include("iamconsole.awsapi.urls")),
    path("accounts/", include("iamconsole.accounts.urls")),
    path("simulator/", include("iamconsole.simulator.urls")),
    path("", include("iamconsole.console.urls")),
]
