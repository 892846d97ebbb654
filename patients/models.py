import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinics.querysets import ClinicOwnedQuerySet
from exercises import dose

from .pain import PAIN
from .red_flags import RED_FLAGS_BY_CODE, Severity


class PatientStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISCHARGED = "discharged", _("Discharged")


class PatientQuerySet(ClinicOwnedQuerySet):
    def active(self):
        return self.filter(status=PatientStatus.ACTIVE)

    def of_therapist(self, therapist):
        return self.filter(primary_therapist=therapist)


class Patient(models.Model):
    """A clinic's patient. The record exists before (and without) a login account; inviting the
    patient later links an account to this same record."""

    clinic = models.ForeignKey(
        "clinics.Clinic",
        verbose_name=_("clinic"),
        on_delete=models.PROTECT,
        related_name="patients",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="patient_record",
    )
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    primary_therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("primary therapist"),
        on_delete=models.PROTECT,
        related_name="primary_patients",
        null=True,
        blank=True,
    )
    condition = models.CharField(_("condition or diagnosis"), max_length=200, blank=True)
    # Chosen by the therapist before the patient has a sign-in; the invitation's account starts
    # with it, and from then on the account's language (which the patient may change) is the
    # one that counts, kept equal to this by the services that change either.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PatientStatus.choices, default=PatientStatus.ACTIVE
    )
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        constraints = [
            models.CheckConstraint(
                condition=~Q(first_name="") & ~Q(last_name=""),
                name="patient_name_not_blank",
                violation_error_message=_("A patient needs a first and a last name."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=PatientStatus.values),
                name="patient_status_valid",
                violation_error_message=_("Unknown patient status."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["clinic", "status", "last_name"], name="patient_clinic_status_idx"
            ),
            models.Index(fields=["primary_therapist", "status"], name="patient_therapist_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Difficulty(models.TextChoices):
    TOO_EASY = "too_easy", _("Too easy")
    ABOUT_RIGHT = "about_right", _("About right")
    TOO_HARD = "too_hard", _("Too hard")


class SessionLogQuerySet(ClinicOwnedQuerySet):
    def flagged(self):
        return self.filter(is_flagged=True)


# A patient may put right what they logged (a wrong pain score, a forgotten exercise) for a day
# after logging it; later changes would rewrite history the therapist has already acted on.
CORRECTION_WINDOW = datetime.timedelta(hours=24)


class SessionLog(models.Model):
    """One home session a patient did. Its entries keep the dose prescribed at the time, so a
    later change to the plan never rewrites what was logged."""

    clinic = models.ForeignKey(
        "clinics.Clinic", verbose_name=_("clinic"), on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="sessions"
    )
    plan = models.ForeignKey(
        "prescriptions.Plan",
        verbose_name=_("plan"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    plan_version = models.PositiveIntegerField(_("plan version done"))
    performed_at = models.DateTimeField(_("performed at"))
    # The clinic-local calendar day of performed_at, fixed when the log is written, so
    # adherence can group by day in SQL without time-zone arithmetic per row.
    performed_on = models.DateField(_("performed on"))
    pain_before = PAIN.field(_("pain before"), null=True, blank=True)
    pain_after = PAIN.field(_("pain after"), null=True, blank=True)
    difficulty = models.CharField(
        _("difficulty"), max_length=20, choices=Difficulty.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    is_flagged = models.BooleanField(_("flagged for the therapist"), default=False)
    flag_reason = models.CharField(_("why it was flagged"), max_length=200, blank=True)
    client_token = models.UUIDField(
        _("submission token"),
        default=uuid.uuid4,
        help_text=_("Sent with the form, so a repeated submission records one session."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SessionLogQuerySet.as_manager()

    class Meta:
        ordering = ["-performed_at", "-id"]
        verbose_name = _("session log")
        verbose_name_plural = _("session logs")
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "client_token"],
                name="session_log_token_unique",
                violation_error_message=_("This session was already recorded."),
            ),
            PAIN.constraint("pain_before", "session_log_pain_before_range"),
            PAIN.constraint("pain_after", "session_log_pain_after_range"),
            models.CheckConstraint(
                condition=Q(difficulty__in=[*Difficulty.values, ""]),
                name="session_log_difficulty_valid",
                violation_error_message=_("Difficulty must be too easy, about right or too hard."),
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "performed_at"], name="session_patient_time_idx"),
            models.Index(fields=["plan", "performed_on"], name="session_plan_day_idx"),
            models.Index(fields=["clinic", "performed_on"], name="session_clinic_day_idx"),
            # The alerts look up each patient's latest flagged session: a few rows among many.
            models.Index(
                fields=["patient", "performed_at"],
                condition=Q(is_flagged=True),
                name="session_flagged_time_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} – {self.performed_at:%Y-%m-%d %H:%M}"

    @property
    def pain_change(self) -> int | None:
        if self.pain_before is None or self.pain_after is None:
            return None
        return self.pain_after - self.pain_before

    @property
    def correctable_until(self) -> datetime.datetime:
        return self.created_at + CORRECTION_WINDOW

    @property
    def can_be_corrected(self) -> bool:
        return timezone.now() < self.correctable_until


class EntryStatus(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    PARTIAL = "partial", _("Partly done")
    SKIPPED = "skipped", _("Skipped")


class SkipReason(models.TextChoices):
    NONE = "", _("No reason given")
    PAIN = "pain", _("Pain")
    NO_TIME = "no_time", _("No time")
    TOO_HARD = "too_hard", _("Too hard")
    OTHER = "other", _("Other")


class SessionLogEntry(models.Model):
    """One exercise within a logged session: the dose prescribed then, and what was done."""

    session = models.ForeignKey(
        SessionLog, verbose_name=_("session"), on_delete=models.CASCADE, related_name="entries"
    )
    plan_item = models.ForeignKey(
        "prescriptions.PlanItem",
        verbose_name=_("plan exercise"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="log_entries",
    )
    exercise = models.ForeignKey(
        "exercises.Exercise",
        verbose_name=_("exercise"),
        on_delete=models.PROTECT,
        related_name="log_entries",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    prescribed_sets = dose.SETS.field(_("sets prescribed"))
    prescribed_repetitions = dose.REPETITIONS.field(_("repetitions prescribed"))
    prescribed_hold_seconds = dose.HOLD_SECONDS.field(_("hold prescribed (seconds)"))
    prescribed_rest_seconds = dose.REST_SECONDS.field(_("rest prescribed (seconds)"))
    side = models.CharField(
        _("side"), max_length=5, choices=dose.Side.choices, default=dose.Side.NONE
    )
    sets_done = dose.SETS_DONE.field(_("sets done"))
    repetitions_done = dose.REPETITIONS_DONE.field(_("repetitions done"))
    hold_seconds_done = dose.HOLD_SECONDS_DONE.field(_("hold done (seconds)"))
    status = models.CharField(_("status"), max_length=10, choices=EntryStatus.choices)
    skip_reason = models.CharField(
        _("reason"), max_length=10, choices=SkipReason.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["session", "position", "id"]
        verbose_name = _("session exercise")
        verbose_name_plural = _("session exercises")
        constraints = [
            dose.SETS.constraint("prescribed_sets", "entry_prescribed_sets_range"),
            dose.REPETITIONS.constraint("prescribed_repetitions", "entry_prescribed_reps_range"),
            dose.HOLD_SECONDS.constraint("prescribed_hold_seconds", "entry_prescribed_hold_range"),
            dose.REST_SECONDS.constraint("prescribed_rest_seconds", "entry_prescribed_rest_range"),
            dose.SETS_DONE.constraint("sets_done", "entry_sets_done_range"),
            dose.REPETITIONS_DONE.constraint("repetitions_done", "entry_reps_done_range"),
            dose.HOLD_SECONDS_DONE.constraint("hold_seconds_done", "entry_hold_done_range"),
            models.CheckConstraint(
                condition=Q(side__in=dose.Side.values),
                name="entry_side_valid",
                violation_error_message=_("Side must be none, both, left or right."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=EntryStatus.values),
                name="entry_status_valid",
                violation_error_message=_("Status must be completed, partly done or skipped."),
            ),
            models.CheckConstraint(
                condition=Q(skip_reason__in=SkipReason.values),
                name="entry_skip_reason_valid",
                violation_error_message=_("Choose a reason from the list."),
            ),
            models.CheckConstraint(
                condition=~Q(status=EntryStatus.SKIPPED, skip_reason=""),
                name="entry_skipped_has_reason",
                violation_error_message=_("Say why the exercise was skipped."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} – {self.get_status_display()}"

    @property
    def done_dose_text(self) -> str:
        """What was done, in the dose's words: "Hold 20 seconds, 2 times"."""
        return dose.describe(
            sets=self.sets_done,
            repetitions=self.repetitions_done,
            hold_seconds=self.hold_seconds_done,
            rest_seconds=0,
            side=self.side,
        )

    @property
    def prescribed_dose_text(self) -> str:
        return dose.describe(
            sets=self.prescribed_sets,
            repetitions=self.prescribed_repetitions,
            hold_seconds=self.prescribed_hold_seconds,
            rest_seconds=self.prescribed_rest_seconds,
            side=self.side,
        )


class SessionLogRevision(models.Model):
    """A correction to a session log: what it said before, who changed it and why."""

    session = models.ForeignKey(
        SessionLog, verbose_name=_("session"), on_delete=models.CASCADE, related_name="revisions"
    )
    revised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revised by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    revised_at = models.DateTimeField(_("revised at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    previous = models.JSONField(_("the log before the correction"))

    class Meta:
        ordering = ["session", "-revised_at"]
        verbose_name = _("session log correction")
        verbose_name_plural = _("session log corrections")

    def __str__(self) -> str:
        return f"{self.session} corrected {self.revised_at:%Y-%m-%d %H:%M}"


class PainReport(models.Model):
    """Pain reported on its own, any day, with or without a session."""

    clinic = models.ForeignKey(
        "clinics.Clinic", verbose_name=_("clinic"), on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        Patient, verbose_name=_("patient"), on_delete=models.PROTECT, related_name="pain_reports"
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_on = models.DateField(_("recorded on"))
    score = PAIN.field(_("pain (0–10)"))
    body_location = models.CharField(_("where it hurts"), max_length=120, blank=True)
    note = models.TextField(_("note"), blank=True)
    red_flags = models.JSONField(_("red flags reported"), default=list, blank=True)
    red_flag_severity = models.CharField(
        _("red flag severity"), max_length=10, choices=Severity.choices, blank=True
    )
    client_token = models.UUIDField(
        _("submission token"),
        default=uuid.uuid4,
        help_text=_("Sent with the form, so a repeated submission records one report."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ClinicOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("pain report")
        verbose_name_plural = _("pain reports")
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "client_token"],
                name="pain_report_token_unique",
                violation_error_message=_("This pain report was already recorded."),
            ),
            PAIN.constraint("score", "pain_report_score_range"),
            models.CheckConstraint(
                condition=Q(red_flag_severity__in=[*Severity.values]),
                name="pain_report_severity_valid",
                violation_error_message=_("Unknown red flag severity."),
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "recorded_at"], name="pain_patient_time_idx"),
            models.Index(fields=["clinic", "red_flag_severity"], name="pain_clinic_flag_idx"),
            # The alerts look up each patient's latest report with a red flag.
            models.Index(
                fields=["patient", "recorded_at"],
                condition=~Q(red_flag_severity=Severity.NONE),
                name="pain_red_flag_time_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} – {self.score}/10 at {self.recorded_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        unknown = [code for code in self.red_flags or [] if code not in RED_FLAGS_BY_CODE]
        if unknown:
            raise ValidationError({"red_flags": _("Unknown red flag: %s") % ", ".join(unknown)})

    @property
    def red_flag_questions(self) -> list[str]:
        return [RED_FLAGS_BY_CODE[code].question for code in self.red_flags or []]


class AlertKind(models.TextChoices):
    RED_FLAG = "red_flag", _("Red flag reported")
    PAIN_HIGH = "pain_high", _("High pain")
    SESSION_FLAGGED = "session_flagged", _("Session flagged")
    PAIN_RISE = "pain_rise", _("Pain rising")
    INACTIVE = "inactive", _("No recent session")
    LOW_ADHERENCE = "low_adherence", _("Low adherence")
    PLAN_ENDING = "plan_ending", _("Plan ending soon")


class AlertAcknowledgement(models.Model):
    """A staff member saw one alert and said so. Alerts are worked out from the logs on every
    read (insights/alerts.py); this row only marks the one event behind an alert as seen, so a
    new event (a new key) opens the alert again."""

    clinic = models.ForeignKey(
        "clinics.Clinic", verbose_name=_("clinic"), on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        Patient,
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="alert_acknowledgements",
    )
    kind = models.CharField(_("alert"), max_length=20, choices=AlertKind.choices)
    event_key = models.CharField(
        _("event"),
        max_length=100,
        help_text=_("Which event raised the alert, such as session:123 or week:2025-W19."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), default=timezone.now)

    objects = ClinicOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-acknowledged_at", "-id"]
        verbose_name = _("alert acknowledgement")
        verbose_name_plural = _("alert acknowledgements")
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "kind", "event_key"],
                name="alert_ack_unique_event",
                violation_error_message=_("This alert was already acknowledged."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AlertKind.values),
                name="alert_ack_kind_valid",
                violation_error_message=_("Unknown alert."),
            ),
            models.CheckConstraint(
                condition=~Q(event_key=""),
                name="alert_ack_event_key_not_blank",
                violation_error_message=_("An acknowledgement names the event it is about."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} – {self.get_kind_display()} ({self.event_key})"


class ReminderSettings(models.Model):
    """When a patient wants to be reminded of their sessions, in the clinic's time. With no
    times chosen, the defaults for the plan's sessions per day apply (one at 09:00, two at 09:00
    and 18:00, …)."""

    patient = models.OneToOneField(
        Patient,
        verbose_name=_("patient"),
        on_delete=models.CASCADE,
        related_name="reminder_settings",
    )
    is_on = models.BooleanField(_("reminders on"), default=True)
    times = models.JSONField(_("reminder times"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return f"Reminders of patient {self.patient_id}"


class PatientSummary(models.Model):
    """What a patient's logs say that changes only when a log is written: the last session,
    the pain figures behind the trend (first day and baseline week, the latest value and the
    week before it) and the events behind the safety alerts. Kept by the services in the
    transaction of every write (`patients.summary`), rebuilt from the logs by
    `manage.py summaries_rebuild`; what depends on today (windows, thresholds) is worked out
    when read."""

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    # The latest day of anything stored here: a reader asking about an earlier day works it
    # out from the logs instead.
    last_event_on = models.DateField(null=True)
    last_session_at = models.DateTimeField(null=True)
    last_session_on = models.DateField(null=True)
    pain_first_on = models.DateField(null=True)
    pain_baseline_total = models.IntegerField(default=0)
    pain_baseline_count = models.IntegerField(default=0)
    pain_latest = models.SmallIntegerField(null=True)
    pain_latest_at = models.DateTimeField(null=True)
    pain_latest_on = models.DateField(null=True)
    pain_latest_source = models.CharField(max_length=10, blank=True)
    pain_latest_id = models.BigIntegerField(null=True)
    pain_week_before_total = models.IntegerField(default=0)
    pain_week_before_count = models.IntegerField(default=0)
    red_flag_id = models.BigIntegerField(null=True)
    red_flag_at = models.DateTimeField(null=True)
    red_flag_on = models.DateField(null=True)
    red_flag_severity = models.CharField(max_length=20, blank=True)
    red_flag_codes = models.JSONField(default=list)
    flagged_id = models.BigIntegerField(null=True)
    flagged_at = models.DateTimeField(null=True)
    flagged_on = models.DateField(null=True)
    flagged_reason = models.CharField(max_length=200, blank=True)
    # The latest session and the latest report at or above the clinic's pain alert threshold
    # when the summary was written (`high_threshold`)...
    high_threshold = models.PositiveSmallIntegerField(null=True)
    high_session_id = models.BigIntegerField(null=True)
    high_session_at = models.DateTimeField(null=True)
    high_session_on = models.DateField(null=True)
    high_session_before = models.SmallIntegerField(null=True)
    high_session_after = models.SmallIntegerField(null=True)
    high_report_id = models.BigIntegerField(null=True)
    high_report_at = models.DateTimeField(null=True)
    high_report_on = models.DateField(null=True)
    high_report_score = models.SmallIntegerField(null=True)
    # ...and the latest of each at every pain level ({"7": {...}}), so the high-pain alert
    # finds its event also after the clinic's threshold was changed.
    high_sessions = models.JSONField(default=dict)
    high_reports = models.JSONField(default=dict)
    # A new random number at every write of the row (`patients.summary.new_revision`): a
    # reader keeping figures worked out from this summary notes the revision it read, and knows
    # them out of date when the revision differs, also after a rebuild.
    revision = models.BigIntegerField(null=True, editable=False)

    class Meta:
        verbose_name = _("patient summary")
        verbose_name_plural = _("patient summaries")

    def __str__(self) -> str:
        return f"Summary of patient #{self.patient_id}"


class PainDay(models.Model):
    """The total and count of a patient's pain values on one clinic-local day (sessions and
    reports, by the rules of `patients.trends`): the 7-day average adds up a week of these rows.
    Kept with `PatientSummary`."""

    # Looked up by (patient, day), the unique constraint's index; an index on the patient
    # alone would tempt the planner to read every day of every patient asked about.
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    total = models.PositiveIntegerField()
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["patient", "day"], name="pain_day_unique")]

    def __str__(self) -> str:
        return f"Patient #{self.patient_id}, {self.day}: {self.total}/{self.count}"


class SessionDayCount(models.Model):
    """Sessions logged per plan and clinic-local day: what adherence counts, a few rows per
    patient and window instead of every session. Kept with `PatientSummary`."""

    # Read by (plan, day) and (patient, day): the indexes below, not one per key alone.
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+", db_index=False)
    plan = models.ForeignKey(
        "prescriptions.Plan", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    sessions = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "day"], name="session_day_count_unique")
        ]
        indexes = [models.Index(fields=["patient", "day"], name="session_day_patient_idx")]

    def __str__(self) -> str:
        return f"Plan #{self.plan_id}, {self.day}: {self.sessions}"
