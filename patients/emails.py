"""The emails the patients app sends through the outbox. They carry no health information and
no patient's name: they say what kind of thing is waiting and link to it."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clinics.models import Clinic
from outbox.kinds import Email, email_from_templates
from outbox.models import OutboxMessage

from .models import Patient


def site_link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def safety_alert(message: OutboxMessage) -> Email:
    patient = Patient.objects.only("pk", "clinic_id").get(pk=message.context["patient_id"])
    clinic = Clinic.objects.get(pk=patient.clinic_id)
    is_report = message.context["source"] == "report"
    return email_from_templates(
        "patients/email/safety_alert",
        subject=(
            _("A patient of yours reported a warning sign")
            if is_report
            else _("A patient of yours stopped a session because it hurt")
        ),
        context={
            "clinic": clinic,
            "is_report": is_report,
            "link": site_link(reverse("insights:patient-detail", args=[patient.pk])),
        },
    )
