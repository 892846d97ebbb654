"""A patient's complete record as JSON (the right of access)."""

import datetime
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from clinics.models import AuditAction, AuditEvent
from insights.selectors.alerts import alerts_for_patients
from insights.selectors.exports import RECORD_FORMAT, RECORD_VERSION, patient_record
from insights.services import alert_acknowledge
from messaging.services import message_send
from patients.models import AlertKind
from patients.services import (
    EntryInput,
    pain_report_record,
    session_log_correct,
    session_log_record,
)
from prescriptions.models import PlanStatus
from prescriptions.services import ItemInput, plan_create, plan_revise, plan_status_change
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PatientFactory


def export_url(patient):
    return reverse("insights:patient-export-json", args=[patient.pk])


def prescribe(patient, therapist, *, exercises, title="Back spasm relief"):
    return plan_create(
        patient=patient,
        prescribed_by=therapist,
        title=title,
        start_date=patient.clinic.today() - datetime.timedelta(days=10),
        items=[ItemInput.from_exercise(exercise, hold_seconds=30) for exercise in exercises],
    )


def log(patient, plan, *, hours_ago, **values):
    return session_log_record(
        patient=patient,
        plan=plan,
        performed_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        entries=[EntryInput.as_prescribed(item) for item in plan.items.all()],
        client_token=uuid.uuid4(),
        recorded_by=patient.user,
        **values,
    )


@pytest.fixture
def exercises(clinic):
    return [
        ExerciseFactory(clinic=clinic, name="Knee-to-chest stretch", slug="knee-to-chest"),
        ExerciseFactory(clinic=clinic, name="Prone press-up", slug="prone-press-up"),
    ]


@pytest.fixture
def full_record(patient, therapist, exercises):
    """A record with one of everything, written through the services."""
    plan = prescribe(patient, therapist, exercises=exercises)
    plan = plan_revise(
        plan=plan,
        changed_by=therapist,
        expected_version=plan.version,
        title="Back spasm relief",
        start_date=plan.start_date,
        items=[
            ItemInput.copy_of(item)
            if item.position == 1
            else ItemInput.from_exercise(item.exercise, repetitions=4, item_id=item.pk)
            for item in plan.items.select_related("exercise")
        ],
        times_per_day=1,
        weekdays=plan.weekdays,
    )
    session = log(patient, plan, hours_ago=2, pain_before=4, pain_after=3, note="Felt looser")
    session_log_correct(session=session, corrected_by=patient.user, pain_after=2, reason="typo")
    pain_report_record(
        patient=patient, score=8, recorded_by=patient.user, body_location="lower back"
    )
    current = alerts_for_patients(clinic=patient.clinic, patient_ids=[patient.pk])[patient.pk]
    alert = next(alert for alert in current.open if alert.kind == AlertKind.PAIN_HIGH)
    alert_acknowledge(
        clinic=patient.clinic,
        patient=patient,
        kind=alert.kind,
        event_key=alert.event_key,
        acknowledged_by=therapist,
        note="Phoned; settling.",
    )
    plan_status_change(plan=plan, status=PlanStatus.PAUSED, changed_by=therapist)
    return {"plan": plan, "session": session}


def test_the_record_holds_the_patient_plans_sessions_pain_and_acknowledgements(
    patient, therapist, full_record
):
    record = patient_record(patient=patient)
    assert record["format"] == RECORD_FORMAT and record["version"] == RECORD_VERSION
    assert datetime.datetime.fromisoformat(record["generated_at"]).tzinfo is not None
    assert record["patient"]["first_name"] == "Pat" and record["patient"]["last_name"] == "Ient"
    assert record["patient"]["primary_therapist"]["name"] == "Tess Owner"
    assert record["patient"]["has_sign_in"] is True

    (plan,) = record["plans"]
    assert plan["status"] == "paused" and plan["version"] == 3
    assert plan["weekdays"][0] == "monday" and len(plan["weekdays"]) == 7
    assert [(e["exercise"], e["repetitions"]) for e in plan["exercises"]] == [
        ("Knee-to-chest stretch", 3),
        ("Prone press-up", 4),
    ]
    assert plan["exercises"][0]["hold_seconds"] == 30
    assert plan["pauses"] == [{"paused_on": patient.clinic.today().isoformat(), "resumed_on": None}]
    assert [revision["number"] for revision in plan["revisions"]] == [1, 2, 3]
    assert "Prone press-up" in plan["revisions"][1]["summary"]
    assert plan["revisions"][0]["changed_by"]["email"] == therapist.email

    (session,) = record["sessions"]
    assert (session["pain_before"], session["pain_after"], session["note"]) == (4, 2, "Felt looser")
    assert [entry["status"] for entry in session["exercises"]] == ["completed", "completed"]
    assert session["exercises"][1]["prescribed"]["repetitions"] == 4
    (correction,) = session["corrections"]
    assert correction["reason"] == "typo"
    assert correction["log_before_correction"]["pain_after"] == 3
    datetime.datetime.fromisoformat(session["performed_at"])
    datetime.date.fromisoformat(session["performed_on"])

    (report,) = record["pain_reports"]
    assert (report["score"], report["body_location"]) == (8, "lower back")
    (acknowledgement,) = record["alert_acknowledgements"]
    assert acknowledgement["kind"] == "pain_high"
    assert acknowledgement["note"] == "Phoned; settling."
    assert acknowledgement["acknowledged_by"]["name"] == "Tess Owner"


