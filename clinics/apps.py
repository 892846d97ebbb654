from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicsConfig(AppConfig):
    name = "clinics"
    verbose_name = _("Clinics")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from outbox import kinds

        from . import audit, emails
        from .middleware import session_clock_start, two_factor_setup_note

        kinds.register("invitation", label=_("Invitation"), write=emails.invitation)
        kinds.register("sign_in_link", label=_("Sign-in link"), write=emails.sign_in_link)
        kinds.register("unlock_link", label=_("Unlock link"), write=emails.unlock_link)

        user_logged_in.connect(session_clock_start, dispatch_uid="clinics-session-clock")
        user_logged_in.connect(two_factor_setup_note, dispatch_uid="clinics-two-factor-setup")
        user_logged_in.connect(audit.on_signed_in, dispatch_uid="clinics-audit-signed-in")
        user_logged_out.connect(audit.on_signed_out, dispatch_uid="clinics-audit-signed-out")
        user_login_failed.connect(
            audit.on_sign_in_failed, dispatch_uid="clinics-audit-sign-in-failed"
        )
