"""The notification that a message is waiting: never the message, nor who wrote it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clinics.models import User
from outbox.kinds import Push
from outbox.models import OutboxMessage

MESSAGE_TTL = 24 * 60 * 60


def message_waiting(message: OutboxMessage) -> Push:
    recipient = User.objects.only("role").get(pk=message.context["recipient_id"])
    if recipient.is_patient:
        body = _("Your care team wrote to you. Open Rehabit to read it.")
        url = reverse("messaging:own-messages")
    else:
        body = _("A patient wrote to you. Open Rehabit to read it.")
        url = reverse("messaging:patient-messages", args=[message.context["patient_id"]])
    return Push(
        title=_("A new message is waiting"), body=body, url=url, tag="message", ttl=MESSAGE_TTL
    )
