import dataclasses
import datetime
import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from patients.models import EntryStatus, SessionLog, SessionLogEntry
from patients.services import EntryInput, _session_log_create, session_log_record
from prescriptions.models import PlanStatus
from tests.patients.factories import PatientWithAccountFactory, SessionLogFactory
from tests.prescriptions.factories import PlanFactory, PlanItemFactory


def session_data(plan, token=None, **overrides):
    items = list(plan.items.order_by("position"))
    local_now = timezone.localtime(timezone.now(), plan.clinic.zone)
    data = {
        "client_token": str(token or uuid.uuid4()),
        "plan_version": str(plan.version),
        "pain_before": "4",
        "pain_after": "3",
        "difficulty": "about_right",
        "note": "Felt looser afterwards.",
        "performed_at": local_now.strftime("%Y-%m-%dT%H:%M"),
        "entries-TOTAL_FORMS": str(len(items)),
        "entries-INITIAL_FORMS": "0",
        "entries-MIN_NUM_FORMS": "0",
        "entries-MAX_NUM_FORMS": "40",
    }
    for index, item in enumerate(items):
        data.update(
            {
                f"entries-{index}-plan_item": str(item.pk),
                f"entries-{index}-status": "completed",
                f"entries-{index}-sets_done": str(item.sets),
                f"entries-{index}-repetitions_done": str(item.repetitions),
                f"entries-{index}-hold_seconds_done": str(item.hold_seconds),
                f"entries-{index}-skip_reason": "",
            }
        )
    data.update(overrides)
    return data


def log_url(plan):
    return reverse("patients:session-log", args=[plan.pk])


def test_the_session_page_prefills_the_dose_and_a_fresh_token(client, patient, plan):
    client.force_login(patient.user)
    start = client.get(log_url(plan))
    assert start.status_code == 302
    token = uuid.UUID(start.url.split("?token=")[1])
    page = client.get(start.url).text
    assert f'name="client_token" value="{token}"' in page
    assert "Knee-to-chest stretch" in page and "Prone press-up" in page
    assert "Hold 30 seconds, 3 times" in page
    assert "0 – No pain" in page and "10 – Worst pain imaginable" in page
    assert 'id="guided-strings"' in page


def test_no_exercise_starts_answered(client, patient, plan):
    client.force_login(patient.user)
    page = client.get(log_url(plan), follow=True).text
    assert page.count('name="entries-0-status"') == 3
    assert "checked" not in page.split('name="entries-0-plan_item"')[1].split("</fieldset>")[0]


def test_each_start_gets_a_new_token_and_back_after_saving_finds_the_saved_session(
    client, patient, plan
):
    client.force_login(patient.user)
    first = client.get(log_url(plan)).url
    second = client.get(log_url(plan)).url
    assert first != second
    token = first.split("?token=")[1]
    saved = client.post(first, session_data(plan, token=token))
    assert saved.status_code == 302
    back = client.get(first)
    assert back.status_code == 200
    assert "This session is already saved" in back.text
    assert reverse("patients:session-done", args=[SessionLog.objects.get().pk]) in back.text
    # The other start is still a new session.
    page = client.get(second).text
    assert "This session is already saved" not in page
    assert (
        client.post(second, session_data(plan, token=second.split("?token=")[1])).status_code == 302
    )
    assert SessionLog.objects.count() == 2


def test_a_token_that_is_not_one_starts_afresh(client, patient, plan):
    client.force_login(patient.user)
    response = client.get(log_url(plan) + "?token=not-a-token")
    assert response.status_code == 302
    uuid.UUID(response.url.split("?token=")[1])


def test_an_unanswered_exercise_is_asked_about_and_nothing_is_saved(client, patient, plan):
    client.force_login(patient.user)
    data = session_data(plan)
    del data["entries-1-status"]
    response = client.post(log_url(plan), data)
    assert response.status_code == 200
    assert "Say whether you did this exercise: done, partly done or skipped." in response.text
    assert "Felt looser afterwards." in response.text
    assert SessionLog.objects.count() == 0


