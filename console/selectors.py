"""What the clinic admin's pages read: the staff list with each colleague's patients, who can
take over a colleague's patients, locked-out accounts and the audit trail."""

import datetime
from dataclasses import dataclass

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinics.models import STAFF_ROLES, ApiKey, AuditEvent, Clinic, User
from outbox.models import OutboxMessage, Status
from patients.models import PatientStatus


def staff_for_clinic(*, clinic: Clinic) -> QuerySet[User]:
    """The clinic's admins and therapists, active first, each with the number of active patients
    whose primary therapist they are and whether they sign in with two steps: one query however
    many staff or patients."""
    return (
        User.objects.filter(clinic=clinic, role__in=STAFF_ROLES)
        .annotate(
            active_patient_count=Count(
                "primary_patients", filter=Q(primary_patients__status=PatientStatus.ACTIVE)
            ),
            two_factor_on=Exists(TOTPDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)),
        )
        .order_by("-is_active", "full_name", "email")
    )


@dataclass(frozen=True)
class PatientCounts:
    active: int
    discharged: int

    @property
    def total(self) -> int:
        return self.active + self.discharged


def staff_patient_counts(*, member: User) -> PatientCounts:
    """How many patients a colleague is primary therapist for, in one query."""
    counts = member.primary_patients.aggregate(
        active=Count("pk", filter=Q(status=PatientStatus.ACTIVE)),
        discharged=Count("pk", filter=~Q(status=PatientStatus.ACTIVE)),
    )
    return PatientCounts(active=counts["active"], discharged=counts["discharged"])


def reassignment_candidates(*, member: User) -> QuerySet[User]:
    """Who can take over a colleague's patients: the clinic's other active staff."""
    return (
        User.objects.filter(clinic_id=member.clinic_id, role__in=STAFF_ROLES, is_active=True)
        .exclude(pk=member.pk)
        .order_by("full_name", "email")
    )


def audit_events_for_clinic(
    *,
    clinic: Clinic,
    patient=None,
    actor: User | None = None,
    action: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """The clinic's audit trail, newest first, narrowed by any of the filters; the days are the
    clinic's calendar days. Each row brings its patient along (the person's name, email and
    role are copied into the row)."""
    events = AuditEvent.objects.for_clinic(clinic).select_related("patient")
    if patient is not None:
        events = events.filter(patient=patient)
    if actor is not None:
        events = events.filter(actor=actor)
    if action:
        events = events.filter(action=action)
    if date_from is not None:
        start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=clinic.zone)
        events = events.filter(created_at__gte=start)
    if date_to is not None:
        end = datetime.datetime.combine(
            date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=clinic.zone
        )
        events = events.filter(created_at__lt=end)
    return events.order_by("-created_at", "-id")


def locked_out_accounts(*, clinic: Clinic) -> QuerySet[User]:
    """The clinic's accounts (staff and patients) that django-axes refuses to sign in right now:
    as many failed sign-ins for their email within the cool-down as the limit allows. Counted
    the way axes counts them (its attempts are keyed by the lower-cased email), in one query."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    failures = (
        AccessAttempt.objects.filter(username=OuterRef("email"), attempt_time__gte=since)
        .order_by()
        .values("username")
        .annotate(total=Sum("failures_since_start"))
        .values("total")
    )
    return (
        User.objects.filter(clinic=clinic)
        .annotate(recent_failures=Subquery(failures))
        .filter(recent_failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("full_name", "email")
    )


OUTBOX_PAGE_SIZE = 50


def outbox_for_clinic(*, clinic: Clinic) -> QuerySet[OutboxMessage]:
    """The clinic's emails, those not sent first, then those waiting, then the rest, newest
    first within each."""
    order = Case(
        When(status=Status.FAILED, then=Value(0)),
        When(status__in=[Status.QUEUED, Status.SENDING], then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        OutboxMessage.objects.for_clinic(clinic)
        .annotate(order=order)
        .order_by("order", "-created_at", "-id")
    )


def api_keys_for_clinic(*, clinic: Clinic) -> QuerySet[ApiKey]:
    """The clinic's API keys, those in use first, with the people they name: one query."""
    return (
        ApiKey.objects.for_clinic(clinic)
        .select_related("acts_as", "created_by", "revoked_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-id")
    )
