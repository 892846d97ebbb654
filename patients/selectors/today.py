"""What the patient's Today page reads: every active plan with its exercises and dose, and the
sessions already logged today."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from prescriptions.models import Plan, PlanItem, PlanStatus
from prescriptions.schedule import is_scheduled

from ..cautions import plan_cautions
from ..models import Patient, SessionLog


@dataclass(frozen=True)
class TodayExercise:
    item: PlanItem
    cautions: list[str]  # the exercise's own; advice it shares with others is the plan's


@dataclass
class TodayPlan:
    plan: Plan
    exercises: list[TodayExercise]
    shared_cautions: list[str]
    is_scheduled_today: bool
    sessions_done_today: int
    next_scheduled_on: datetime.date | None

    @property
    def sessions_left_today(self) -> int:
        if not self.is_scheduled_today:
            return 0
        return max(self.plan.times_per_day - self.sessions_done_today, 0)

    @property
    def next_session_number(self) -> int:
        """Which of today's sessions a start begins: 1 of 2, then 2 of 2."""
        return min(self.sessions_done_today + 1, self.plan.times_per_day)


@dataclass
class Today:
    date: datetime.date
    plans: list[TodayPlan] = field(default_factory=list)
    upcoming: list[Plan] = field(default_factory=list)


def next_scheduled_on(plan: Plan, after: datetime.date) -> datetime.date | None:
    """The plan's next scheduled day after `after`, within its dates; None when it has none."""
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
        items = list(plan.items.all())
        cautions = plan_cautions(items)
        result.plans.append(
            TodayPlan(
                plan=plan,
                exercises=[TodayExercise(item, cautions.own(item)) for item in items],
                shared_cautions=cautions.shared,
                is_scheduled_today=plan.is_scheduled_on(today),
                sessions_done_today=done_today.get(plan.pk, 0),
                next_scheduled_on=next_scheduled_on(plan, today),
            )
        )
    return result
