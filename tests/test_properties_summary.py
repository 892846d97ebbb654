"""Random sequences of what happens to a patient (sessions logged, some stopped for pain,
corrections, pain reports with and without red flags, new plans, pauses and resumes, the
clinic's pain threshold changed), made through the services: after any of them the kept
summary equals one rebuilt from the logs, and the selectors that read it (alert facts, pain
trend, adherence) give what the rules give worked out from the logs in Python."""

import datetime
import uuid
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from insights.alerts import RECENT_FLAG_DAYS, RECENT_PAIN_DAYS
from insights.selectors.alerts import _facts
from insights.selectors.trends import pain_trends_for_patients
from patients.adherence import PlanSchedule, adherence, window_start
from patients.models import (
    EntryStatus,
    PainDay,
    PainReport,
    PatientSummary,
    SessionDayCount,
    SessionLog,
    SkipReason,
)
from patients.red_flags import RED_FLAGS_BY_CODE, Severity
from patients.selectors.adherence import adherence_for_patients
from patients.services import (
    EntryInput,
    pain_report_record,
    session_log_correct,
    session_log_record,
)
from patients.summary import high_columns, summaries_rebuild
from patients.trends import pain_trend
from prescriptions.models import Plan, PlanStatus
from prescriptions.services import ItemInput, plan_create, plan_status_change
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PatientWithAccountFactory
from tests.properties import EXAMPLES, PROPERTIES, rolled_back

pytestmark = pytest.mark.django_db

PLAN_DAYS_AGO = 35
pain = st.none() | st.integers(min_value=0, max_value=10)
days_ago = st.integers(min_value=0, max_value=30)

session = st.fixed_dictionaries(
    {
        "op": st.just("session"),
        "days_ago": days_ago,
        "pain_before": pain,
        "pain_after": pain,
        "skipped_for_pain": st.booleans(),
        "plan": st.integers(min_value=0, max_value=3),
    }
)
report = st.fixed_dictionaries(
    {
        "op": st.just("report"),
        "days_ago": days_ago,
        "score": st.integers(min_value=0, max_value=10),
        "codes": st.lists(st.sampled_from(sorted(RED_FLAGS_BY_CODE)), max_size=2, unique=True),
    }
)
correction = st.fixed_dictionaries(
    {
        "op": st.just("correct"),
        "session": st.integers(min_value=0, max_value=20),
        "pain_before": pain,
        "pain_after": pain,
    }
)
plan_change = st.fixed_dictionaries(
    {
        "op": st.sampled_from(["pause", "resume", "new_plan"]),
        "plan": st.integers(min_value=0, max_value=3),
        "days_ago": st.integers(min_value=0, max_value=PLAN_DAYS_AGO),
        "times_per_day": st.integers(min_value=1, max_value=2),
    }
)
threshold = st.fixed_dictionaries(
    {"op": st.just("threshold"), "value": st.integers(min_value=1, max_value=10)}
)
operations = st.lists(
    st.one_of(session, session, report, report, correction, plan_change, threshold),
    max_size=12,
)


def kept(clinic) -> dict:
    """Every kept row of the clinic's patients, without ids. The high-pain event of a summary
    written before the clinic changed its threshold is picked for the threshold now, as the
    alerts pick it."""
    threshold = type(clinic).objects.get(pk=clinic.pk).alert_pain_at_or_above
    summaries = []
    for row in PatientSummary.objects.filter(patient__clinic=clinic).values():
        del row["revision"]  # random at every write, rebuild included
        summaries.append(tuple(sorted((row | high_columns(row, threshold=threshold)).items())))
    return {
        "summaries": sorted(summaries, key=repr),
        "pain_days": sorted(
            PainDay.objects.filter(patient__clinic=clinic).values_list(
                "patient_id", "day", "total", "count"
            )
        ),
        "session_days": sorted(
            SessionDayCount.objects.filter(patient__clinic=clinic).values_list(
                "patient_id", "plan_id", "day", "sessions"
            )
        ),
    }