def test_logging_a_session_records_exactly_what_was_entered(client, patient, plan):
    client.force_login(patient.user)
    data = session_data(plan)
    data["entries-1-status"] = "partial"
    data["entries-1-repetitions_done"] = "2"
    data["entries-1-skip_reason"] = "too_hard"
    response = client.post(log_url(plan), data)
    session = SessionLog.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("patients:session-done", args=[session.pk])
    assert (session.pain_before, session.pain_after, session.difficulty) == (4, 3, "about_right")
    assert session.note == "Felt looser afterwards." and not session.is_flagged
    second = session.entries.get(position=2)
    assert (second.status, second.repetitions_done, second.skip_reason) == (
        "partial",
        2,
        "too_hard",
    )
    page = client.get(response.url).text
    assert "your session is saved" in page
    assert "4 before, 3 after" in page


def test_submitting_twice_records_one_session(client, patient, plan):
    client.force_login(patient.user)
    data = session_data(plan)
    first = client.post(log_url(plan), data)
    second = client.post(log_url(plan), data)
    assert first.url == second.url
    assert SessionLog.objects.count() == 1
    assert SessionLogEntry.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pain_before", "11", "Pain must be a whole number from 0 to 10."),
        ("pain_after", "", "Choose how much it hurts"),
        (
            "entries-0-repetitions_done",
            "1000",
            "Repetitions done must be a whole number from 0 to 50.",
        ),
        ("entries-0-sets_done", "-1", "Sets done must be a whole number from 0 to 10."),
    ],
)
def test_bad_values_are_refused_and_kept(client, patient, plan, field, value, message):
    client.force_login(patient.user)
    response = client.post(log_url(plan), session_data(plan, **{field: value}))
    assert response.status_code == 200
    assert message in response.text
    assert "Felt looser afterwards." in response.text
    assert SessionLog.objects.count() == 0


def test_a_skipped_exercise_needs_a_reason(client, patient, plan):
    client.force_login(patient.user)
    data = session_data(plan, **{"entries-0-status": "skipped"})
    page = client.post(log_url(plan), data).text
    assert "Say why you skipped it" in page
    assert SessionLog.objects.count() == 0


