"""The notification that tells a therapist a patient needs attention: what kind of thing is
waiting and a link, never the patient's name or what they reported (lock screens are not
private)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from outbox.kinds import Push
from outbox.models import OutboxMessage

# Kept a day for a device that is off: a safety alert still matters tomorrow morning.
SAFETY_ALERT_TTL = 24 * 60 * 60


def safety_alert(message: OutboxMessage) -> Push:
    return Push(
        title=_("A safety alert needs you"),
        body=_("A patient of yours needs attention. Open Rehabit to see who."),
        url=reverse("insights:patient-detail", args=[message.context["patient_id"]]),
        tag="safety_alert",
        ttl=SAFETY_ALERT_TTL,
        urgency="high",
    )
