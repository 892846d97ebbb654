import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .limits import Limit


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
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("Django admin access"),
        default=False,
        help_text=_("Lets the person open the technical admin site."),
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

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
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT


class AccessPurpose(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    SIGN_IN = "sign_in", _("Sign-in link")


class AccessLink(models.Model):
    """A single-use, expiring link emailed to one person: an invitation to set a password, or a
    sign-in without one. Only a SHA-256 of the link's random token is kept, so a copy of the
    database holds no link that still works."""

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
