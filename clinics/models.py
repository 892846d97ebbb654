import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from lib.limits import Limit
from push.models import Channel


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone. Use a name such as Europe/London."),
            params={"value": value},
        )


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


# Alert thresholds the therapist dashboard uses; the defaults follow DOMAIN.md (pain 7+, a rise
# of 2+ is the clinically important change, 3 quiet days, adherence under 50% over 7 days).
ALERT_PAIN = Limit(_("The pain alert threshold"), 1, 10)
ALERT_PAIN_RISE = Limit(_("The pain rise threshold"), 1, 10)
ALERT_INACTIVE_DAYS = Limit(_("Days without a session"), 1, 60)
ALERT_ADHERENCE = Limit(_("The adherence threshold (percent)"), 0, 100)
# How long an alert about a patient's safety may wait for the therapist before the clinic's
# admins are told too: an emergency red flag within hours, the others within a day.
ESCALATE_EMERGENCY_HOURS = Limit(_("Hours before an emergency is passed on"), 1, 24)
ESCALATE_OTHER_HOURS = Limit(_("Hours before another safety alert is passed on"), 1, 168)


class Clinic(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Decides what “today” means for the clinic's patients."),
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="clinics/logos/", blank=True)

    alert_pain_at_or_above = ALERT_PAIN.field(_("alert when pain is at or above"), default=7)
    alert_pain_rise = ALERT_PAIN_RISE.field(_("alert when pain rises by"), default=2)
    alert_inactive_days = ALERT_INACTIVE_DAYS.field(
        _("alert after this many days without a session"), default=3
    )
    alert_adherence_below_percent = ALERT_ADHERENCE.field(
        _("alert when 7-day adherence is below (percent)"), default=50
    )
    escalate_emergency_after_hours = ESCALATE_EMERGENCY_HOURS.field(
        _("tell the admins about an unacknowledged emergency red flag after (hours)"), default=2
    )
    escalate_other_after_hours = ESCALATE_OTHER_HOURS.field(
        _("tell the admins about another unacknowledged safety alert after (hours)"), default=24
    )
    # The first-run checklist's two steps that leave no other trace: saving the settings page
    # (the thresholds are saved even when the defaults are kept) and opening the library from
    # the checklist.
    alert_thresholds_saved_at = models.DateTimeField(
        _("alert thresholds saved"), null=True, blank=True, editable=False
    )
    library_reviewed_at = models.DateTimeField(
        _("library looked at"), null=True, blank=True, editable=False
    )

    # What its people read Rehabit in unless they chose otherwise (clinics.languages).
    default_language = models.CharField(
        _("default language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("For everyone who has not chosen a language of their own."),
    )

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("clinic")
        verbose_name_plural = _("clinics")
        constraints = [
            ALERT_PAIN.constraint("alert_pain_at_or_above", "clinic_alert_pain_range"),
            ALERT_PAIN_RISE.constraint("alert_pain_rise", "clinic_alert_pain_rise_range"),
            ALERT_INACTIVE_DAYS.constraint(
                "alert_inactive_days", "clinic_alert_inactive_days_range"
            ),
            ALERT_ADHERENCE.constraint(
                "alert_adherence_below_percent", "clinic_alert_adherence_range"
            ),
            ESCALATE_EMERGENCY_HOURS.constraint(
                "escalate_emergency_after_hours", "clinic_escalate_emergency_range"
            ),
            ESCALATE_OTHER_HOURS.constraint(
                "escalate_other_after_hours", "clinic_escalate_other_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self):
        """The calendar date it is now where the clinic is."""
        return timezone.localdate(timezone=self.zone)


class Role(models.TextChoices):
    CLINIC_ADMIN = "clinic_admin", _("Clinic admin")
    THERAPIST = "therapist", _("Therapist")
    PATIENT = "patient", _("Patient")


STAFF_ROLES = (Role.CLINIC_ADMIN, Role.THERAPIST)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("Users sign in by email, so an email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_superuser", False)
        extra.setdefault("is_staff", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_superuser"] = True
        extra["is_staff"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: clinic staff (admin or therapist) or a patient. Signs in by email."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    clinic = models.ForeignKey(
        Clinic,
        verbose_name=_("clinic"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    # Staff choose when their daily digest arrives, in the clinic's time; none: no digest.
    digest_at = models.TimeField(_("daily digest at"), null=True, blank=True)
    # How reminders, alerts, messages and the digest reach the person (push.services).
    notification_channel = models.CharField(
        _("notifications by"),
        max_length=20,
        choices=Channel.choices,
        default=Channel.PUSH_ELSE_EMAIL,
    )
    # Blank: the clinic's default language (clinics.languages.language_for).
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("Django admin access"),
        default=False,
        help_text=_("Lets the person open the technical admin site."),
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    first_run_dismissed_at = models.DateTimeField(
        _("first-run checklist dismissed"), null=True, blank=True, editable=False
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Everyone but a site superuser belongs to exactly one clinic and has a role in it.
            models.CheckConstraint(
                condition=Q(is_superuser=True) | (Q(clinic__isnull=False) & ~Q(role="")),
                name="user_clinic_and_role_unless_superuser",
                violation_error_message=_("Every account needs a clinic and a role."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == Role.CLINIC_ADMIN

    @property
    def is_therapist(self) -> bool:
        return self.role == Role.THERAPIST

    @property
    def is_clinic_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def can_use_two_factor(self) -> bool:
        """Staff of a clinic, and the site's superusers (who reach every clinic's records
        through the Django admin)."""
        return self.is_clinic_staff or self.is_superuser

    @property
    def must_use_two_factor(self) -> bool:
        return self.is_clinic_admin or self.is_superuser

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT


class AccessPurpose(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    SIGN_IN = "sign_in", _("Sign-in link")
    UNLOCK = "unlock", _("Unlock link")


class AccessLink(models.Model):
    """A single-use, expiring link emailed to one person: an invitation to set a password, a
    sign-in without one, or the unlocking of an account locked after failed sign-ins. Only a
    SHA-256 of the link's random token is kept, so a copy of the database holds no link that
    still works."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="access_links"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=AccessPurpose.choices)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("access link")
        verbose_name_plural = _("access links")
        indexes = [models.Index(fields=["user", "purpose"], name="accesslink_user_purpose_idx")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} for {self.user_id}"


class AuditAction(models.TextChoices):
    PATIENT_VIEWED = "patient_viewed", _("Viewed the patient page")
    HISTORY_VIEWED = "history_viewed", _("Viewed the history")
    PLAN_VIEWED = "plan_viewed", _("Viewed a plan")
    HANDOUT_VIEWED = "handout_viewed", _("Viewed a handout")
    HANDOUT_DOWNLOADED = "handout_downloaded", _("Downloaded a handout (PDF)")
    EXPORTED_CSV = "exported_csv", _("Exported the logs (CSV)")
    EXPORTED_JSON = "exported_json", _("Exported the record (JSON)")
    PATIENT_CREATED = "patient_created", _("Patient added")
    PATIENT_UPDATED = "patient_updated", _("Patient details changed")
    PATIENT_DISCHARGED = "patient_discharged", _("Patient discharged")
    PATIENT_REACTIVATED = "patient_reactivated", _("Patient reactivated")
    PATIENT_INVITED = "patient_invited", _("Patient invited")
    PLAN_CREATED = "plan_created", _("Plan prescribed")
    PLAN_REVISED = "plan_revised", _("Plan changed")
    PLAN_STATUS_CHANGED = "plan_status_changed", _("Plan status changed")
    SESSION_LOGGED = "session_logged", _("Session logged")
    SESSION_CORRECTED = "session_corrected", _("Session log corrected")
    PAIN_REPORTED = "pain_reported", _("Pain reported")
    ALERT_ACKNOWLEDGED = "alert_acknowledged", _("Alert acknowledged")
    MESSAGES_VIEWED = "messages_viewed", _("Read the messages")
    PATIENT_LISTED = "patient_listed", _("Saw the patient on the caseload")
    PATIENT_FORM_VIEWED = "patient_form_viewed", _("Opened the patient's details to edit")
    PLAN_BUILDER_VIEWED = "plan_builder_viewed", _("Opened the plan builder")
    ADMIN_VIEWED = "admin_viewed", _("Viewed in the site admin")
    MESSAGE_SENT = "message_sent", _("Message sent")
    MONITORING_SET_UP = "monitoring_set_up", _("Remote monitoring set up")
    MONITORING_CHANGED = "monitoring_changed", _("Remote monitoring dates changed")
    MONITORING_TIME_LOGGED = "monitoring_time_logged", _("Monitoring time logged")
    MONITORING_TIME_CORRECTED = "monitoring_time_corrected", _("Monitoring time corrected")
    MONITORING_REPORT_EXPORTED = (
        "monitoring_report_exported",
        _("Exported the monitoring report (CSV)"),
    )
    EXERCISE_CREATED = "exercise_created", _("Exercise added")
    EXERCISE_UPDATED = "exercise_updated", _("Exercise changed")
    EXERCISE_COPIED = "exercise_copied", _("Exercise copied to the library")
    EXERCISE_ARCHIVED = "exercise_archived", _("Exercise archived")
    EXERCISE_RESTORED = "exercise_restored", _("Exercise restored")
    EXERCISE_DELETED = "exercise_deleted", _("Exercise deleted")
    LIBRARY_IMPORTED = "library_imported", _("Exercise library imported")
    TEMPLATE_CREATED = "template_created", _("Template added")
    TEMPLATE_UPDATED = "template_updated", _("Template changed")
    TEMPLATE_ARCHIVED = "template_archived", _("Template archived")
    TEMPLATE_RESTORED = "template_restored", _("Template restored")
    SIGNED_IN = "signed_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGNED_OUT = "signed_out", _("Signed out")
    STAFF_INVITED = "staff_invited", _("Staff member invited")
    STAFF_INVITATION_RESENT = "staff_invitation_resent", _("Staff invitation re-sent")
    STAFF_DEACTIVATED = "staff_deactivated", _("Staff member deactivated")
    STAFF_REACTIVATED = "staff_reactivated", _("Staff member reactivated")
    CLINIC_SETTINGS_UPDATED = "clinic_settings_updated", _("Clinic settings changed")
    TWO_FACTOR_ENABLED = "two_factor_enabled", _("Two-step sign-in turned on")
    TWO_FACTOR_DISABLED = "two_factor_disabled", _("Two-step sign-in turned off")
    TWO_FACTOR_RESET = "two_factor_reset", _("Two-step sign-in reset")
    RECOVERY_CODES_REGENERATED = "recovery_codes_regenerated", _("New recovery codes made")
    ACCOUNT_UNLOCKED = "account_unlocked", _("Account unlocked")
    OUTCOMES_VIEWED = "outcomes_viewed", _("Viewed the outcome measures")
    OUTCOME_RECORDED = "outcome_recorded", _("Outcome score recorded")
    OUTCOME_CORRECTED = "outcome_corrected", _("Outcome score corrected")
    OUTCOME_SETUP_CHANGED = "outcome_setup_changed", _("Outcome measures set up")
    EXPORTED_FHIR = "exported_fhir", _("Exported the program (FHIR)")
    API_READ = "api_read", _("Read through the API")
    API_KEY_CREATED = "api_key_created", _("API key made")
    API_KEY_REVOKED = "api_key_revoked", _("API key revoked")
    WEBHOOK_ADDED = "webhook_added", _("Webhook added")
    WEBHOOK_CHANGED = "webhook_changed", _("Webhook changed")
    WEBHOOK_REMOVED = "webhook_removed", _("Webhook removed")


# What a patient sees under "Who has viewed my record": reads of it, not changes.
RECORD_VIEW_ACTIONS = (
    AuditAction.PATIENT_VIEWED,
    AuditAction.HISTORY_VIEWED,
    AuditAction.PLAN_VIEWED,
    AuditAction.HANDOUT_VIEWED,
    AuditAction.HANDOUT_DOWNLOADED,
    AuditAction.EXPORTED_CSV,
    AuditAction.EXPORTED_JSON,
    AuditAction.OUTCOMES_VIEWED,
    AuditAction.MESSAGES_VIEWED,
    AuditAction.PATIENT_FORM_VIEWED,
    AuditAction.PLAN_BUILDER_VIEWED,
    AuditAction.ADMIN_VIEWED,
    AuditAction.MONITORING_REPORT_EXPORTED,
    AuditAction.EXPORTED_FHIR,
    AuditAction.API_READ,
)


class ApiScope(models.TextChoices):
    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read and write")


class ApiKeyQuerySet(models.QuerySet):
    def for_clinic(self, clinic):
        return self.filter(clinic=clinic)

    def usable(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A key another system of the clinic (an EHR, a practice-management system) uses to call
    the API. Only a digest of the secret is kept: the whole key is shown once, when it is made.
    A key sees one clinic; what it writes, it writes for the staff member it acts as, whose
    rights and the clinic's rules apply, and the audit trail names the key beside them."""

    clinic = models.ForeignKey(
        Clinic, verbose_name=_("clinic"), on_delete=models.PROTECT, related_name="api_keys"
    )
    name = models.CharField(_("name"), max_length=80)
    scope = models.CharField(_("access"), max_length=12, choices=ApiScope.choices)
    # The key's public part, which finds the row; the secret after it is checked by digest.
    prefix = models.CharField(_("key starts with"), max_length=16, unique=True)
    secret_digest = models.CharField(max_length=64)
    acts_as = models.ForeignKey(
        User, verbose_name=_("acts as"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        User, verbose_name=_("made by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("made"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="api_key_name_unique_in_clinic",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == ApiScope.READ_WRITE

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class AuditTrailIsAppendOnly(Exception):
    """An attempt to change or delete an audit event: the trail only ever grows."""


class AuditEventQuerySet(models.QuerySet):
    def for_clinic(self, clinic):
        return self.filter(clinic=clinic)

    def update(self, **kwargs):
        raise AuditTrailIsAppendOnly("Audit events cannot be changed.")

    def delete(self):
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """One row of the append-only audit trail: who did what, to which patient's record, when and
    from which address. Written by `clinics.audit.record`; never changed or deleted (the model
    refuses, and on PostgreSQL a trigger refuses too). The actor's name, email and role are
    copied in, so a row reads as it did even after the account changes."""

    clinic = models.ForeignKey(
        Clinic,
        verbose_name=_("clinic"),
        on_delete=models.PROTECT,
        related_name="audit_events",
        null=True,
        blank=True,
        help_text=_("Empty for a failed sign-in with an email address no account has."),
    )
    # PROTECT: an account or a patient with a trail cannot be deleted out from under it.
    actor = models.ForeignKey(
        User,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    actor_name = models.CharField(_("name"), max_length=150, blank=True)
    actor_email = models.EmailField(_("email"), blank=True)
    actor_role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="audit_events",
        null=True,
        blank=True,
    )
    api_key = models.ForeignKey(
        "ApiKey",
        verbose_name=_("API key"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices)
    summary = models.CharField(_("details"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["clinic", "-created_at"], name="audit_clinic_time_idx"),
            models.Index(fields=["patient", "-created_at"], name="audit_patient_time_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email or '-'} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("Audit events cannot be deleted.")


class SignInLinkRequest(models.Model):
    """One request for an emailed sign-in link, kept for a short while to limit how often an
    address, or a computer, may ask. The email address is kept only as a digest, since most
    requests by a stranger name an address that has no account."""

    email_digest = models.CharField(_("email digest"), max_length=64)
    client_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)

    class Meta:
        verbose_name = _("sign-in link request")
        verbose_name_plural = _("sign-in link requests")
        indexes = [
            models.Index(fields=["email_digest", "created_at"], name="linkrequest_email_idx"),
            models.Index(fields=["client_address", "created_at"], name="linkrequest_address_idx"),
        ]

    def __str__(self) -> str:
        return f"Sign-in link asked for at {self.created_at:%Y-%m-%d %H:%M}"