def test_future_and_too_old_sessions_are_refused(client, patient, plan):
    client.force_login(patient.user)
    local = timezone.localtime(timezone.now(), plan.clinic.zone)
    future = (local + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    page = client.post(log_url(plan), session_data(plan, performed_at=future)).text
    assert "cannot be logged for the future" in page
    old = (local - datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    page = client.post(log_url(plan), session_data(plan, performed_at=old)).text
    assert "today or yesterday only" in page
    yesterday = (local - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(log_url(plan), session_data(plan, performed_at=yesterday)).status_code == 302
    assert SessionLog.objects.count() == 1


def test_a_painful_session_tells_the_patient_to_stop_and_flags_it(client, patient, plan):
    client.force_login(patient.user)
    data = session_data(
        plan,
        pain_before="3",
        pain_after="6",
        **{"entries-1-status": "skipped", "entries-1-skip_reason": "pain"},
    )
    response = client.post(log_url(plan), data, follow=True)
    session = SessionLog.objects.get()
    assert session.is_flagged
    assert "pain rose by 3" in session.flag_reason
    assert "skipped because of pain" in session.flag_reason
    assert "Please stop and contact your therapist" in response.text


def test_another_patients_plan_answers_404_and_staff_are_refused(client, patient, plan, therapist):
    other = PatientWithAccountFactory(primary_therapist=therapist)
    client.force_login(other.user)
    assert client.get(log_url(plan)).status_code == 404
    assert client.post(log_url(plan), session_data(plan)).status_code == 404
    client.force_login(patient.user)
    session_url = client.post(log_url(plan), session_data(plan)).url
    client.force_login(other.user)
    assert client.get(session_url).status_code == 404
    client.force_login(therapist)
    assert client.get(log_url(plan)).status_code == 403
    assert SessionLog.objects.count() == 1


def test_a_paused_plan_cannot_take_a_session(client, patient, plan):
    plan.status = PlanStatus.PAUSED
    plan.save()
    client.force_login(patient.user)
    response = client.post(log_url(plan), session_data(plan))
    assert response.status_code == 409
    assert "is not active" in response.text
    assert SessionLog.objects.count() == 0


def test_a_plan_changed_mid_session_asks_to_check_again(client, patient, plan):
    client.force_login(patient.user)
    data = session_data(plan)
    plan.items.order_by("position").first().delete()
    page = client.post(log_url(plan), data).text
    assert "Your therapist changed this plan while you were exercising" in page
    assert SessionLog.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite serialises writers, so nothing can race"
)
def test_two_racing_requests_with_one_token_record_one_session(therapist):
    patient = PatientWithAccountFactory(primary_therapist=therapist)
    plan = PlanFactory(patient=patient, prescribed_by=therapist)
    item = PlanItemFactory(plan=plan)
    token = uuid.uuid4()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def submit():
        try:
            barrier.wait()
            results.append(
                session_log_record(
                    patient=patient,
                    plan=plan,
                    performed_at=timezone.now() - datetime.timedelta(minutes=5),
                    entries=[EntryInput.as_prescribed(item)],
                    client_token=token,
                    recorded_by=patient.user,
                    pain_before=3,
                    pain_after=2,
                ).pk
            )
        except Exception as error:  # pragma: no cover - surfaced by the assert below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 1
    assert SessionLog.objects.filter(client_token=token).count() == 1


def test_back_on_the_form_after_saving_says_it_is_saved_and_offers_another(client, patient, plan):
    client.force_login(patient.user)
    started = client.get(log_url(plan)).url
    token = started.split("?token=")[1]
    assert client.get(started).text.count(token) == 1  # a reload keeps the same token
    client.post(started, session_data(plan, token=token))
    page = client.get(started).text
    assert "This session is already saved" in page
    another = page.split("Log another session")[0].rsplit('href="', 1)[1].split('"')[0]
    assert another == log_url(plan)
    fresh = client.get(another, follow=True).text
    assert 'name="client_token"' in fresh and token not in fresh
    assert SessionLog.objects.count() == 1


def test_a_log_racing_another_with_its_token_fails_on_insert_not_in_validation(patient, plan):
    """The window a double tap can hit: the first request commits after the second looked for
    the token and before it saves. The second must then fail on the unique index
    (IntegrityError, which session_log_record answers with the first log), never with a
    ValidationError that tells the phone its session was not saved."""
    first = session_log_record(
        patient=patient,
        plan=plan,
        performed_at=timezone.now() - datetime.timedelta(minutes=5),
        entries=[EntryInput.as_prescribed(item) for item in plan.items.all()],
        client_token=uuid.uuid4(),
        recorded_by=patient.user,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        _session_log_create(
            patient=patient,
            plan=plan,
            performed_at=timezone.now() - datetime.timedelta(minutes=4),
            entries=[EntryInput.as_prescribed(item) for item in plan.items.all()],
            client_token=first.client_token,
            recorded_by=patient.user,
            pain_before=None,
            pain_after=None,
            difficulty="",
            note="",
        )
    assert SessionLog.objects.filter(client_token=first.client_token).count() == 1


# What a patient says of each exercise must say what happened.


def record(patient, plan, entries, minutes_ago=5):
    return session_log_record(
        patient=patient,
        plan=plan,
        performed_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
        entries=entries,
        client_token=uuid.uuid4(),
        recorded_by=patient.user,
    )


def test_an_exercise_with_no_answer_is_never_logged_as_done(patient, plan):
    first, second = plan.items.order_by("position")
    untouched = dataclasses.replace(EntryInput.as_prescribed(second), status="")
    with pytest.raises(ValidationError) as refused:
        record(patient, plan, [EntryInput.as_prescribed(first), untouched])
    assert refused.value.message_dict["status"] == [
        "Say whether you did Prone press-up: done, partly done or skipped."
    ]
    assert SessionLog.objects.count() == 0


def test_done_means_the_whole_dose_and_partly_done_something_less(patient, plan):
    first, second = plan.items.order_by("position")
    done = EntryInput.as_prescribed(first)
    short = dataclasses.replace(done, repetitions_done=first.repetitions - 1)
    with pytest.raises(ValidationError, match="marked as done, but the numbers are less"):
        record(patient, plan, [short, EntryInput.as_prescribed(second)])
    whole_but_partial = dataclasses.replace(done, status=EntryStatus.PARTIAL)
    with pytest.raises(ValidationError, match="partly done, but the numbers are the whole dose"):
        record(patient, plan, [whole_but_partial, EntryInput.as_prescribed(second)])
    nothing = dataclasses.replace(
        done, status=EntryStatus.PARTIAL, sets_done=0, repetitions_done=0, hold_seconds_done=0
    )
    with pytest.raises(ValidationError, match="partly done, but nothing was done"):
        record(patient, plan, [nothing, EntryInput.as_prescribed(second)])
    assert SessionLog.objects.count() == 0
    more = dataclasses.replace(done, repetitions_done=first.repetitions + 2)
    partly = dataclasses.replace(short, status=EntryStatus.PARTIAL)
    session = record(patient, plan, [more, partly])
    assert [entry.status for entry in session.entries.order_by("position")] == [
        "completed",
        "partial",
    ]


def test_a_skipped_exercise_keeps_no_numbers(patient, plan):
    first, second = plan.items.order_by("position")
    skipped = dataclasses.replace(
        EntryInput.as_prescribed(second), status=EntryStatus.SKIPPED, skip_reason="no_time"
    )
    session = record(patient, plan, [EntryInput.as_prescribed(first), skipped])
    entry = session.entries.get(position=2)
    assert (entry.sets_done, entry.repetitions_done, entry.hold_seconds_done) == (0, 0, 0)


def test_a_second_and_a_third_session_on_one_day_are_each_logged(patient, plan):
    for minutes_ago in (300, 120, 5):
        record(
            patient,
            plan,
            [EntryInput.as_prescribed(item) for item in plan.items.all()],
            minutes_ago=minutes_ago,
        )
    assert SessionLog.objects.filter(patient=patient).count() == 3


# After saving: today's progress, the streak and the next session


def test_after_the_second_session_of_the_day_the_page_says_both_are_done(client, patient, plan):
    plan.times_per_day = 2
    plan.save()
    client.force_login(patient.user)
    first = client.post(log_url(plan), session_data(plan))
    page = client.get(first.url).text
    assert "1 of 2 done today" in page and "One more session to do today." in page
    second = client.post(log_url(plan), session_data(plan))
    page = client.get(second.url).text
    assert "2 of 2 done today" in page
    assert "Next session: " in page
    assert "1 day in a row on plan" in page
    assert "Done: Hold 30 seconds, 3 times" in page


def test_the_page_after_a_session_runs_the_same_queries_for_any_history(
    client, patient, plan, django_assert_max_num_queries
):
    client.force_login(patient.user)
    done = client.post(log_url(plan), session_data(plan)).url
    with django_assert_max_num_queries(20) as few:
        client.get(done)
    for days_ago in range(1, 40):
        SessionLogFactory(
            patient=patient,
            plan=plan,
            performed_at=timezone.now() - datetime.timedelta(days=days_ago),
        )
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        page = client.get(done).text
    assert len(many.captured_queries) == len(few.captured_queries)
    # The plan started ten days ago: today and the nine days before it are all on plan.
    # The plan started ten days ago, and every day since is on plan, today included.
    assert "<li>11 days in a row on plan</li>" in page


def test_the_session_page_runs_the_same_queries_for_any_plan_size_or_history(
    client, patient, plan, django_assert_max_num_queries
):
    client.force_login(patient.user)
    url = client.get(log_url(plan)).url
    with django_assert_max_num_queries(12) as small:
        assert client.get(url).status_code == 200
    for position in range(3, 9):
        PlanItemFactory(plan=plan, position=position)
    for days_ago in range(1, 30):
        SessionLogFactory(
            patient=patient,
            plan=plan,
            performed_at=timezone.now() - datetime.timedelta(days=days_ago),
        )
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        page = client.get(url).text
    assert len(large.captured_queries) == len(small.captured_queries)
    assert page.count('name="entries-7-status"') == 3
