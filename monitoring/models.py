from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinics.querysets import ClinicOwnedQuerySet
from lib.limits import Limit

# One entry of treatment-management time: whole minutes, at most two hours (a longer stretch of
# work is logged as several entries, each saying what was done).
ENTRY_MINUTES = Limit(_("Minutes"), 1, 120)
ACTIVITY_MAX_LENGTH = 500


class Enrolment(models.Model):
    """The day remote monitoring of a patient was set up, and the day it ended. Its 30-day
    periods count from `started_on`, in the clinic's calendar days."""

    clinic = models.ForeignKey(
        "clinics.Clinic", verbose_name=_("clinic"), on_delete=models.PROTECT, related_name="+"
    )
    patient = models.OneToOneField(
        "patients.Patient",
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="monitoring_enrolment",
    )
    started_on = models.DateField(_("monitoring set up on"))
    ended_on = models.DateField(_("monitoring ended on"), null=True, blank=True)
    set_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set up by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ClinicOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("monitoring enrolment")
        verbose_name_plural = _("monitoring enrolments")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="enrolment_ends_after_start",
                violation_error_message=_("Monitoring cannot end before it was set up."),
            ),
        ]

    def __str__(self) -> str:
        return f"Monitoring of patient {self.patient_id} from {self.started_on}"


class Communication(models.TextChoices):
    NONE = "none", _("No interactive communication")
    PHONE = "phone", _("Phone or video call")
    MESSAGE = "message", _("Reply in the patient's messages")


class TimeEntryQuerySet(ClinicOwnedQuerySet):
    def standing(self):
        """Entries no later entry corrects: the ones that count."""
        return self.filter(corrected_by__isnull=True)


class TimeEntry(models.Model):
    """Time spent on a patient's treatment management on one day. An entry is never changed:
    a mistake is put right by a new entry that supersedes it, and the one it corrects stays,
    marked corrected and out of the totals."""

    clinic = models.ForeignKey(
        "clinics.Clinic", verbose_name=_("clinic"), on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient",
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="monitoring_time",
    )
    performed_on = models.DateField(_("date"))
    minutes = ENTRY_MINUTES.field(_("minutes"))
    activity = models.CharField(_("what was done"), max_length=ACTIVITY_MAX_LENGTH)
    communication = models.CharField(
        _("interactive communication"),
        max_length=10,
        choices=Communication.choices,
        default=Communication.NONE,
    )
    message = models.ForeignKey(
        "messaging.Message",
        verbose_name=_("reply in the messages"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("logged by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("logged at"), default=timezone.now, editable=False)

    objects = TimeEntryQuerySet.as_manager()

    class Meta:
        ordering = ["performed_on", "id"]
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        constraints = [
            ENTRY_MINUTES.constraint("minutes", "time_entry_minutes_range"),
            models.CheckConstraint(
                condition=~Q(activity=""),
                name="time_entry_activity_not_blank",
                violation_error_message=_("Say what was done."),
            ),
            models.CheckConstraint(
                condition=Q(communication__in=Communication.values),
                name="time_entry_communication_valid",
                violation_error_message=_("Unknown kind of communication."),
            ),
            models.CheckConstraint(
                condition=Q(communication=Communication.MESSAGE, message__isnull=False)
                | (~Q(communication=Communication.MESSAGE) & Q(message__isnull=True)),
                name="time_entry_message_only_for_a_reply",
                violation_error_message=_("A reply in the messages names the message."),
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "performed_on"], name="time_entry_patient_day_idx"),
            models.Index(fields=["clinic", "performed_on"], name="time_entry_clinic_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min for patient {self.patient_id} on {self.performed_on}"

    @property
    def is_interactive(self) -> bool:
        return self.communication != Communication.NONE
