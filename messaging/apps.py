from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messages")

    def ready(self):
        from outbox import kinds

        from . import emails, pushes

        kinds.register(
            emails.MESSAGE_WAITING,
            label=_("New message waiting"),
            write=emails.message_waiting,
            push=pushes.message_waiting,
        )
