from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from clinics.querysets import ClinicOwnedQuerySet
from exercises import dose

from . import schedule


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    DISCONTINUED = "discontinued", _("Discontinued")


def weekday_mask_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(weekdays__gte=1, weekdays__lte=schedule.EVERY_DAY),
        name=name,
        violation_error_message=_("Choose at least one day of the week."),
    )


class ScheduleModel(models.Model):
    """How often a plan (or a template) is done: times per scheduled day, and which weekdays."""

    times_per_day = dose.TIMES_PER_DAY.field(_("times per day"), default=1)
    weekdays = models.PositiveSmallIntegerField(
        _("days of the week"),
        default=schedule.EVERY_DAY,
        help_text=_("Stored as a mask: Monday is 1, Tuesday 2, Wednesday 4 … Sunday 64."),
    )

    class Meta:
        abstract = True

    @property
    def weekday_list(self) -> list[int]:
        return schedule.days_from_mask(self.weekdays)

    @property
    def schedule_text(self) -> str:
        return (
            f"{schedule.describe_times_per_day(self.times_per_day)}, "
            f"{schedule.describe_weekdays(self.weekdays)}"
        )


class PlanQuerySet(ClinicOwnedQuerySet):
    def current(self):
        """Plans the patient is following now (paused ones are kept but not scheduled)."""
        return self.filter(status=PlanStatus.ACTIVE)


class Plan(ScheduleModel):
    clinic = models.ForeignKey(
        "clinics.Clinic", verbose_name=_("clinic"), on_delete=models.PROTECT, related_name="plans"
    )
    patient = models.ForeignKey(
        "patients.Patient",
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    prescribed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prescribed by"),
        on_delete=models.PROTECT,
        related_name="prescribed_plans",
    )
    template = models.ForeignKey(
        "PlanTemplate",
        verbose_name=_("started from template"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
    )
    title = models.CharField(_("title"), max_length=120)
    notes = models.TextField(_("goal and notes"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.ACTIVE
    )
    # Optimistic locking: a save names the version it started from; a stale one is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            dose.TIMES_PER_DAY.constraint("times_per_day", "plan_times_per_day_range"),
            weekday_mask_constraint("plan_weekdays_range"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="plan_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values),
                name="plan_status_valid",
                violation_error_message=_("Unknown plan status."),
            ),
            models.CheckConstraint(
                condition=~Q(title=""),
                name="plan_title_not_blank",
                violation_error_message=_("A plan needs a title."),
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "status"], name="plan_patient_status_idx"),
            models.Index(fields=["clinic", "status"], name="plan_clinic_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_in_range(self, date) -> bool:
        return self.start_date <= date and (self.end_date is None or date <= self.end_date)

    def is_scheduled_on(self, date) -> bool:
        return self.is_in_range(date) and schedule.is_scheduled(self.weekdays, date)


class PlanItem(dose.DoseModel):
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items"
    )
    exercise = models.ForeignKey(
        "exercises.Exercise",
        verbose_name=_("exercise"),
        on_delete=models.PROTECT,
        related_name="plan_items",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    note = models.CharField(_("note for the patient"), max_length=500, blank=True)

    class Meta(dose.DoseModel.Meta):
        ordering = ["plan", "position", "id"]
        verbose_name = _("plan exercise")
        verbose_name_plural = _("plan exercises")

    def __str__(self) -> str:
        return f"{self.exercise} ({self.plan})"


class PlanPause(models.Model):
    """A stretch of days on which a plan was paused; adherence does not count them."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="pauses"
    )
    paused_on = models.DateField(_("paused on"))
    resumed_on = models.DateField(_("resumed on"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "paused_on"]
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        constraints = [
            models.CheckConstraint(
                condition=Q(resumed_on__isnull=True) | Q(resumed_on__gte=F("paused_on")),
                name="plan_pause_resumed_after_paused",
                violation_error_message=_("A plan cannot resume before it was paused."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.paused_on} – {self.resumed_on or '…'}"


class PlanRevision(models.Model):
    """One change to a plan: who made it, when, what changed, and the plan as it stood after."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("revision"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    summary = models.TextField(_("what changed"))
    snapshot = models.JSONField(_("plan after the change"), default=dict)

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("plan revision")
        verbose_name_plural = _("plan revisions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_revision_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} r{self.number}"


class PlanTemplateQuerySet(models.QuerySet):
    def available_to(self, clinic):
        return self.filter(Q(clinic__isnull=True) | Q(clinic=clinic))

    def active(self):
        return self.filter(is_archived=False)


class PlanTemplate(ScheduleModel):
    clinic = models.ForeignKey(
        "clinics.Clinic",
        verbose_name=_("clinic"),
        on_delete=models.PROTECT,
        related_name="plan_templates",
        null=True,
        blank=True,
        help_text=_("Empty for a shared template every clinic can use."),
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PlanTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("plan template")
        verbose_name_plural = _("plan templates")
        constraints = [
            dose.TIMES_PER_DAY.constraint("times_per_day", "template_times_per_day_range"),
            weekday_mask_constraint("template_weekdays_range"),
            models.UniqueConstraint(
                fields=["clinic", "slug"],
                name="template_slug_unique_per_clinic",
                violation_error_message=_("This clinic already has a template with this slug."),
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(clinic__isnull=True),
                name="template_slug_unique_shared",
                violation_error_message=_("A shared template already has this slug."),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="template_name_not_blank",
                violation_error_message=_("A template needs a name."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlanTemplateItem(dose.DoseModel):
    template = models.ForeignKey(
        PlanTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="items"
    )
    exercise = models.ForeignKey(
        "exercises.Exercise",
        verbose_name=_("exercise"),
        on_delete=models.PROTECT,
        related_name="template_items",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    note = models.CharField(_("note for the patient"), max_length=500, blank=True)

    class Meta(dose.DoseModel.Meta):
        ordering = ["template", "position", "id"]
        verbose_name = _("template exercise")
        verbose_name_plural = _("template exercises")

    def __str__(self) -> str:
        return f"{self.exercise} ({self.template})"
