"""AWS Query API endpoints (under "aws/"): boto3 posts to exactly the endpoint_url path, so
both spellings are routed, and APPEND_SLASH never redirects them."""

from django.urls import path

from . import views

app_name = "awsapi"

urlpatterns = [
    path("iam/", views.iam_endpoint, name="iam"),
    path("iam", views.iam_endpoint, name="iam-noslash"),
    path("sts/", views.sts_endpoint, name="sts"),
    path("sts", views.sts_endpoint, name="sts-noslash"),
]
