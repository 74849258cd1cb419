"""AWS Query API endpoints (under "aws/"): boto3 posts to exactly the endpoint_url path, so
both spellings of each service's path are routed ("iam/" and "iam"), and APPEND_SLASH never
redirects them."""

from django.urls import path

from . import views

app_name = "awsapi"

urlpatterns = [
    path(f"{service}{slash}", view, name=service if slash else f"{service}-noslash")
    for service, view in (("iam", views.iam_endpoint), ("sts", views.sts_endpoint),
                          ("organizations", views.organizations_endpoint))
    for slash in ("/", "")
]
