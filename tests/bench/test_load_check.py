"""The load test's database check (bench/load_check.py): what counts as a lost, doubled or
wrongly answered log. Runs without locust, which the test environment does not install."""

import datetime
import json
import sys
import uuid

import pytest
from django.utils import timezone

from bench import load_check
from bench.load_check import PAIN_REPORT, SESSION_LOG, Acknowledgement, StoredRow
from patients.services import EntryInput, pain_report_record, session_log_record
from tests.patients.factories import PatientWithAccountFactory
from tests.prescriptions.factories import PlanFactory, PlanItemFactory

PAT = "pat@example.com"
TOKEN = "0b9d3a52-52a3-4c1e-9d55-1a8f3c6f2b10"


def ack(pk=1, *, kind=SESSION_LOG, patient=PAT, token=TOKEN):
    return Acknowledgement(kind, patient, token, pk)


def row(pk=1, *, kind=SESSION_LOG, patient=PAT, token=TOKEN):
    return StoredRow(kind, patient, token, pk)


def test_the_check_needs_no_locust():
    assert "locust" not in sys.modules


def test_stored_once_and_answered_alike_passes():
    # A double tap and a resend: three acknowledging answers, one submission, one row.
    result = load_check.check([ack(7), ack(7), ack(7)], [row(7)])

    assert result.passed
    assert (result.submissions, result.acknowledgements) == (1, 3)


def test_an_acknowledged_log_missing_from_the_database_is_lost():
    result = load_check.check([ack(7), ack(8, token="another")], [row(7)])

    assert not result.passed
    assert result.lost == [(SESSION_LOG, PAT, "another")]


def test_a_token_stored_twice_for_the_patient_is_doubled():
    result = load_check.check([ack(7)], [row(7), row(9)])

    assert not result.passed
    assert result.doubled == [(SESSION_LOG, PAT, TOKEN)]


def test_a_retry_answered_with_another_row_is_a_failure():
    result = load_check.check([ack(7), ack(9)], [row(7)])

    assert not result.passed
    assert result.mismatched == [(SESSION_LOG, PAT, TOKEN)]


def test_a_log_stored_for_another_patient_is_lost_for_the_patient_who_sent_it():
    result = load_check.check([ack(7)], [row(7, patient="someone@example.com")])

    assert not result.passed
    assert result.lost == [(SESSION_LOG, PAT, TOKEN)]
    assert result.unacknowledged == [(SESSION_LOG, "someone@example.com", TOKEN)]


def test_a_session_log_and_a_pain_report_may_share_a_token():
    result = load_check.check(
        [ack(7), ack(3, kind=PAIN_REPORT)], [row(7), row(3, kind=PAIN_REPORT)]
    )

    assert result.passed
    assert result.submissions == 2


def test_a_token_stored_twice_anywhere_fails():
    result = load_check.check([ack(7)], [row(7)], [(SESSION_LOG, TOKEN)])

    assert not result.passed


def test_stored_but_never_acknowledged_is_reported_not_failed():
    # The answer was lost and the run ended before the retry: the phone would send it again.
    result = load_check.check([ack(7)], [row(7), row(8, token="unanswered")])

    assert result.passed
    assert result.unacknowledged == [(SESSION_LOG, PAT, "unanswered")]


def test_results_files_are_read_for_acknowledgements_only(tmp_path):
    first, second = tmp_path / "results-1.jsonl", tmp_path / "results-2.jsonl"
    first.write_text(
        json.dumps({"event": "request", "name": "today", "ms": 12.5, "error": None})
        + "\n"
        + json.dumps({"event": "ack", "kind": SESSION_LOG, "patient": PAT, "token": TOKEN, "pk": 7})
        + "\n\n"
    )
    second.write_text(
        json.dumps({"event": "ack", "kind": PAIN_REPORT, "patient": PAT, "token": "t", "pk": "3"})
        + "\n"
    )

    assert load_check.acknowledgements_read([first, second]) == [
        ack(7),
        ack(3, kind=PAIN_REPORT, token="t"),
    ]


def test_an_unknown_kind_in_a_results_file_is_refused(tmp_path):
    path = tmp_path / "results-1.jsonl"
    path.write_text(
        json.dumps({"event": "ack", "kind": "exercise", "patient": PAT, "token": TOKEN, "pk": 1})
    )

    with pytest.raises(ValueError, match="unknown kind"):
        load_check.acknowledgements_read([path])


@pytest.fixture
def plan(patient, therapist):
    plan = PlanFactory(
        patient=patient,
        prescribed_by=therapist,
        start_date=timezone.localdate() - datetime.timedelta(days=10),
    )
    PlanItemFactory(plan=plan, position=1)
    return plan


def test_the_database_check_finds_what_the_services_stored(patient, therapist, plan, tmp_path):
    since = timezone.now()
    token = uuid.uuid4()
    log = session_log_record(
        patient=patient,
        plan=plan,
        performed_at=timezone.now(),
        entries=[EntryInput.as_prescribed(plan.items.get())],
        client_token=token,
        recorded_by=patient.user,
    )
    # The same submission again, as a retry sends it: the first log stands.
    again = session_log_record(
        patient=patient,
        plan=plan,
        performed_at=timezone.now(),
        entries=[EntryInput.as_prescribed(plan.items.get())],
        client_token=token,
        recorded_by=patient.user,
    )
    report = pain_report_record(
        patient=patient, score=3, recorded_by=patient.user, client_token=uuid.uuid4()
    )
    neighbour = PatientWithAccountFactory(primary_therapist=therapist)
    pain_report_record(patient=neighbour, score=2, recorded_by=neighbour.user)
    email = patient.user.email
    results = tmp_path / "results-1.jsonl"
    results.write_text(
        "".join(
            json.dumps({"event": "ack", "patient": email, **fields}) + "\n"
            for fields in (
                {"kind": SESSION_LOG, "token": str(token), "pk": log.pk},
                {"kind": SESSION_LOG, "token": str(token), "pk": again.pk},
                {"kind": PAIN_REPORT, "token": str(report.client_token), "pk": report.pk},
                {"kind": PAIN_REPORT, "token": str(uuid.uuid4()), "pk": report.pk + 1},
            )
        )
    )
    acknowledgements = load_check.acknowledgements_read([results])

    result = load_check.check(
        acknowledgements,
        load_check.stored_rows(
            clinic=patient.clinic, tokens=[a.token for a in acknowledgements], since=since
        ),
        load_check.duplicate_tokens(),
    )

    assert (result.submissions, result.acknowledgements) == (3, 4)
    assert [kind for kind, _, _ in result.lost] == [PAIN_REPORT]
    assert not result.doubled and not result.mismatched and not result.duplicate_tokens
    assert [patient for _, patient, _ in result.unacknowledged] == [neighbour.user.email]
