import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from prescriptions.models import Plan, PlanItem, PlanStatus, PlanTemplate
from prescriptions.schedule import is_scheduled
from prescriptions.selectors import templates_for_clinic

from .models import EntryStatus, PainReport, Patient, PatientStatus, SessionLog


def caseload(
    *, user, scope: str = "mine", status: str = PatientStatus.ACTIVE, query: str = ""
) -> QuerySet[Patient]:
    """The clinic's patients for a staff member: their own first, each with active plans and the
    last session, in a fixed number of queries whatever the caseload size."""
    patients = (
        Patient.objects.for_clinic(user.clinic)
        .select_related("primary_therapist")
        .annotate(
            is_mine=Case(
                When(primary_therapist=user, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            # The latest session, read off the (patient, time) index: an aggregate over the
            # joined sessions would read every session of every patient.
            last_session_at=Subquery(
                SessionLog.objects.filter(patient=OuterRef("pk"))
                .order_by("-performed_at")
                .values("performed_at")[:1]
            ),
        )
        .prefetch_related(
            Prefetch(
                "plans",
                queryset=Plan.objects.filter(status=PlanStatus.ACTIVE).order_by("start_date"),
                to_attr="active_plans",
            )
        )
        .order_by("is_mine", "last_name", "first_name", "id")
    )
    if scope == "mine":
        patients = patients.filter(primary_therapist=user)
    if status:
        patients = patients.filter(status=status)
    for word in query.split():
        patients = patients.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return patients


@dataclass
class TodayPlan:
    plan: Plan
    items: list[PlanItem]
    is_scheduled_today: bool
    sessions_done_today: int
    next_scheduled_on: datetime.date | None

    @property
    def sessions_left_today(self) -> int:
        if not self.is_scheduled_today:
            return 0
        return max(self.plan.times_per_day - self.sessions_done_today, 0)


@dataclass
class Today:
    date: datetime.date
    plans: list[TodayPlan] = field(default_factory=list)
    upcoming: list[Plan] = field(default_factory=list)


def _next_scheduled_on(plan: Plan, after: datetime.date) -> datetime.date | None:
    for offset in range(1, 8):
        day = after + datetime.timedelta(days=offset)
        if plan.end_date is not None and day > plan.end_date:
            return None
        if is_scheduled(plan.weekdays, day):
            return day
    return None


def today_for_patient(*, patient: Patient) -> Today:
    """What the patient does today: every active plan in range with its exercises and dose,
    and how many of today's sessions are already logged."""
    today = patient.clinic.today()
    plans = list(
        Plan.objects.filter(patient=patient, status=PlanStatus.ACTIVE)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .prefetch_related(
            Prefetch(
                "items",
                queryset=PlanItem.objects.select_related("exercise").prefetch_related(
                    "exercise__steps"
                ),
            )
        )
        .order_by("start_date", "id")
    )
    done_today = dict(
        SessionLog.objects.filter(patient=patient, performed_on=today)
        .values("plan")
        .annotate(done=Count("id"))
        .values_list("plan", "done")
    )
    result = Today(date=today)
    for plan in plans:
        if plan.start_date > today:
            result.upcoming.append(plan)
            continue
        result.plans.append(
            TodayPlan(
                plan=plan,
                items=list(plan.items.all()),
                is_scheduled_today=plan.is_scheduled_on(today),
                sessions_done_today=done_today.get(plan.pk, 0),
                next_scheduled_on=_next_scheduled_on(plan, today),
            )
        )
    return result


RECENT_ROWS = 10
TEMPLATE_SHORTLIST = 6
CURRENT_PLAN_STATUSES = (PlanStatus.ACTIVE, PlanStatus.PAUSED)


@dataclass
class PatientPage:
    patient: Patient
    today: datetime.date
    current_plans: list[Plan]
    past_plans: list[Plan]
    recent_sessions: list[SessionLog]
    recent_pain_reports: list[PainReport]
    templates: list[PlanTemplate]
    more_templates: bool

    @property
    def age(self) -> int | None:
        born = self.patient.date_of_birth
        if born is None:
            return None
        return (
            self.today.year
            - born.year
            - ((self.today.month, self.today.day) < (born.month, born.day))
        )

    @property
    def running_plan_count(self) -> int:
        return len(self.current_plans)


def patient_page(*, patient: Patient) -> PatientPage:
    """Everything the therapist's patient page shows, in a fixed number of queries whatever
    the number of plans, sessions and pain reports."""
    patient = (
        Patient.objects.filter(pk=patient.pk)
        .select_related("clinic", "primary_therapist", "user")
        .get()
    )
    plans = list(
        Plan.objects.filter(patient=patient)
        .annotate(item_count=Count("items"))
        .order_by("-start_date", "-id")
    )
    current_plans = [plan for plan in plans if plan.status in CURRENT_PLAN_STATUSES]
    current_plans.sort(key=lambda plan: plan.status != PlanStatus.ACTIVE)
    sessions = list(
        SessionLog.objects.filter(patient=patient)
        .select_related("plan")
        .annotate(
            entry_count=Count("entries"),
            completed_count=Count("entries", filter=Q(entries__status=EntryStatus.COMPLETED)),
        )
        .order_by("-performed_at", "-id")[:RECENT_ROWS]
    )
    pain_reports = list(
        PainReport.objects.filter(patient=patient).order_by("-recorded_at", "-id")[:RECENT_ROWS]
    )
    templates = list(templates_for_clinic(clinic=patient.clinic)[: TEMPLATE_SHORTLIST + 1])
    return PatientPage(
        patient=patient,
        today=patient.clinic.today(),
        current_plans=current_plans,
        past_plans=[plan for plan in plans if plan.status not in CURRENT_PLAN_STATUSES],
        recent_sessions=sessions,
        recent_pain_reports=pain_reports,
        templates=templates[:TEMPLATE_SHORTLIST],
        more_templates=len(templates) > TEMPLATE_SHORTLIST,
    )
