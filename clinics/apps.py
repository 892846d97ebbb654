from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicsConfig(AppConfig):
    name = "clinics"
    verbose_name = _("Clinics")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import session_clock_start

        user_logged_in.connect(session_clock_start, dispatch_uid="clinics-session-clock")
