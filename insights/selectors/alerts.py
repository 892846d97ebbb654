"""Every alert of a caseload's patients, worked out when read (`insights.alerts` holds the
rules): one query for the facts the rules need (the events kept in the patients' summaries),
one for the active plans (unless given), one for the acknowledgements, plus the adherence and
pain trend selectors when their results are not passed in."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace

from clinics.models import Clinic
from patients.adherence import Adherence
from patients.models import AlertAcknowledgement
from patients.selectors.adherence import adherence_for_patients
from patients.summary import EVENT_FIELDS, IdIn, high_columns, summaries_for
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


def _facts(*, clinic: Clinic, patient_ids: list[int], today: datetime.date) -> dict[int, dict]:
    """One row per patient with what the pain, flag and activity rules need: the events kept in
    the patients' summaries (`patients.summary`), kept to the rules' windows of days."""
    recent = today - datetime.timedelta(days=RECENT_PAIN_DAYS - 1)
    flag_since = today - datetime.timedelta(days=RECENT_FLAG_DAYS - 1)
    threshold = clinic.alert_pain_at_or_above
    summaries = summaries_for(
        patient_ids=patient_ids, today=today, clinic=clinic, fields=EVENT_FIELDS
    )
    # Summaries written before the clinic changed its pain threshold: their high-pain events
    # are picked again from the events kept per pain level.
    stale = [
        patient_id
        for patient_id, row in summaries.items()
        if row is not None and row["high_threshold"] != threshold
    ]
    if stale:
        levels = summaries_for(
            patient_ids=stale, today=today, fields=("high_sessions", "high_reports")
        )
        for patient_id in stale:
            summaries[patient_id].update(high_columns(levels[patient_id], threshold=threshold))
    facts = {}
    for patient_id, row in summaries.items():
        fact = dict.fromkeys(FACT_NAMES)
        facts[patient_id] = fact
        if row is None:
            continue
        fact["last_session_on"] = row["last_session_on"]
        if row["red_flag_id"] is not None and row["red_flag_on"] >= flag_since:
            fact.update({name: row[name] for name in RED_FLAG_FACTS})
        if row["flagged_id"] is not None and row["flagged_on"] >= flag_since:
            fact.update({name: row[name] for name in FLAGGED_FACTS})
        if row["high_session_id"] is not None and row["high_session_on"] >= recent:
            fact.update({name: row[name] for name in HIGH_SESSION_FACTS})
        if row["high_report_id"] is not None and row["high_report_on"] >= recent:
            fact.update({name: row[name] for name in HIGH_REPORT_FACTS})
    return facts


RED_FLAG_FACTS = ("red_flag_id", "red_flag_at", "red_flag_severity", "red_flag_codes")
HIGH_SESSION_FACTS = (
    "high_session_id",
    "high_session_at",
    "high_session_before",
    "high_session_after",
)
HIGH_REPORT_FACTS = ("high_report_id", "high_report_at", "high_report_score")
FLAGGED_FACTS = ("flagged_id", "flagged_at", "flagged_reason")
FACT_NAMES = (
    *RED_FLAG_FACTS,
    *HIGH_SESSION_FACTS,
    *HIGH_REPORT_FACTS,
    *FLAGGED_FACTS,
    "last_session_on",
)


def active_plans_for(*, patient_ids: list[int]) -> dict[int, list[ActivePlan]]:
    """Each patient's active plans, oldest first, as the few fields alerts and the caseload
    read: one query, no model instances."""
    plans = defaultdict(list)
    rows = (
        Plan.objects.filter(IdIn("patient_id", patient_ids), status=PlanStatus.ACTIVE)
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
        plans = active_plans_for(patient_ids=patient_ids)

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
            IdIn("patient_id", [patient_id for patient_id, alerts in derived.items() if alerts]),
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
