"""Each change that other software hears about emits its event once, inside its own
transaction, and carries no health information unless the webhook asked for it."""

import datetime
import json
import uuid

import pytest
from django.utils import timezone

from insights.services import alert_acknowledge
from patients.models import AlertKind
from patients.services import pain_report_record, session_log_correct
from prescriptions.models import PlanStatus
from prescriptions.services import ItemInput, plan_revise, plan_status_change
from tests.exercises.factories import ExerciseFactory
from tests.prescriptions.factories import prescribe
from webhooks.models import WebhookDelivery

from .conftest import hook
from .test_delivery import log_session


def kinds_sent() -> list[str]:
    return list(WebhookDelivery.objects.order_by("pk").values_list("kind", flat=True))


def test_a_session_logged_twice_with_one_token_is_sent_once(world, receiver):
    hook(world, receiver)
    token = uuid.uuid4()
    first = log_session(world, client_token=token)
    again = log_session(world, client_token=token)
    assert first == again
    assert kinds_sent() == ["session.logged"]


def test_pain_reported_twice_with_one_token_is_sent_once(world, receiver):
    hook(world, receiver)
    token = uuid.uuid4()
    for _attempt in range(2):
        pain_report_record(
            patient=world.patient, score=3, recorded_by=world.patient.user, client_token=token
        )
    assert kinds_sent() == ["pain.reported"]


def test_a_red_flag_raises_its_alert_once_with_the_key_the_caseload_uses(world, receiver):
    hook(world, receiver)
    token = uuid.uuid4()
    for _attempt in range(2):
        report = pain_report_record(
            patient=world.patient,
            score=4,
            recorded_by=world.patient.user,
            red_flag_codes=["saddle_numbness"],
            client_token=token,
        )
    assert kinds_sent() == ["pain.reported", "alert.raised"]
    data = json.loads(WebhookDelivery.objects.get(kind="alert.raised").body)["data"]
    assert data == {
        "patient": world.patient.pk,
        "alert": {"kind": AlertKind.RED_FLAG, "key": f"report:{report.pk}"},
    }


def test_high_pain_and_a_stopped_session_raise_their_alerts(world, receiver):
    hook(world, receiver)
    session = log_session(world, pain_before=2, pain_after=8)
    assert kinds_sent() == ["session.logged", "alert.raised", "alert.raised"]
    alerts = [
        json.loads(body)["data"]["alert"]
        for body in WebhookDelivery.objects.filter(kind="alert.raised").values_list(
            "body", flat=True
        )
    ]
    key = f"session:{session.pk}"
    assert sorted(alert["kind"] for alert in alerts) == [
        AlertKind.PAIN_HIGH,
        AlertKind.SESSION_FLAGGED,
    ]
    assert {alert["key"] for alert in alerts} == {key}


def test_pain_under_the_clinics_alert_level_raises_no_alert(world, receiver):
    hook(world, receiver)
    log_session(world, pain_before=2, pain_after=3)
    pain_report_record(patient=world.patient, score=6, recorded_by=world.patient.user)
    assert kinds_sent() == ["session.logged", "pain.reported"]


def test_a_correction_that_reveals_high_pain_raises_the_alerts_once(world, receiver):
    hook(world, receiver)
    session = log_session(world, pain_before=2, pain_after=3)
    session_log_correct(session=session, corrected_by=world.patient.user, pain_after=9)
    assert kinds_sent() == ["session.logged", "alert.raised", "alert.raised"]
    session_log_correct(session=session, corrected_by=world.patient.user, pain_after=8)
    assert kinds_sent().count("alert.raised") == 2


def test_an_alert_acknowledged_twice_is_sent_once(world, receiver):
    hook(world, receiver)
    report = pain_report_record(
        patient=world.patient,
        score=2,
        recorded_by=world.patient.user,
        red_flag_codes=["saddle_numbness"],
    )
    for _attempt in range(2):
        alert_acknowledge(
            clinic=world.clinic,
            patient=world.patient,
            kind=AlertKind.RED_FLAG,
            event_key=f"report:{report.pk}",
            acknowledged_by=world.therapist,
            note="Called her; seen today",
        )
    assert kinds_sent() == ["pain.reported", "alert.raised", "alert.acknowledged"]
    body = WebhookDelivery.objects.get(kind="alert.acknowledged").body
    payload = json.loads(body)
    assert payload["data"]["alert"] == {"kind": "red_flag", "key": f"report:{report.pk}"}
    assert "Called her" not in body


