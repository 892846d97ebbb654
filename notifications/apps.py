from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from outbox import kinds

        from . import emails, pushes

        kinds.register(
            "escalation",
            label=_("Safety alert passed on"),
            write=emails.escalation,
            push=pushes.escalation,
        )
        kinds.register(
            "reminder", label=_("Session reminder"), write=emails.reminder, push=pushes.reminder
        )
        kinds.register("digest", label=_("Daily digest"), write=emails.digest, push=pushes.digest)
