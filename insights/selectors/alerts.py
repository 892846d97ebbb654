"""Every alert of a caseload's patients, worked out when read (`insights.alerts` holds the
rules): one query for the facts the rules need, one for the active plans (unless given), one
for the acknowledgements, plus the adherence and pain trend selectors when their results are
not passed in."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace

from django.db.models import IntegerField, JSONField, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

from clinics.models import Clinic
from patients.adherence import Adherence
from patients.models import AlertAcknowledgement, PainReport, Patient, SessionLog
from patients.red_flags import Severity
from patients.selectors.adherence import adherence_for_patients
from patients.trends import PainTrend
from prescriptions.models import Plan, PlanStatus

from ..alerts import (
    ADHERENCE_WINDOW,
    KIND_ORDER,
    RECENT_FLAG_DAYS,
    RECENT_PAIN_DAYS,
    ActivePlan,
    Alert,
    AlertRules,
    PatientAlerts,
    running_today,
)
from .trends import pain_trends_for_patients


def _latest(rows, at: str, prefix: str, columns: Mapping[str, str], **output) -> dict:
    """Subqueries for the latest of `rows` (by `at`, then id): one annotation per column."""
    ordered = rows.order_by(f"-{at}", "-pk")
    return {
        f"{prefix}_{name}": Subquery(ordered.values(column)[:1], **output.get(name, {}))
        for name, column in columns.items()
    }


def _facts(*, clinic: Clinic, patient_ids: list[int], today: datetime.date) -> dict[int, dict]:
    """One row per patient with what the pain, flag and activity rules need, each found by a
    subquery on the patient's logs."""
    patient = OuterRef("pk")
    recent = today - datetime.timedelta(days=RECENT_PAIN_DAYS - 1)
    flag_since = today - datetime.timedelta(days=RECENT_FLAG_DAYS - 1)

    def local_midnight(day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=clinic.zone)

    # The days are the clinic-local days of the times, so bounding the times as well says the
    # same thing, and lets each subquery read a short stretch of the (patient, time) index
    # instead of the patient's whole history when nothing in the window matches.
    def since(day: datetime.date) -> dict:
        return {"performed_on__gte": day, "performed_at__gte": local_midnight(day)}

    def reported_since(day: datetime.date) -> dict:
        return {"recorded_on__gte": day, "recorded_at__gte": local_midnight(day)}

    sessions = SessionLog.objects.filter(patient=patient, performed_on__lte=today)
    reports = PainReport.objects.filter(patient=patient, recorded_on__lte=today)
    session_peak = Greatest(
        Coalesce("pain_before", "pain_after"),
        Coalesce("pain_after", "pain_before"),
        output_field=IntegerField(),
    )
    high_sessions = sessions.annotate(peak=session_peak).filter(
        peak__gte=clinic.alert_pain_at_or_above, **since(recent)
    )
    high_reports = reports.filter(
        score__gte=clinic.alert_pain_at_or_above, **reported_since(recent)
    )
    red_flag_reports = reports.filter(**reported_since(flag_since)).exclude(
        red_flag_severity=Severity.NONE
    )
    flagged_sessions = sessions.filter(is_flagged=True, **since(flag_since))
    annotations = {
        **_latest(
            high_sessions,
            "performed_at",
            "high_session",
            {"id": "pk", "at": "performed_at", "before": "pain_before", "after": "pain_after"},
        ),
        **_latest(
            high_reports,
            "recorded_at",
            "high_report",
            {"id": "pk", "at": "recorded_at", "score": "score"},
        ),
        **_latest(
            red_flag_reports,
            "recorded_at",
            "red_flag",
            {
                "id": "pk",
                "at": "recorded_at",
                "severity": "red_flag_severity",
                "codes": "red_flags",
            },
            codes={"output_field": JSONField()},
        ),
        **_latest(
            flagged_sessions,
            "performed_at",
            "flagged",
            {"id": "pk", "at": "performed_at", "reason": "flag_reason"},
        ),
        **_latest(sessions, "performed_at", "last_session", {"on": "performed_on"}),
    }
    rows = (
        Patient.objects.for_clinic(clinic)
        .filter(pk__in=patient_ids)
        .order_by()
        .annotate(**annotations)
        .values("pk", *annotations)
    )
    return {row["pk"]: row for row in rows}


