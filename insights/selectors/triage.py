"""Where each patient stands on the caseload (`insights.models.CaseloadTriage`): which rows are
out of date, and the figures worked out again for them. `insights.services` writes them."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from clinics.models import Clinic
from patients.adherence import Adherence, window_start
from patients.models import AlertAcknowledgement, Patient
from patients.selectors.adherence import adherence_for_patients
from prescriptions.models import Plan

from ..alerts import ADHERENCE_WINDOW, LEVEL_RANK
from .alerts import active_plans_for, alerts_for_patients
from .trends import pain_trends_for_patients

# The rank of a patient with no open alert: after every level.
NO_ALERT = len(LEVEL_RANK)
MONTH_WINDOW = 30


def thresholds_key(clinic: Clinic) -> str:
    """Everything of the clinic's the alert rules read besides the day: its thresholds and its
    time zone."""
    return ":".join(
        str(value)
        for value in (
            clinic.alert_pain_at_or_above,
            clinic.alert_pain_rise,
            clinic.alert_inactive_days,
            clinic.alert_adherence_below_percent,
            clinic.time_zone,
        )
    )


@dataclass(frozen=True)
class Inputs:
    """What a patient's triage is worked out from, as read before working it out."""

    summary_revision: int | None
    plans: str
    acknowledgements: int


def _per_patient(model, **extra) -> QuerySet:
    """The outer query's patient's rows of `model`, counted (`n`) and with `extra` aggregates,
    for a subquery."""
    return (
        model.objects.filter(patient=OuterRef("pk"))
        .order_by()
        .values("patient")
        .annotate(n=Count("pk"), **extra)
    )


def triage_out_of_date(
    *, clinic: Clinic, patients: QuerySet[Patient], today: datetime.date
) -> dict[int, Inputs]:
    """The patients (of `patients`, the clinic's) whose triage row is missing or out of date,
    with the inputs it is to be worked out from: one query whatever their number."""
    plans = _per_patient(Plan, versions=Sum("version"))
    rows = (
        patients.filter(clinic=clinic)
        .order_by()
        .annotate(
            plan_count=Coalesce(Subquery(plans.values("n")), Value(0), output_field=IntegerField()),
            plan_versions=Coalesce(
                Subquery(plans.values("versions")), Value(0), output_field=IntegerField()
            ),
            acknowledgement_count=Coalesce(
                Subquery(_per_patient(AlertAcknowledgement).values("n")),
                Value(0),
                output_field=IntegerField(),
            ),
        )
        .values_list(
            "pk",
            "summary__revision",
            "plan_count",
            "plan_versions",
            "acknowledgement_count",
            "triage__day",
            "triage__thresholds",
            "triage__summary_revision",
            "triage__plans",
            "triage__acknowledgements",
        )
    )
    key = thresholds_key(clinic)
    stale = {}
    for pk, revision, plan_count, versions, acknowledged, *kept in rows:
        inputs = Inputs(revision, f"{plan_count}:{versions}", acknowledged)
        day, thresholds, kept_revision, kept_plans, kept_acknowledged = kept
        if (day, thresholds, kept_revision, kept_plans, kept_acknowledged) != (
            today,
            key,
            inputs.summary_revision,
            inputs.plans,
            inputs.acknowledgements,
        ):
            stale[pk] = inputs
    return stale


def triage_compute(
    *, clinic: Clinic, patient_ids: list[int], today: datetime.date
) -> dict[int, dict]:
    """The triage figures of each of the clinic's `patient_ids` as of `today`, worked out by the
    same selectors and alert rules the caseload's rows show: a fixed number of queries."""
    if not patient_ids:
        return {}
    adherence = adherence_for_patients(
        patient_ids=patient_ids,
        today=today,
        windows=(ADHERENCE_WINDOW, MONTH_WINDOW),
        with_days=False,
    )
    trends = pain_trends_for_patients(patient_ids=patient_ids, today=today, days=0)
    plans = active_plans_for(patient_ids=patient_ids)
    alerts = alerts_for_patients(
        clinic=clinic,
        patient_ids=patient_ids,
        today=today,
        adherence=adherence,
        trends=trends,
        plans=plans,
    )
    figures = {}
    for patient_id in patient_ids:
        found = alerts.get(patient_id)
        top = found.most_pressing if found else None
        # Every patient asked about has both windows (nothing prescribed: 0 of 0).
        week, month = adherence[patient_id][ADHERENCE_WINDOW], adherence[patient_id][MONTH_WINDOW]
        trend = trends.get(patient_id)
        first_plan = plans.get(patient_id, [None])[0]
        figures[patient_id] = {
            "rank": NO_ALERT if top is None else LEVEL_RANK[top.level],
            "waiting_since": None if top is None else top.at,
            "open_alerts": found.open_count if found else 0,
            "emergency": bool(found) and any(alert.is_emergency for alert in found.open),
            "week_done": week.done,
            "week_prescribed": week.prescribed,
            "month_done": month.done,
            "month_prescribed": month.prescribed,
            "day_prescribed": week.end_prescribed,
            "adherence_week": week.ratio,
            "adherence_month": month.ratio,
            "pain_latest": None if trend is None else trend.latest,
            "pain_change": None if trend is None else trend.change,
            "plan_title": "" if first_plan is None else first_plan.title,
        }
    return figures


def adherence_kept(triage, today: datetime.date) -> dict[int, Adherence]:
    """The 7- and 30-day adherence kept in a triage row as of `today`, as
    `adherence_for_patients` gives them (without the days)."""
    return {
        window: Adherence(
            done=done,
            prescribed=prescribed,
            start=window_start(today, window),
            end=today,
            end_prescribed=triage.day_prescribed,
        )
        for window, done, prescribed in (
            (ADHERENCE_WINDOW, triage.week_done, triage.week_prescribed),
            (MONTH_WINDOW, triage.month_done, triage.month_prescribed),
        )
    }
