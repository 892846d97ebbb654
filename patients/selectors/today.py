"""What the patient's Today page reads: every active plan with its exercises and dose, and the
sessions already logged today."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from prescriptions.models import Plan, PlanItem, PlanStatus
from prescriptions.schedule import is_scheduled

from ..models import Patient, SessionLog


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
