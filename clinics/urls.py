from django.urls import path

from . import views

app_name = "clinics"

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.login, name="login"),
    path("sign-out/", views.logout, name="logout"),
    path("account/password/", views.password_change, name="password-change"),
    path("account/password/done/", views.password_change_done, name="password-change-done"),
    path("welcome/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("sign-in/email-link/", views.sign_in_link, name="sign-in-link"),
    path("sign-in/link/<str:token>/", views.sign_in_link_use, name="sign-in-link-use"),
    path("sign-in/code/", views.sign_in_code, name="sign-in-code"),
    path("account/two-step/", views.two_factor, name="two-factor"),
    path("account/two-step/set-up/", views.two_factor_setup, name="two-factor-setup"),
    path(
        "account/two-step/recovery-codes/",
        views.two_factor_recovery_codes,
        name="two-factor-recovery-codes",
    ),
    path(
        "account/two-step/recovery-codes/download/",
        views.two_factor_recovery_codes_download,
        name="two-factor-recovery-codes-download",
    ),
    path(
        "account/two-step/recovery-codes/saved/",
        views.two_factor_recovery_codes_saved,
        name="two-factor-recovery-codes-saved",
    ),
    path("account/two-step/turn-off/", views.two_factor_disable, name="two-factor-disable"),
]
