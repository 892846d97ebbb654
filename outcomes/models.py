"""Outcome measures: the patient's PSFS activities, every score recorded (PSFS, ODI, NDI), and
per patient the PSFS interval with the figures kept from the scores (when PSFS is next due,
whether function is worsening) for the scheduler and the caseload.

A score is never changed: a correction is a new entry that `supersedes` the earlier one, which
stays in the record (and the export) but leaves the charts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .scores import PSFS_DEFAULT_INTERVAL_DAYS, Measure


class Source(models.TextChoices):
    PATIENT = "patient", _("Patient")
    STAFF = "staff", _("Clinic staff")


class EntryQuerySet(models.QuerySet):
    def for_clinic(self, clinic):
        return self.filter(clinic=clinic)

    def current(self):
        """Entries no later entry corrects: what the charts and verdicts use."""
        return self.filter(correction__isnull=True)


class PatientOutcomes(models.Model):
    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="outcomes"
    )
    psfs_interval_days = models.PositiveSmallIntegerField(
        _("PSFS every (days)"), default=PSFS_DEFAULT_INTERVAL_DAYS
    )
    # The day PSFS was set up (its first rating is due then).
    psfs_started_on = models.DateField(null=True, blank=True)
    # Kept by the services from the entries, in the same transaction.
    psfs_due_on = models.DateField(null=True, blank=True, db_index=True)
    function_worsening = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("patient's outcome settings")
        verbose_name_plural = _("patients' outcome settings")

    def __str__(self):
        return f"Outcome settings of patient {self.patient_id}"


class PsfsActivity(models.Model):
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="psfs_activities"
    )
    name = models.CharField(_("activity"), max_length=120)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("PSFS activity")
        verbose_name_plural = _("PSFS activities")

    def __str__(self):
        return self.name


class OutcomeEntry(models.Model):
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="outcome_entries"
    )
    measure = models.CharField(_("measure"), max_length=8, choices=Measure.choices)
    assessed_on = models.DateField(_("date"))
    # ODI in %, NDI in points; None for PSFS, whose ratings are rows of their own.
    total = models.PositiveSmallIntegerField(_("total"), null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
    )
    note = models.CharField(_("reason for the correction"), max_length=300, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["assessed_on", "recorded_at", "id"]
        verbose_name = _("outcome score")
        verbose_name_plural = _("outcome scores")
        indexes = [models.Index(fields=["patient", "measure", "assessed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(measure=Measure.PSFS, total__isnull=True)
                    | models.Q(measure=Measure.ODI, total__lte=100)
                    | models.Q(measure=Measure.NDI, total__lte=50)
                ),
                name="outcome_total_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.get_measure_display()} score {self.pk} of {self.assessed_on}"


class PsfsRating(models.Model):
    entry = models.ForeignKey(OutcomeEntry, on_delete=models.CASCADE, related_name="ratings")
    activity = models.ForeignKey(PsfsActivity, on_delete=models.PROTECT, related_name="ratings")
    rating = models.PositiveSmallIntegerField(_("rating"))

    class Meta:
        ordering = ["activity__added_at", "activity_id"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "activity"], name="psfs_rating_once"),
            models.CheckConstraint(condition=models.Q(rating__lte=10), name="psfs_rating_0_10"),
        ]

    def __str__(self):
        return f"Rating of activity {self.activity_id} in score {self.entry_id}"
