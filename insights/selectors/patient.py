"""The therapist's page of one patient: the summary at the top (the plan and its dose, adherence
over 7 and 30 days, open alerts, the last session), the plans, and the record's details."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, prefetch_related_objects

from patients.adherence import WINDOWS, Adherence
from patients.models import AlertKind, EntryStatus, Patient, ReminderSettings, SessionLog
from patients.selectors.records import Reminders, reminders_from
from prescriptions.models import Plan, PlanItem, PlanStatus, PlanTemplate
from prescriptions.selectors import templates_for_clinic

from ..alerts import PatientAlerts
from .alerts import alerts_for_patients
from .review import Prescribed, Window, plan_window, prescribed_for, window_from

TEMPLATE_SHORTLIST = 6


CURRENT_PLAN_STATUSES = (PlanStatus.ACTIVE, PlanStatus.PAUSED)


# Alerts about the patient as a whole point at the top of this page; here they point at the
# section that shows what they are about.
SECTION_OF_ALERT = {AlertKind.INACTIVE: "#sessions", AlertKind.LOW_ADHERENCE: "#progress"}


@dataclass
class PatientPage:
    patient: Patient
    today: datetime.date
    # Current plans carry `dose_items` (their exercises in order, each with its dose in words),
    # `day_number` (today is day n of the plan, None before it starts) and `length_days`.
    current_plans: list[Plan]
    past_plans: list[Plan]
    last_session: SessionLog | None
    templates: list[PlanTemplate]
    more_templates: bool
    # Every alert of the patient, open and acknowledged (insights.alerts), and their session
    # reminders as they chose them: staff see them, only the patient changes them.
    alerts: PatientAlerts
    reminders: Reminders
    # Adherence over the last 7 and 30 days ({7: Adherence, 30: Adherence}).
    adherence: dict[int, Adherence]
    # The charts' window (`?days=`), the active plan's span, and the plans and sessions per
    # day read once for both the summary and the review.
    window: Window
    plan_span: Window | None
    prescribed: Prescribed

    @property
    def emergencies(self) -> list:
        return [alert for alert in self.alerts.open if alert.is_emergency]

    @property
    def other_open_alerts(self) -> list:
        return [alert for alert in self.alerts.open if not alert.is_emergency]

    @property
    def other_open_alert_links(self) -> list[tuple]:
        """Each open alert but the emergencies, with where its evidence is on this page."""
        return [
            (alert, SECTION_OF_ALERT.get(alert.kind, "") if "#" not in alert.evidence_url else "")
            for alert in self.other_open_alerts
        ]

    @property
    def active_plans(self) -> list[Plan]:
        return [plan for plan in self.current_plans if plan.status == PlanStatus.ACTIVE]

    @property
    def paused_plans(self) -> list[Plan]:
        return [plan for plan in self.current_plans if plan.status == PlanStatus.PAUSED]

    @property
    def week_adherence(self) -> Adherence | None:
        return self.adherence.get(7)

    @property
    def month_adherence(self) -> Adherence | None:
        return self.adherence.get(30)

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


def plan_day(plan: Plan, today: datetime.date) -> int | None:
    """Which day of the plan today is (its first day is day 1); None before it starts."""
    if today < plan.start_date:
        return None
    return (today - plan.start_date).days + 1


def patient_page(*, patient: Patient, days=None) -> PatientPage:
    """Everything the therapist's patient page shows apart from the review, in a fixed number of
    queries whatever the number of plans, sessions and pain reports. `days` is the `?days=`
    choice of the charts' window (the active plan's span by default)."""
    patient = (
        Patient.objects.filter(pk=patient.pk)
        .select_related("clinic", "primary_therapist", "user", "reminder_settings")
        .get()
    )
    today = patient.clinic.today()
    plans = list(
        Plan.objects.filter(patient=patient)
        .annotate(item_count=Count("items"))
        .order_by("-start_date", "-id")
    )
    current_plans = [plan for plan in plans if plan.status in CURRENT_PLAN_STATUSES]
    current_plans.sort(key=lambda plan: plan.status != PlanStatus.ACTIVE)
    prefetch_related_objects(
        current_plans,
        Prefetch(
            "items",
            queryset=PlanItem.objects.select_related("exercise").order_by("position", "id"),
            to_attr="dose_items",
        ),
    )
    for plan in current_plans:
        plan.day_number = plan_day(plan, today)
        plan.length_days = (
            (plan.end_date - plan.start_date).days + 1 if plan.end_date is not None else None
        )
    last_session = (
        SessionLog.objects.filter(patient=patient)
        .select_related("plan")
        .annotate(
            entry_count=Count("entries"),
            completed_count=Count("entries", filter=Q(entries__status=EntryStatus.COMPLETED)),
        )
        .order_by("-performed_at", "-id")
        .first()
    )
    templates = list(templates_for_clinic(clinic=patient.clinic)[: TEMPLATE_SHORTLIST + 1])
    active = [plan for plan in current_plans if plan.status == PlanStatus.ACTIVE]
    plan_span = plan_window(plans=current_plans, today=today)
    window = window_from(days, today=today, plan_span=plan_span)
    prescribed = prescribed_for(patient=patient, window=window, today=today)
    # The summary's 7 and 30 days, handed to the alerts too (the low adherence rule's 7 days).
    adherence = {days: prescribed.adherence_over(days) for days in WINDOWS}
    alerts = alerts_for_patients(
        clinic=patient.clinic,
        patient_ids=[patient.pk],
        today=today,
        adherence={patient.pk: adherence},
        plans={patient.pk: active},
    )
    try:
        settings_row = patient.reminder_settings
    except ReminderSettings.DoesNotExist:
        settings_row = None
    return PatientPage(
        patient=patient,
        today=today,
        current_plans=current_plans,
        past_plans=[plan for plan in plans if plan.status not in CURRENT_PLAN_STATUSES],
        last_session=last_session,
        templates=templates[:TEMPLATE_SHORTLIST],
        more_templates=len(templates) > TEMPLATE_SHORTLIST,
        alerts=alerts.get(patient.pk) or PatientAlerts(),
        reminders=reminders_from(
            settings_row=settings_row,
            sessions_per_day=max((plan.times_per_day for plan in active), default=1),
        ),
        adherence=adherence,
        window=window,
        plan_span=plan_span,
        prescribed=prescribed,
    )