def test_staff_download_it_as_an_attachment_and_the_download_is_audited(
    client, patient, colleague, full_record
):
    client.force_login(colleague)
    response = client.get(export_url(patient))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    day = patient.clinic.today().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="rehabit-patient-{patient.pk}-record-{day}.json"'
    )
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content)["sessions"][0]["note"] == "Felt looser"
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED_JSON)
    assert (event.patient, event.actor) == (patient, colleague)


def test_the_download_is_linked_beside_the_csv_on_the_patient_page(client, patient, therapist):
    client.force_login(therapist)
    page = client.get(reverse("insights:patient-detail", args=[patient.pk]))
    assert f'href="{export_url(patient)}"' in page.text


def test_another_clinic_and_the_patient_cannot_download_it(client, patient, stranger):
    client.force_login(stranger)
    assert client.get(export_url(patient)).status_code == 404
    client.force_login(patient.user)
    assert client.get(export_url(patient)).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED_JSON).exists()


def test_an_empty_record_exports_empty_lists(client, therapist):
    newcomer = PatientFactory(primary_therapist=therapist)
    record = patient_record(patient=newcomer)
    assert record["plans"] == record["sessions"] == record["pain_reports"] == []
    assert record["patient"]["has_sign_in"] is False


def test_the_export_runs_the_same_queries_for_a_short_record_or_a_long_one(
    client, patient, therapist, exercises, django_assert_max_num_queries
):
    plan = prescribe(patient, therapist, exercises=exercises[:1])
    log(patient, plan, hours_ago=1, pain_before=3, pain_after=2)
    client.force_login(therapist)
    # measured: 19, thirteen of them the record (one per kind of row; outcomes' activities
    # and scores, whose ratings are read only when there are scores), one the audit row
    with django_assert_max_num_queries(19) as few:
        assert client.get(export_url(patient)).status_code == 200
    more = [ExerciseFactory(clinic=patient.clinic) for _ in range(4)]
    for index in range(3):
        other = prescribe(patient, therapist, exercises=exercises + more, title=f"Plan {index}")
        plan_status_change(plan=other, status=PlanStatus.PAUSED, changed_by=therapist)
    for hours in range(2, 30):
        log(patient, plan, hours_ago=hours, pain_before=3, pain_after=2)
        pain_report_record(patient=patient, score=2, recorded_by=patient.user)
        message_send(patient=patient, author=patient.user, body="Done", base_url="http://t/")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(export_url(patient))
    record = json.loads(response.content)
    assert len(record["plans"]) == 4 and len(record["sessions"]) == 29
    assert len(record["messages"]) == 28


def test_the_record_holds_the_conversation_with_its_corrections(client, patient, therapist):
    question = message_send(
        patient=patient, author=patient.user, body="Twice a day?", base_url="http://t/"
    )
    wrong = message_send(patient=patient, author=therapist, body="Once.", base_url="http://t/")
    message_send(
        patient=patient,
        author=therapist,
        body="Sorry: twice.",
        corrects=wrong,
        base_url="http://t/",
    )
    messages = patient_record(patient=patient)["messages"]
    assert [(m["text"], m["corrects_message_id"]) for m in messages] == [
        ("Twice a day?", None),
        ("Once.", None),
        ("Sorry: twice.", wrong.pk),
    ]
    assert messages[0]["id"] == question.pk
    assert messages[0]["written_by"] == {
        "name": patient.user.full_name,
        "email": patient.user.email,
        "role": "patient",
    }
    assert messages[2]["written_by"]["name"] == therapist.full_name
    assert datetime.datetime.fromisoformat(messages[1]["sent_at"]) == wrong.created_at
