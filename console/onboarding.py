"""The first-run checklist: what a new clinic's admin and a new therapist do first, each step
ticked off by the data it leaves behind. Read here for both roles because the steps reach
across the apps below (patients, plans, templates, the library)."""

from dataclasses import dataclass

from django.db.models import Exists, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clinics.models import Role, User
from exercises.models import Exercise
from patients.models import Patient, PatientStatus
from prescriptions.models import Plan, PlanTemplate


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    hint: str
    url: str
    done: bool
    # A step that leaves no trace of its own is marked by posting to `url` on the way there.
    post: bool = False


@dataclass(frozen=True)
class Checklist:
    title: str
    intro: str
    items: list[ChecklistItem]

    @property
    def done_count(self) -> int:
        return sum(item.done for item in self.items)

    @property
    def next_item(self) -> ChecklistItem | None:
        return next((item for item in self.items if not item.done), None)


def _admin_checklist(user: User) -> Checklist:
    clinic = user.clinic
    found = (
        User.objects.filter(pk=user.pk)
        .values(
            therapist=Exists(
                User.objects.filter(clinic_id=clinic.pk, role=Role.THERAPIST).order_by()
            ),
            own_exercise=Exists(Exercise.objects.filter(clinic_id=clinic.pk).order_by()),
            template=Exists(PlanTemplate.objects.filter(clinic_id=clinic.pk).order_by()),
        )
        .get()
    )
    settings_url = reverse("console:clinic-settings")
    return Checklist(
        title=_("Set up your clinic"),
        intro=_("What to do before your therapists start. Each step ticks itself off once done."),
        items=[
            ChecklistItem(
                key="details",
                label=_("Add the clinic's details and logo"),
                hint=_("Printed on every handout, so patients know who to call."),
                url=settings_url,
                done=bool(clinic.logo),
            ),
            ChecklistItem(
                key="thresholds",
                label=_("Check the alert thresholds"),
                hint=_("When the caseload flags a patient for pain, missed sessions or adherence."),
                url=settings_url + "#alerts",
                done=clinic.alert_thresholds_saved_at is not None,
            ),
            ChecklistItem(
                key="therapist",
                label=_("Invite a therapist"),
                hint=_("They get an email to choose a password and can start at once."),
                url=reverse("console:staff-invite"),
                done=found["therapist"],
            ),
            ChecklistItem(
                key="library",
                label=_("Look through the exercise library"),
                hint=_("Shared exercises to start with; add your clinic's own or import a file."),
                url=reverse("console:first-run-library"),
                done=clinic.library_reviewed_at is not None or found["own_exercise"],
                post=True,
            ),
            ChecklistItem(
                key="template",
                label=_("Add a plan template"),
                hint=_("A starting point therapists adjust for each patient."),
                url=reverse("prescriptions:template-add"),
                done=found["template"],
            ),
        ],
    )


def _therapist_checklist(user: User) -> Checklist:
    patients = Patient.objects.filter(primary_therapist_id=user.pk).order_by()
    found = (
        User.objects.filter(pk=user.pk)
        .values(
            patient=Exists(patients),
            plan=Exists(
                Plan.objects.filter(
                    Q(prescribed_by_id=user.pk) | Q(patient__primary_therapist_id=user.pk)
                ).order_by()
            ),
            # Inviting a patient gives their record a sign-in, whether or not they used it yet.
            invited=Exists(patients.filter(user__isnull=False)),
            newest=Subquery(
                patients.filter(status=PatientStatus.ACTIVE)
                .order_by("-created_at", "-pk")
                .values("pk")[:1]
            ),
        )
        .get()
    )
    newest = found["newest"]
    caseload_url = reverse("insights:caseload")
    return Checklist(
        title=_("Your first patient"),
        intro=_("From adding a patient to their first exercises at home, in three steps."),
        items=[
            ChecklistItem(
                key="patient",
                label=_("Add your first patient"),
                hint=_("Name, contact details and condition; the rest can wait."),
                url=reverse("patients:patient-add"),
                done=found["patient"],
            ),
            ChecklistItem(
                key="plan",
                label=_("Build their first plan"),
                hint=_("Choose the exercises and the dose; a template gives you a head start."),
                url=reverse("patients:plan-create", args=[newest]) if newest else caseload_url,
                done=found["plan"],
            ),
            ChecklistItem(
                key="invite",
                label=_("Invite the patient"),
                hint=_("From the patient's page: they get an email to open their exercises."),
                url=reverse("insights:patient-detail", args=[newest]) if newest else caseload_url,
                done=found["invited"],
            ),
        ],
    )


CHECKLISTS = {
    Role.CLINIC_ADMIN: _admin_checklist,
    Role.THERAPIST: _therapist_checklist,
}


def first_run_checklist(*, user: User) -> Checklist | None:
    """The checklist for `user`, or None when there is none to show: not staff, dismissed, or
    every step done. One query for staff who still have it; none for anyone else."""
    if not user.is_authenticated or user.clinic_id is None or user.first_run_dismissed_at:
        return None
    build = CHECKLISTS.get(user.role)
    if build is None:
        return None
    checklist = build(user)
    if checklist.next_item is None:
        return None
    return checklist
