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
    path("oidc/", include("iamconsole.awsapi.oidc_issuer")),
    path("", include("iamconsole.console.urls")),
]

# Errors raised outside a view (a middleware loading the session, Django parsing the body) in
# the shape of the door the request came in through; outages are 503 (iamconsole/failures.py).
handler400 = "iamconsole.failures.handler400"
handler404 = "iamconsole.failures.handler404"
handler500 = "iamconsole.failures.handler500"
