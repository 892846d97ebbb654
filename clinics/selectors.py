import datetime
from dataclasses import dataclass

from django.db.models import Count, Max, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import RECORD_VIEW_ACTIONS, STAFF_ROLES, AuditAction, AuditEvent, Role, User


def record_views_for_patient(*, patient) -> QuerySet[AuditEvent]:
    """Clinic staff's views of one patient's record, newest first: the patient's own visits to
    their pages are left out, and so is the address each view came from."""
    return (
        AuditEvent.objects.filter(
            patient=patient, action__in=RECORD_VIEW_ACTIONS, actor_role__in=STAFF_ROLES
        )
        .only("created_at", "actor_name", "actor_role", "action")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class CaseloadSighting:
    """Someone at the clinic saw the patient's name on the caseload `times` times on `day`."""

    actor_name: str
    actor_role: str
    day: datetime.date
    times: int
    last_at: datetime.datetime

    @property
    def role_label(self) -> str:
        return Role(self.actor_role).label


def caseload_sightings_for_patient(
    *, patient, days: int = 30, limit: int | None = None
) -> list[CaseloadSighting]:
    """The days in the last `days` on which staff saw the patient's name on the caseload, one
    entry per person and day (the clinic's days), newest first, at most `limit` of them. The
    caseload is opened many times a day, each time naming everyone on it: the patient wants to
    know who, not every reload."""
    zone = patient.clinic.zone
    since = timezone.now() - datetime.timedelta(days=days)
    rows = (
        AuditEvent.objects.filter(
            patient=patient,
            action=AuditAction.PATIENT_LISTED,
            actor_role__in=STAFF_ROLES,
            created_at__gte=since,
        )
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day", "actor_name", "actor_role")
        .annotate(times=Count("id"), last_at=Max("created_at"))
        .order_by("-day", "-last_at")
    )
    return [CaseloadSighting(**row) for row in rows[:limit]]


# Two-step sign-in and sign-in lockouts


def two_factor_device(*, user: User) -> TOTPDevice | None:
    """The authenticator app `user` signs in with, once set up and confirmed."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def active_user(*, pk: int) -> User | None:
    """The account with this id, if it can still sign in."""
    return User.objects.filter(pk=pk, is_active=True).first()
