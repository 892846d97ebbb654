"""The outbox: a message asked for once goes out once, after its transaction commits, and one
the mail server refuses is tried again, then shown to the clinic's admins."""

import datetime
from unittest import mock

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from outbox import kinds
from outbox.models import OutboxMessage, Status
from outbox.services import (
    MAX_ATTEMPTS,
    RETRY_MINUTES,
    SENDING_LEASE,
    message_deliver,
    message_enqueue,
    messages_sweep,
)
from tests.clinics.factories import ClinicAdminFactory


@pytest.fixture(autouse=True)
def test_kind():
    kinds.register(
        "test_note",
        label="Test note",
        write=lambda message: kinds.Email(subject="A note", text=message.context["text"]),
    )
    yield
    del kinds.KINDS["test_note"]


def ask(key="note:1", clinic=None, text="Hello"):
    return message_enqueue(
        kind="test_note",
        key=key,
        recipient="someone@example.com",
        language="en",
        clinic_id=clinic.pk if clinic else None,
        context={"text": text},
    )


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_a_message_goes_out_when_its_transaction_commits(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = ask()
        assert mailoutbox == []
    (sent,) = mailoutbox
    assert (sent.subject, sent.body, sent.to) == ("A note", "Hello", ["someone@example.com"])
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 1


def test_a_rolled_back_write_sends_nothing(db, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                ask()
                raise RuntimeError("the write failed")
        except RuntimeError:
            pass
    assert callbacks == [] and mailoutbox == []
    assert not OutboxMessage.objects.exists()


def test_asking_twice_and_delivering_twice_sends_once(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = ask()
        second = ask(text="Hello again")
    assert first.pk == second.pk
    message_deliver(message_id=first.pk)  # a task run a second time
    assert len(mailoutbox) == 1 and mailoutbox[0].body == "Hello"


def test_a_message_another_worker_is_sending_is_left_to_it(db, mailoutbox):
    message = ask()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING, sending_since=timezone.now()
    )
    message_deliver(message_id=message.pk)
    assert mailoutbox == []
    assert OutboxMessage.objects.get(pk=message.pk).status == Status.SENDING


def test_a_worker_stopped_mid_send_is_not_sent_again_but_shown_as_not_sent(db, mailoutbox):
    message = ask()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING, sending_since=timezone.now() - SENDING_LEASE
    )
    assert messages_sweep() == 1
    message.refresh_from_db()
    assert message.status == Status.FAILED and "Stopped while sending" in message.last_error
    assert mailoutbox == []


def test_refusals_are_retried_with_backoff_then_marked_not_sent(db, mailoutbox):
    message = ask()
    now = timezone.now()
    with mock.patch.object(EmailMultiAlternatives, "send", side_effect=OSError("refused")):
        for attempt in range(1, MAX_ATTEMPTS + 1):
            with at(now):
                message_deliver(message_id=message.pk)
            message.refresh_from_db()
            assert message.attempts == attempt
            if attempt < MAX_ATTEMPTS:
                assert message.status == Status.QUEUED
                wait = datetime.timedelta(minutes=RETRY_MINUTES[attempt - 1])
                assert message.next_attempt_at == now + wait
                with at(now + wait - datetime.timedelta(seconds=1)):
                    message_deliver(message_id=message.pk)  # too early: nothing happens
                message.refresh_from_db()
                assert message.attempts == attempt
                now += wait
    assert message.status == Status.FAILED and "refused" in message.last_error
    assert mailoutbox == []


def test_the_admin_sees_what_was_not_sent_and_tries_again(client, clinic, mailoutbox):
    admin = ClinicAdminFactory(clinic=clinic)
    message = ask(clinic=clinic)
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.FAILED, attempts=MAX_ATTEMPTS, last_error="OSError: refused"
    )
    other = ask(key="note:2")  # no clinic: never on a clinic's page
    client.force_login(admin)
    page = client.get(reverse("console:outbox")).text
    assert "Test note" in page and "Not sent" in page and "After 6 tries: OSError: refused" in page
    assert f"/outbox/{other.pk}/resend/" not in page
    response = client.post(reverse("console:outbox-resend", args=[message.pk]), follow=True)
    assert "will be tried again now" in response.text
    message.refresh_from_db()
    assert message.status == Status.SENT and len(mailoutbox) == 1


def test_another_clinics_message_answers_404(client, clinic, other_clinic):
    message = ask(clinic=other_clinic)
    client.force_login(ClinicAdminFactory(clinic=clinic))
    assert client.post(reverse("console:outbox-resend", args=[message.pk])).status_code == 404


def test_the_outbox_page_runs_the_same_queries_for_3_or_60_messages(
    client, clinic, django_assert_max_num_queries
):
    client.force_login(ClinicAdminFactory(clinic=clinic))
    for number in range(3):
        ask(key=f"a:{number}", clinic=clinic)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("console:outbox"))
    for number in range(57):
        ask(key=f"b:{number}", clinic=clinic)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("console:outbox"))


def test_with_the_queue_down_a_change_that_would_send_is_refused_whole(client, clinic, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0", "DEFAULT_TIMEOUT": 5}}
    client.force_login(ClinicAdminFactory(clinic=clinic))
    response = client.post(
        reverse("console:staff-invite"),
        {"full_name": "Nina Newman", "email": "nina@example.com", "role": "therapist"},
    )
    assert response.status_code == 503
    assert "That was not saved" in response.text
    assert not OutboxMessage.objects.exists()
    from clinics.models import User

    assert not User.objects.filter(email="nina@example.com").exists()
