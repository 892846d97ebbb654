from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseloadTriage(models.Model):
    """Where a patient stands on the caseload as of one day of their clinic: the level and
    waiting time of their most pressing open alert, how many are open, and the figures the
    caseload sorts by. With these in a table the caseload sorts, counts and pages in SQL and
    works out the alerts' words, the adherence and the sparklines for its page of rows alone.

    Worked out by `insights.services.caseload_triage_refresh` (before the caseload is read,
    and by the scheduler after each clinic's midnight) for the patients whose row is missing
    or out of date: another day, other alert thresholds, or what it was worked out from has
    changed since (the summary's revision, the number and versions of the patient's plans, the
    number of acknowledgements). Those were read before the figures, so a write that lands
    while they are worked out leaves the row out of date, never wrongly current."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, primary_key=True, related_name="triage"
    )
    day = models.DateField()
    thresholds = models.CharField(max_length=60)
    summary_revision = models.BigIntegerField(null=True)
    plans = models.CharField(max_length=40)
    acknowledgements = models.PositiveIntegerField(default=0)

    # `insights.alerts.LEVEL_RANK` of the most pressing open alert, NO_ALERT without one.
    rank = models.PositiveSmallIntegerField()
    waiting_since = models.DateTimeField(null=True)
    open_alerts = models.PositiveSmallIntegerField(default=0)
    emergency = models.BooleanField(default=False)
    # Adherence over 7 and 30 days ending on `day`: sessions done and prescribed, and how many
    # were prescribed on `day` itself; the ratios (None when nothing was prescribed) to sort by.
    week_done = models.PositiveIntegerField(default=0)
    week_prescribed = models.PositiveIntegerField(default=0)
    month_done = models.PositiveIntegerField(default=0)
    month_prescribed = models.PositiveIntegerField(default=0)
    day_prescribed = models.PositiveIntegerField(default=0)
    adherence_week = models.FloatField(null=True)
    adherence_month = models.FloatField(null=True)
    pain_latest = models.SmallIntegerField(null=True)
    pain_change = models.FloatField(null=True)
    plan_title = models.CharField(max_length=120, blank=True)

    class Meta:
        verbose_name = _("caseload triage")
        verbose_name_plural = _("caseload triage")

    def __str__(self) -> str:
        return f"Triage of patient #{self.patient_id} on {self.day}"