def apply(operation: dict, *, patient, plans: list[Plan], therapist, index: int) -> None:
    """Do one operation through the services; one the services refuse changes nothing."""
    clinic = patient.clinic
    today = clinic.today()
    # Distinct times, never in the future.
    at = timezone.now() - datetime.timedelta(days=operation.get("days_ago", 0), minutes=index + 1)
    kind = operation["op"]
    if kind == "session":
        plan = plans[operation["plan"] % len(plans)]
        plan.refresh_from_db()
        items = list(plan.items.all())
        entries = [EntryInput.as_prescribed(item) for item in items]
        if operation["skipped_for_pain"]:
            entries[0] = EntryInput(
                plan_item=items[0],
                status=EntryStatus.SKIPPED,
                sets_done=0,
                repetitions_done=0,
                hold_seconds_done=0,
                skip_reason=SkipReason.PAIN,
            )
        session_log_record(
            patient=patient,
            plan=plan,
            performed_at=at,
            entries=entries,
            client_token=uuid.uuid4(),
            recorded_by=patient.user,
            pain_before=operation["pain_before"],
            pain_after=operation["pain_after"],
        )
    elif kind == "report":
        pain_report_record(
            patient=patient,
            score=operation["score"],
            recorded_by=patient.user,
            recorded_at=at,
            red_flag_codes=operation["codes"],
        )
    elif kind == "correct":
        sessions = list(SessionLog.objects.filter(patient=patient).order_by("pk"))
        if sessions:
            session_log_correct(
                session=sessions[operation["session"] % len(sessions)],
                corrected_by=patient.user,
                pain_before=operation["pain_before"],
                pain_after=operation["pain_after"],
            )
    elif kind == "new_plan":
        plans.append(
            plan_create(
                patient=patient,
                prescribed_by=therapist,
                title=f"Plan {len(plans) + 1}",
                start_date=today - datetime.timedelta(days=operation["days_ago"]),
                times_per_day=operation["times_per_day"],
                items=[ItemInput.from_exercise(ExerciseFactory(clinic=clinic))],
            )
        )
    elif kind in ("pause", "resume"):
        plan = plans[operation["plan"] % len(plans)]
        plan.refresh_from_db()
        plan_status_change(
            plan=plan,
            status=PlanStatus.PAUSED if kind == "pause" else PlanStatus.ACTIVE,
            changed_by=therapist,
            on=max(today - datetime.timedelta(days=operation["days_ago"]), plan.start_date),
        )
    elif kind == "threshold":
        # A clinic admin changing the alert level, which no summary is rewritten for.
        clinic.alert_pain_at_or_above = operation["value"]
        clinic.save(update_fields=["alert_pain_at_or_above"])


