"""The notifications on people's devices for the scheduler's messages. Like the emails, they
say what kind of thing is waiting and link to it: no health information, no patient's name."""

from dataclasses import replace

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from outbox.kinds import Push
from outbox.models import OutboxMessage
from patients.pushes import safety_alert

HOUR = 60 * 60


def reminder(message: OutboxMessage) -> Push:
    # A reminder kept longer than a few hours would arrive after its session's time.
    return Push(
        title=_("Time for your exercises"),
        body=_("Open Rehabit to see today's routine."),
        url=reverse("patients:today"),
        tag="reminder",
        ttl=4 * HOUR,
    )


def escalation(message: OutboxMessage) -> Push:
    """As the safety alert itself, passed on to an admin."""
    return replace(
        safety_alert(message),
        body=_("An alert about a patient has not been acknowledged yet."),
        tag="escalation",
    )


def digest(message: OutboxMessage) -> Push:
    return Push(
        title=_("Your Rehabit day"),
        body=_("Open alerts, quiet patients and waiting messages, at a glance."),
        url=reverse("insights:caseload"),
        tag="digest",
        ttl=12 * HOUR,
    )
