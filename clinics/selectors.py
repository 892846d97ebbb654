from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

# The staff pages count the patients each colleague looks after. Patients point at their
# therapist, so the counts go through that relation and need only the status value from there.
from patients.models import PatientStatus

from .models import STAFF_ROLES, Clinic, User


def staff_for_clinic(*, clinic: Clinic) -> QuerySet[User]:
    """The clinic's admins and therapists, active first, each with the number of active patients
    whose primary therapist they are: one query however many staff or patients."""
    return (
        User.objects.filter(clinic=clinic, role__in=STAFF_ROLES)
        .annotate(
            active_patient_count=Count(
                "primary_patients", filter=Q(primary_patients__status=PatientStatus.ACTIVE)
            )
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
