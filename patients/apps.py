from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = _("Patients")

    def ready(self):
        from outbox import kinds

        from . import emails, pushes

        kinds.register(
            "safety_alert",
            label=_("Safety alert"),
            write=emails.safety_alert,
            push=pushes.safety_alert,
        )
