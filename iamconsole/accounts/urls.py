from django.urls import path

from . import federated, saml, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/mfa/", views.login_mfa_view, name="login-mfa"),
    path("login/mfa/", views.login_mfa_view, name="login_mfa"),  # alias, same page
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("mfa/", views.mfa_enroll_view, name="mfa_enroll"),
    path("mfa/resync/", views.mfa_resync_view, name="mfa_resync"),
    path("password-policy/", views.password_policy_view, name="password_policy"),
    path("switch-role/", views.switch_role_view, name="switch_role"),
    path("switch-back/", views.switch_back_view, name="switch_back"),
    path("federated/<int:pk>/start/", federated.federated_start, name="federated_start"),
    path("federated/callback/", federated.federated_callback, name="federated_callback"),
    path("federated/choose/", federated.federated_choose, name="federated_choose"),
    path("federated/saml/", saml.saml_acs, name="saml_acs"),
    path("federated/saml/choose/", saml.saml_choose, name="saml_choose"),
]
