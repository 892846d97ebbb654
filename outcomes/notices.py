"""The "a short question is waiting" email and notification. Like every message Rehabit sends
away from a request, they say what kind of thing is waiting and link to it: no measure, no
score, no name."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clinics.models import Clinic
from outbox.kinds import Email, Push, email_from_templates
from outbox.models import OutboxMessage

DAY = 24 * 60 * 60
SUBJECT = _("A short question from your clinic is waiting")


def outcome_due_email(message: OutboxMessage) -> Email:
    return email_from_templates(
        "outcomes/email/outcome_due",
        subject=SUBJECT,
        context={
            "clinic": Clinic.objects.get(pk=message.clinic_id),
            "link": settings.SITE_URL.rstrip("/") + reverse("outcomes:psfs-rate"),
        },
    )


def outcome_due_push(message: OutboxMessage) -> Push:
    return Push(
        title=SUBJECT,
        body=_("It takes a minute. Open Rehabit to answer."),
        url=reverse("outcomes:psfs-rate"),
        tag="outcome-due",
        ttl=DAY,
    )
