from django.urls import path

from . import views

app_name = "simulator"

urlpatterns = [
    path("", views.index, name="index"),
    path("policies/", views.principal_policies, name="policies"),
    path("actions/", views.action_options, name="actions"),
    path("who-can/", views.who_can, name="who_can"),
]
