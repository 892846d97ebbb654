"""Random sequences of what happens to a clinic's patients (sessions, corrections, pain reports
with and without red flags, new plans, pauses and resumes, alerts acknowledged, the clinic's
thresholds changed, a new day): after each of them, the caseload's triage rows brought up to
date equal the figures worked out afresh. A change the refresh failed to notice would leave a
row behind."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from insights.models import CaseloadTriage
from insights.selectors.alerts import alerts_for_patients
from insights.selectors.triage import triage_compute
from insights.services import TRIAGE_FIELDS, alert_acknowledge, caseload_triage_refresh
from prescriptions.services import ItemInput, plan_create
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PatientWithAccountFactory
from tests.properties import EXAMPLES, PROPERTIES, rolled_back
from tests.test_properties_summary import (
    PLAN_DAYS_AGO,
    apply,
    correction,
    plan_change,
    report,
    session,
    threshold,
)

pytestmark = pytest.mark.django_db

FIGURES = [
    name
    for name in TRIAGE_FIELDS
    if name not in ("day", "thresholds", "summary_revision", "plans", "acknowledgements")
]

acknowledge = st.fixed_dictionaries(
    {"op": st.just("acknowledge"), "alert": st.integers(min_value=0, max_value=6)}
)
later = st.fixed_dictionaries(
    {"op": st.just("later"), "days": st.integers(min_value=1, max_value=9)}
)
rule = st.fixed_dictionaries(
    {
        "op": st.just("rule"),
        "field_value": st.sampled_from(
            [
                ("alert_pain_rise", 1),
                ("alert_pain_rise", 5),
                ("alert_inactive_days", 1),
                ("alert_inactive_days", 60),
                ("alert_adherence_below_percent", 1),
                ("alert_adherence_below_percent", 100),
            ]
        ),
    }
)
step = st.tuples(
    st.integers(min_value=0, max_value=1),
    st.one_of(
        session, session, report, report, correction, plan_change, threshold,
        acknowledge, acknowledge, later, rule, rule,
    ),
)  # fmt: skip


def stored(clinic) -> dict:
    return {
        row["patient_id"]: {name: row[name] for name in FIGURES}
        for row in CaseloadTriage.objects.filter(patient__clinic=clinic).values()
    }


@settings(PROPERTIES, max_examples=min(EXAMPLES, 20))
@given(steps=st.lists(step, min_size=1, max_size=12))
def test_the_kept_triage_always_equals_the_one_worked_out_afresh(steps, clinic, therapist):
    with rolled_back():
        clinic.refresh_from_db()
        today = clinic.today()
        day = today
        patients, plans = [], []
        for number in (1, 2):
            patient = PatientWithAccountFactory(primary_therapist=therapist)
            patients.append(patient)
            plans.append(
                [
                    plan_create(
                        patient=patient,
                        prescribed_by=therapist,
                        title=f"Plan {number}",
                        start_date=today - datetime.timedelta(days=PLAN_DAYS_AGO),
                        items=[ItemInput.from_exercise(ExerciseFactory(clinic=clinic))],
                    )
                ]
            )
        for index, (who, operation) in enumerate(steps):
            patient = patients[who]
            clinic.refresh_from_db()
            kind = operation["op"]
            try:
                if kind == "later":
                    day += datetime.timedelta(days=operation["days"])
                elif kind == "rule":
                    name, value = operation["field_value"]
                    setattr(clinic, name, value)
                    clinic.save(update_fields=[name])
                elif kind == "acknowledge":
                    found = alerts_for_patients(clinic=clinic, patient_ids=[patient.pk]).get(
                        patient.pk
                    )
                    if found and found.open:
                        alert = found.open[operation["alert"] % len(found.open)]
                        alert_acknowledge(
                            clinic=clinic,
                            patient=patient,
                            kind=alert.kind,
                            event_key=alert.event_key,
                            acknowledged_by=therapist,
                        )
                else:
                    apply(
                        operation,
                        patient=patient,
                        plans=plans[who],
                        therapist=therapist,
                        index=index,
                    )
            except ValidationError:
                pass
            check(clinic, patients, day)


def check(clinic, patients, day):
    clinic.refresh_from_db()
    caseload_triage_refresh(clinic=clinic, today=day)
    afresh = triage_compute(
        clinic=clinic, patient_ids=[patient.pk for patient in patients], today=day
    )
    assert stored(clinic) == afresh
    # Current rows are left alone.
    assert caseload_triage_refresh(clinic=clinic, today=day) == 0
