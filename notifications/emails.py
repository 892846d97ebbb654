"""The emails sent away from any request: safety alerts passed on to the admins, session
reminders and the staff's daily digest. None carries health information or a patient's name;
each says what is waiting, names the clinic and links to Rehabit."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clinics.models import Clinic, User
from outbox.kinds import Email, email_from_templates
from outbox.models import OutboxMessage

from .unsubscribe import DIGEST, REMINDERS, unsubscribe_token


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _unsubscribe_headers(link: str) -> dict[str, str]:
    # RFC 8058: mail programs offer their own one-click unsubscribe from these headers.
    return {"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def escalation(message: OutboxMessage) -> Email:
    context = message.context
    return email_from_templates(
        "notifications/email/escalation",
        subject=(
            _("An emergency alert about a patient has not been acknowledged")
            if context["emergency"]
            else _("A safety alert about a patient has not been acknowledged")
        ),
        context={
            "clinic": Clinic.objects.get(pk=message.clinic_id),
            "hours": context["hours"],
            "emergency": context["emergency"],
            "link": _link(reverse("insights:patient-detail", args=[context["patient_id"]])),
        },
    )


def reminder(message: OutboxMessage) -> Email:
    context = message.context
    unsubscribe = _link(
        reverse(
            "notifications:unsubscribe",
            args=[unsubscribe_token(what=REMINDERS, pk=context["patient_id"])],
        )
    )
    return email_from_templates(
        "notifications/email/reminder",
        subject=_("Time for your exercises"),
        context={
            "clinic": Clinic.objects.get(pk=message.clinic_id),
            "number": context["number"],
            "of": context["of"],
            "link": _link(reverse("patients:today")),
            "unsubscribe": unsubscribe,
        },
        headers=_unsubscribe_headers(unsubscribe),
    )


def digest(message: OutboxMessage) -> Email:
    context = message.context
    user = User.objects.get(pk=context["user_id"])
    unsubscribe = _link(
        reverse("notifications:unsubscribe", args=[unsubscribe_token(what=DIGEST, pk=user.pk)])
    )
    return email_from_templates(
        "notifications/email/digest",
        subject=_("Your Rehabit day: %(alerts)d open alerts") % {"alerts": context["alerts"]},
        context={
            "clinic": Clinic.objects.get(pk=message.clinic_id),
            "user": user,
            **context,
            "link": _link(reverse("insights:caseload")),
            "unsubscribe": unsubscribe,
        },
        headers=_unsubscribe_headers(unsubscribe),
    )
