from django.urls import path, re_path

from .views import sign_in, two_factor

app_name = "clinics"

urlpatterns = [
    path("", sign_in.home, name="home"),
    path("sign-in/", sign_in.login, name="login"),
    path("sign-out/", sign_in.logout, name="logout"),
    path("account/password/", sign_in.password_change, name="password-change"),
    path("account/password/done/", sign_in.password_change_done, name="password-change-done"),
    path("welcome/<str:token>/", sign_in.invitation_accept, name="invitation-accept"),
    # Typed from a printed handout, so short, with or without a closing slash.
    re_path(r"^j/(?P<token>[^/]+)/?$", sign_in.invitation_code, name="invitation-code"),
    path("sign-in/email-link/", sign_in.sign_in_link, name="sign-in-link"),
    path("sign-in/link/<str:token>/", sign_in.sign_in_link_use, name="sign-in-link-use"),
    path("sign-in/code/", sign_in.sign_in_code, name="sign-in-code"),
    path("sign-in/unlock/", sign_in.unlock_link, name="unlock-link"),
    path("sign-in/unlock/<str:token>/", sign_in.unlock_link_use, name="unlock-link-use"),
    path("account/emails/", sign_in.email_settings, name="email-settings"),
    path("account/language/", sign_in.language_set, name="language-set"),
    path("account/two-step/", two_factor.two_factor, name="two-factor"),
    path("account/two-step/set-up/", two_factor.two_factor_setup, name="two-factor-setup"),
    path(
        "account/two-step/recovery-codes/",
        two_factor.two_factor_recovery_codes,
        name="two-factor-recovery-codes",
    ),
    path(
        "account/two-step/recovery-codes/download/",
        two_factor.two_factor_recovery_codes_download,
        name="two-factor-recovery-codes-download",
    ),
    path(
        "account/two-step/recovery-codes/saved/",
        two_factor.two_factor_recovery_codes_saved,
        name="two-factor-recovery-codes-saved",
    ),
    path("account/two-step/turn-off/", two_factor.two_factor_disable, name="two-factor-disable"),
]
