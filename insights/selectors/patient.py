"""The record at the top of the therapist's page of one patient: details, plans, recent
sessions and pain reports, and templates to start a plan from."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Q,
)

from patients.models import EntryStatus, PainReport, Patient, ReminderSettings, SessionLog
from patients.selectors.records import Reminders, reminders_from
from prescriptions.models import Plan, PlanStatus, PlanTemplate
from prescriptions.selectors import templates_for_clinic

from ..alerts import PatientAlerts
from .alerts import alerts_for_patients

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
    # Every alert of the patient, open and acknowledged (insights.alerts), and their session
    # reminders as they chose them: staff see them, only the patient changes them.
    alerts: PatientAlerts
    reminders: Reminders

    @property
    def emergencies(self) -> list:
        return [alert for alert in self.alerts.open if alert.is_emergency]

    @property
    def other_open_alerts(self) -> list:
        return [alert for alert in self.alerts.open if not alert.is_emergency]

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
        .select_related("clinic", "primary_therapist", "user", "reminder_settings")
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
    active = [plan for plan in current_plans if plan.status == PlanStatus.ACTIVE]
    alerts = alerts_for_patients(
        clinic=patient.clinic, patient_ids=[patient.pk], plans={patient.pk: active}
    )
    try:
        settings_row = patient.reminder_settings
    except ReminderSettings.DoesNotExist:
        settings_row = None
    return PatientPage(
        patient=patient,
        today=patient.clinic.today(),
        current_plans=current_plans,
        past_plans=[plan for plan in plans if plan.status not in CURRENT_PLAN_STATUSES],
        recent_sessions=sessions,
        recent_pain_reports=pain_reports,
        templates=templates[:TEMPLATE_SHORTLIST],
        more_templates=len(templates) > TEMPLATE_SHORTLIST,
        alerts=alerts.get(patient.pk) or PatientAlerts(),
        reminders=reminders_from(
            settings_row=settings_row,
            sessions_per_day=max((plan.times_per_day for plan in active), default=1),
        ),
    )
