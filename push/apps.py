from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PushConfig(AppConfig):
    name = "push"
    verbose_name = _("Notifications on devices")

    def ready(self):
        from outbox import channels

        from . import checks, services

        channels.register(services.PUSH, send=services.push_deliver)
        assert checks  # registers the system checks of the VAPID keys
