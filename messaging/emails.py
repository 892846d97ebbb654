"""The email that tells someone a message is waiting. It names the clinic and links to the
conversation; it never holds the message, the patient's name or anything about their health,
since email is not private. Written when the worker sends it, from ids alone."""

from urllib.parse import urljoin

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clinics.models import User
from outbox.kinds import Email, email_from_templates
from outbox.models import OutboxMessage

MESSAGE_WAITING = "message_waiting"
PATIENT_SUBJECT = _("A new message from your care team on Rehabit")
STAFF_SUBJECT = _("A patient sent a message on Rehabit")


def message_waiting(message: OutboxMessage) -> Email:
    recipient = User.objects.select_related("clinic").get(pk=message.context["recipient_id"])
    base_url = message.context["base_url"]
    if recipient.is_patient:
        link = urljoin(base_url, reverse("messaging:own-messages"))
        template, subject = "messaging/email/message_waiting_patient", PATIENT_SUBJECT
    else:
        link = urljoin(
            base_url, reverse("messaging:patient-messages", args=[message.context["patient_id"]])
        )
        template, subject = "messaging/email/message_waiting_staff", STAFF_SUBJECT
    return email_from_templates(
        template,
        subject=subject,
        context={"recipient": recipient, "clinic": recipient.clinic, "link": link},
    )