def expected_facts(patient, today: datetime.date) -> dict:
    """What the alert rules need, worked out in Python from every log row."""
    threshold = patient.clinic.alert_pain_at_or_above
    recent = today - datetime.timedelta(days=RECENT_PAIN_DAYS - 1)
    flag_since = today - datetime.timedelta(days=RECENT_FLAG_DAYS - 1)
    sessions = sorted(
        SessionLog.objects.filter(patient=patient, performed_on__lte=today),
        key=lambda row: (row.performed_at, row.pk),
    )
    reports = sorted(
        PainReport.objects.filter(patient=patient, recorded_on__lte=today),
        key=lambda row: (row.recorded_at, row.pk),
    )

    def peak(row):
        values = [value for value in (row.pain_before, row.pain_after) if value is not None]
        return max(values) if values else None

    facts = dict.fromkeys(_facts.__globals__["FACT_NAMES"])
    flags = [r for r in reports if r.red_flag_severity != Severity.NONE]
    if flags and flags[-1].recorded_on >= flag_since:
        flag = flags[-1]
        facts |= {
            "red_flag_id": flag.pk,
            "red_flag_at": flag.recorded_at,
            "red_flag_severity": flag.red_flag_severity,
            "red_flag_codes": flag.red_flags,
        }
    high = [s for s in sessions if peak(s) is not None and peak(s) >= threshold]
    if high and high[-1].performed_on >= recent:
        facts |= {
            "high_session_id": high[-1].pk,
            "high_session_at": high[-1].performed_at,
            "high_session_before": high[-1].pain_before,
            "high_session_after": high[-1].pain_after,
        }
    high_reports = [r for r in reports if r.score >= threshold]
    if high_reports and high_reports[-1].recorded_on >= recent:
        facts |= {
            "high_report_id": high_reports[-1].pk,
            "high_report_at": high_reports[-1].recorded_at,
            "high_report_score": high_reports[-1].score,
        }
    flagged = [s for s in sessions if s.is_flagged]
    if flagged and flagged[-1].performed_on >= flag_since:
        facts |= {
            "flagged_id": flagged[-1].pk,
            "flagged_at": flagged[-1].performed_at,
            "flagged_reason": flagged[-1].flag_reason,
        }
    if sessions:
        facts["last_session_on"] = sessions[-1].performed_on
    return facts


def expected_trend(patient, today: datetime.date):
    zone = patient.clinic.zone
    points = [
        (timezone.localtime(row.performed_at, zone), row.pain_after)
        if row.pain_after is not None
        else (timezone.localtime(row.performed_at, zone), row.pain_before)
        for row in SessionLog.objects.filter(patient=patient)
        if row.pain_after is not None or row.pain_before is not None
    ]
    points += [
        (timezone.localtime(row.recorded_at, zone), row.score)
        for row in PainReport.objects.filter(patient=patient)
    ]
    return pain_trend(points, today=today, days=30)


def expected_adherence(patient, today: datetime.date, window: int):
    plans = Plan.objects.filter(patient=patient).prefetch_related("pauses")
    done = Counter(
        SessionLog.objects.filter(patient=patient).values_list("plan_id", "performed_on")
    )
    return adherence(
        [PlanSchedule.from_plan(plan) for plan in plans],
        done,
        start=window_start(today, window),
        end=today,
    )


@settings(PROPERTIES, max_examples=min(EXAMPLES, 20))
@given(steps=operations)
def test_the_kept_summary_always_equals_the_one_worked_out_from_the_logs(steps, clinic, therapist):
    with rolled_back():
        clinic.refresh_from_db()
        patient = PatientWithAccountFactory(primary_therapist=therapist)
        today = clinic.today()
        plans = [
            plan_create(
                patient=patient,
                prescribed_by=therapist,
                title="Plan 1",
                start_date=today - datetime.timedelta(days=PLAN_DAYS_AGO),
                items=[ItemInput.from_exercise(ExerciseFactory(clinic=clinic))],
            )
        ]
        for index, operation in enumerate(steps):
            before = kept(clinic)
            try:
                apply(operation, patient=patient, plans=plans, therapist=therapist, index=index)
            except ValidationError:
                # Refused (a session for a paused plan, a correction that changes nothing):
                # nothing kept has changed either.
                assert kept(clinic) == before

        found = kept(clinic)
        summaries_rebuild(clinic=clinic)
        assert kept(clinic) == found

        patient.clinic.refresh_from_db()
        assert _facts(clinic=patient.clinic, patient_ids=[patient.pk], today=today)[
            patient.pk
        ] == expected_facts(patient, today)
        trend = pain_trends_for_patients(patient_ids=[patient.pk], today=today)[patient.pk]
        assert trend == expected_trend(patient, today)
        adherences = adherence_for_patients(patient_ids=[patient.pk], today=today)[patient.pk]
        for window in (7, 30):
            wanted = expected_adherence(patient, today, window)
            assert adherences[window] == wanted
            assert adherences[window].days == wanted.days
