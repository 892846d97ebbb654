from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("Outcome measures")

    def ready(self):
        from outbox import kinds

        from . import notices

        kinds.register(
            "outcome_due",
            label=_("Outcome questions due"),
            write=notices.outcome_due_email,
            push=notices.outcome_due_push,
        )