def _active_plans(*, patient_ids: list[int]) -> dict[int, list[ActivePlan]]:
    plans = defaultdict(list)
    rows = (
        Plan.objects.filter(patient_id__in=patient_ids, status=PlanStatus.ACTIVE)
        .order_by("patient_id", "start_date", "id")
        .values_list("pk", "patient_id", "title", "start_date", "end_date")
    )
    for pk, patient_id, title, start_date, end_date in rows:
        plans[patient_id].append(ActivePlan(pk, title, start_date, end_date))
    return plans


def alerts_for_patients(
    *,
    clinic: Clinic,
    patient_ids: Iterable[int],
    today: datetime.date | None = None,
    adherence: Mapping[int, Mapping[int, Adherence]] | None = None,
    trends: Mapping[int, PainTrend] | None = None,
    plans: Mapping[int, Iterable] | None = None,
) -> dict[int, PatientAlerts]:
    """Every alert of each of the clinic's patients as of `today` (the clinic's date), the
    acknowledged ones included: `{patient_id: PatientAlerts}`, most urgent first.

    Pass what the caller already read to save its queries: `adherence` from
    `adherence_for_patients` (with the 7-day window), `trends` from `pain_trends_for_patients`,
    and `plans` as each patient's active plans (anything with pk, title, start_date and
    end_date; plans not running today are skipped). Patients of other clinics are ignored."""
    patient_ids = list(dict.fromkeys(patient_ids))
    if not patient_ids:
        return {}
    today = today or clinic.today()
    facts = _facts(clinic=clinic, patient_ids=patient_ids, today=today)
    patient_ids = [patient_id for patient_id in patient_ids if patient_id in facts]
    if adherence is None:
        adherence = adherence_for_patients(
            patient_ids=patient_ids, today=today, windows=(ADHERENCE_WINDOW,), with_days=False
        )
    if trends is None:
        trends = pain_trends_for_patients(patient_ids=patient_ids, today=today, days=0)
    if plans is None:
        plans = _active_plans(patient_ids=patient_ids)

    rules = AlertRules(clinic=clinic, today=today)
    derived: dict[int, list[Alert]] = {}
    for patient_id in patient_ids:
        row = facts[patient_id]
        running = running_today(plans.get(patient_id, ()), today)
        found = [
            rules.red_flag(patient_id, row),
            rules.pain_high(patient_id, row),
            rules.session_flagged(patient_id, row),
            rules.pain_rise(patient_id, trends.get(patient_id)),
            rules.inactive(patient_id, row, running),
            rules.low_adherence(patient_id, adherence.get(patient_id, {}).get(ADHERENCE_WINDOW)),
            *rules.plans_ending(patient_id, running),
        ]
        derived[patient_id] = [alert for alert in found if alert is not None]

    acknowledgements = {}
    keys = {alert.event_key for alerts in derived.values() for alert in alerts}
    if keys:
        rows = AlertAcknowledgement.objects.for_clinic(clinic).filter(
            patient_id__in=[patient_id for patient_id, alerts in derived.items() if alerts],
            event_key__in=keys,
        )
        for acknowledgement in rows.select_related("acknowledged_by"):
            key = (acknowledgement.patient_id, acknowledgement.kind, acknowledgement.event_key)
            acknowledgements[key] = acknowledgement

    order = {kind: position for position, kind in enumerate(KIND_ORDER)}
    result = {}
    for patient_id, alerts in derived.items():
        alerts = [
            replace(
                alert,
                acknowledgement=acknowledgements.get((patient_id, alert.kind, alert.event_key)),
            )
            for alert in alerts
        ]
        alerts.sort(key=lambda alert: order[alert.kind])
        result[patient_id] = PatientAlerts(alerts)
    return result