def plan_changes() -> list[str]:
    return [
        json.loads(body)["data"]["change"]
        for body in WebhookDelivery.objects.filter(kind="plan.changed")
        .order_by("pk")
        .values_list("body", flat=True)
    ]


def test_a_plan_created_revised_and_paused_says_which_change_each_time(world, receiver):
    hook(world, receiver)
    exercise = ExerciseFactory(clinic=world.clinic)
    plan = prescribe(world.patient, world.therapist, exercise, title="Neck routine")
    plan_revise(
        plan=plan,
        changed_by=world.therapist,
        expected_version=plan.version,
        title="Neck routine, week 2",
        start_date=plan.start_date,
        items=[ItemInput.from_exercise(exercise)],
        times_per_day=plan.times_per_day,
        weekdays=plan.weekdays,
    )
    plan.refresh_from_db()
    # A save that changes nothing is no revision, and no event.
    plan_revise(
        plan=plan,
        changed_by=world.therapist,
        expected_version=plan.version,
        title="Neck routine, week 2",
        start_date=plan.start_date,
        items=[ItemInput.from_exercise(exercise, item_id=plan.items.get().pk)],
        times_per_day=plan.times_per_day,
        weekdays=plan.weekdays,
    )
    plan_status_change(plan=plan, status=PlanStatus.PAUSED, changed_by=world.therapist)
    assert plan_changes() == ["created", "revised", "status_changed"]
    data = json.loads(WebhookDelivery.objects.filter(kind="plan.changed").latest("pk").body)["data"]
    assert data == {
        "patient": world.patient.pk,
        "plan": plan.pk,
        "change": "status_changed",
        "version": 3,
    }


HEALTH_WORDS = ["Pat", "Ient", "my secret knee note", "sharp at night", "Knee-to-chest", "lumbar"]


def health_world(world):
    world.patient.condition = "lumbar strain"
    world.patient.save(update_fields=["condition"])
    log_session(world, pain_before=3, pain_after=9, note="my secret knee note")
    pain_report_record(
        patient=world.patient,
        score=8,
        recorded_by=world.patient.user,
        note="sharp at night",
        red_flag_codes=["saddle_numbness"],
        recorded_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    prescribe(world.patient, world.therapist, ExerciseFactory(clinic=world.clinic))


def test_events_carry_no_health_information_by_default(world, receiver):
    hook(world, receiver)
    health_world(world)
    bodies = list(WebhookDelivery.objects.values_list("body", flat=True))
    assert {json.loads(body)["type"] for body in bodies} >= {
        "session.logged",
        "pain.reported",
        "alert.raised",
        "plan.changed",
    }
    for body in bodies:
        payload = json.loads(body)
        assert "details" not in payload
        for word in [*HEALTH_WORDS, "saddle", "score", "pain_after", "Back spasm"]:
            assert word not in body, (word, body)
        assert set(payload["data"]) <= {
            "patient",
            "plan",
            "session_log",
            "pain_report",
            "alert",
            "change",
            "version",
        }


def test_a_webhook_that_opted_in_gets_the_details(world, receiver):
    hook(world, receiver, include_details=True)
    health_world(world)
    reports = [
        json.loads(body)
        for body in WebhookDelivery.objects.filter(kind="pain.reported").values_list(
            "body", flat=True
        )
    ]
    (report,) = reports
    assert report["details"]["score"] == 8
    assert report["details"]["red_flags"] == ["saddle_numbness"]
    session = json.loads(WebhookDelivery.objects.get(kind="session.logged").body)
    assert session["details"]["pain_after"] == 9
    assert session["details"]["entries_completed"] == 1
    # Names and free-text notes are never sent, details or not.
    for body in WebhookDelivery.objects.values_list("body", flat=True):
        for word in ["Pat", "Ient", "my secret knee note", "sharp at night", "lumbar"]:
            assert word not in body


@pytest.mark.parametrize("kind", ["alert.raised", "session.logged"])
def test_an_unsubscribed_kind_writes_nothing(world, receiver, kind):
    hook(world, receiver, kinds=[other for other in ["pain.reported"] if other != kind])
    log_session(world, pain_after=9)
    assert kinds_sent() == []
