"""Sending and reading messages: who may write, what a message may hold, corrections instead of
changes, and one email per unread stretch, sent only once the message is committed."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from clinics.models import AuditAction, AuditEvent
from clinics.services import user_deactivate
from messaging.models import BODY_MAX_LENGTH, Message, MessagesAreNeverChanged
from messaging.selectors import unread_count, unread_count_for_patient_account
from messaging.services import conversation_mark_read, message_send
from outbox.models import OutboxMessage
from patients.services import patient_discharge, patient_reactivate
from tests.clinics.factories import ClinicAdminFactory
from tests.patients.factories import PatientFactory, PatientWithAccountFactory

BASE_URL = "http://testserver/"


def send(patient, author, body="How many times a day should I do the stretch?", **extra):
    return message_send(patient=patient, author=author, body=body, base_url=BASE_URL, **extra)


def refusal(action) -> str:
    with pytest.raises(ValidationError) as refused:
        action()
    return " ".join(refused.value.messages)


# Who may write


def test_the_patient_and_any_staff_member_of_their_clinic_may_write(
    patient, therapist, colleague, clinic_admin
):
    for author in (patient.user, therapist, colleague, clinic_admin):
        message = send(patient, author, f"From {author.full_name}")
        assert (message.patient, message.clinic, message.author) == (
            patient,
            patient.clinic,
            author,
        )
    assert patient.messages.count() == 4


def test_nobody_else_may_write_in_the_conversation(patient, therapist, stranger):
    other_patient = PatientWithAccountFactory(primary_therapist=therapist)
    for outsider in (stranger, other_patient.user):
        assert "Only the patient and the staff of their clinic" in refusal(
            lambda outsider=outsider: send(patient, outsider)
        )
    assert not Message.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_switched_off_account_may_not_write(patient, colleague):
    user_deactivate(user=colleague)
    colleague.refresh_from_db()
    assert "switched off" in refusal(lambda: send(patient, colleague))
    assert not Message.objects.exists()


# What a message may hold


def test_an_empty_message_is_refused_with_a_clear_reason(patient):
    for body in ("", "   ", "\n\t \n"):
        with pytest.raises(ValidationError) as refused:
            send(patient, patient.user, body)
        assert refused.value.message_dict == {"body": ["Write a message before sending it."]}
    assert not Message.objects.exists()


def test_a_message_over_5000_characters_is_refused_saying_how_long_it_is(patient):
    with pytest.raises(ValidationError) as refused:
        send(patient, patient.user, "a" * (BODY_MAX_LENGTH + 12))
    (reason,) = refused.value.message_dict["body"]
    assert "at most 5,000 characters" in reason and "5,012" in reason
    assert not Message.objects.exists()


def test_a_message_of_exactly_5000_characters_is_sent_and_its_edges_are_trimmed(patient):
    message = send(patient, patient.user, "  " + "b" * BODY_MAX_LENGTH + "\n\n")
    assert message.body == "b" * BODY_MAX_LENGTH
    message = send(patient, patient.user, "First line\nsecond line")
    assert message.body == "First line\nsecond line"


# Discharged patients


def test_a_discharged_patient_keeps_their_messages_but_nobody_writes_any_more(patient, therapist):
    kept = send(patient, patient.user, "Thanks for everything")
    patient_discharge(patient=patient, discharged_by=therapist)
    assert "closed when you were discharged" in refusal(lambda: send(patient, patient.user))
    assert "Reactivate them to write again" in refusal(lambda: send(patient, therapist))
    assert list(patient.messages.all()) == [kept]

    patient_reactivate(patient=patient, reactivated_by=therapist)
    assert send(patient, therapist, "Welcome back").patient == patient


# Corrections, never changes


def test_a_message_is_put_right_by_a_correction_that_points_at_it(patient, therapist):
    wrong = send(patient, therapist, "Hold each stretch for 3 seconds.")
    right = send(patient, therapist, "I meant 30 seconds, sorry.", corrects=wrong)
    assert right.corrects == wrong
    wrong.refresh_from_db()
    assert wrong.body == "Hold each stretch for 3 seconds."
    assert list(wrong.corrections.all()) == [right]


def test_only_the_author_corrects_a_message_and_only_in_its_own_conversation(
    patient, therapist, colleague
):
    theirs = send(patient, therapist, "Do the stretch twice a day.")
    assert "only correct your own messages" in refusal(
        lambda: send(patient, colleague, "No, once.", corrects=theirs)
    )
    elsewhere = PatientWithAccountFactory(primary_therapist=therapist)
    other_conversation = send(elsewhere, therapist, "Hello")
    assert "only correct your own messages" in refusal(
        lambda: send(patient, therapist, "Put right", corrects=other_conversation)
    )
    assert patient.messages.count() == 1


def test_a_message_is_never_changed_or_deleted(patient):
    message = send(patient, patient.user, "Original words")
    message.body = "Rewritten"
    with pytest.raises(MessagesAreNeverChanged):
        message.save()
    with pytest.raises(MessagesAreNeverChanged):
        message.delete()
    with pytest.raises(MessagesAreNeverChanged):
        Message.objects.filter(pk=message.pk).update(body="Rewritten")
    with pytest.raises(MessagesAreNeverChanged):
        Message.objects.filter(pk=message.pk).delete()
    assert Message.objects.get(pk=message.pk).body == "Original words"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database trigger is PostgreSQL's"
)
def test_the_database_itself_refuses_to_change_or_delete_a_message(patient):
    message = send(patient, patient.user, "Original words")
    table = Message._meta.db_table
    for sql in (
        f"UPDATE {table} SET body = 'Rewritten' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="never changed or deleted"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [message.pk])
    assert Message.objects.get(pk=message.pk).body == "Original words"


# The audit trail


def test_sending_leaves_an_audit_row_without_the_words(patient, therapist):
    first = send(patient, therapist, "Your knee-to-chest looks great")
    send(patient, therapist, "Sorry, the press-up", corrects=first)
    rows = AuditEvent.objects.filter(action=AuditAction.MESSAGE_SENT).order_by("id")
    assert [row.patient for row in rows] == [patient, patient]
    assert [row.actor for row in rows] == [therapist, therapist]
    summaries = " ".join(row.summary for row in rows)
    assert "knee" not in summaries and "press-up" not in summaries
    assert f"correcting message #{first.pk}" in summaries


def test_a_refused_message_leaves_no_audit_row(patient):
    with pytest.raises(ValidationError):
        send(patient, patient.user, " ")
    assert not AuditEvent.objects.filter(action=AuditAction.MESSAGE_SENT).exists()


# Unread counts and reading


def test_unread_is_what_others_wrote_after_what_you_read(patient, therapist, colleague):
    send(patient, patient.user, "One")
    send(patient, patient.user, "Two")
    assert unread_count(patient=patient, reader=therapist) == 2
    assert unread_count(patient=patient, reader=colleague) == 2
    assert unread_count_for_patient_account(user=patient.user) == 0

    reply = send(patient, therapist, "Got them both")
    # Writing means having read the conversation up to one's own message.
    assert unread_count(patient=patient, reader=therapist) == 0
    assert unread_count(patient=patient, reader=colleague) == 3
    assert unread_count_for_patient_account(user=patient.user) == 1

    conversation_mark_read(patient=patient, reader=patient.user, up_to=reply)
    assert unread_count_for_patient_account(user=patient.user) == 0


def test_the_read_mark_only_moves_forward(patient, therapist):
    first = send(patient, patient.user, "One")
    second = send(patient, patient.user, "Two")
    conversation_mark_read(patient=patient, reader=therapist, up_to=second)
    conversation_mark_read(patient=patient, reader=therapist, up_to=first)
    assert unread_count(patient=patient, reader=therapist) == 0


def test_a_mark_from_another_conversation_is_refused(patient, therapist):
    elsewhere = PatientWithAccountFactory(primary_therapist=therapist)
    other = send(elsewhere, elsewhere.user, "Hello")
    with pytest.raises(ValidationError):
        conversation_mark_read(patient=patient, reader=therapist, up_to=other)


def test_a_patients_unread_count_is_their_own_conversation_only(patient, therapist):
    elsewhere = PatientWithAccountFactory(primary_therapist=therapist)
    send(elsewhere, therapist, "For someone else")
    send(patient, therapist, "For you")
    assert unread_count_for_patient_account(user=patient.user) == 1
    assert unread_count_for_patient_account(user=elsewhere.user) == 1


# Emails: the other side, once per unread stretch, after the commit


def test_a_patients_message_emails_their_primary_therapist_once_per_unread_stretch(
    patient, therapist, colleague, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(patient, patient.user, "One")
    with django_capture_on_commit_callbacks(execute=True):
        send(patient, patient.user, "Two")
    with django_capture_on_commit_callbacks(execute=True):
        third = send(patient, patient.user, "Three")
    assert [mail.to for mail in mailoutbox] == [[therapist.email]]

    # Reading ends the stretch: the next message starts a new one, with one email.
    conversation_mark_read(patient=patient, reader=therapist, up_to=third)
    with django_capture_on_commit_callbacks(execute=True):
        send(patient, patient.user, "Four")
    with django_capture_on_commit_callbacks(execute=True):
        send(patient, patient.user, "Five")
    assert [mail.to for mail in mailoutbox] == [[therapist.email], [therapist.email]]
    assert OutboxMessage.objects.count() == 2
    assert colleague.email not in {address for mail in mailoutbox for address in mail.to}


def test_a_staff_message_emails_the_patient_and_a_reply_ends_their_stretch(
    patient, therapist, colleague, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(patient, therapist, "How did today go?")
        send(patient, colleague, "And one more question")
    assert [mail.to for mail in mailoutbox] == [[patient.user.email]]
    with django_capture_on_commit_callbacks(execute=True):
        send(patient, patient.user, "Fine, thanks")  # the patient has read up to here
        send(patient, therapist, "Great")
    assert [mail.to for mail in mailoutbox] == [
        [patient.user.email],
        [therapist.email],
        [patient.user.email],
    ]


def test_the_email_waits_for_the_commit_and_a_rollback_sends_nothing(
    patient, therapist, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send(patient, patient.user, "Is this hurting normal?")
        assert mailoutbox == []
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send(patient, therapist, "Let me check")
        raise RuntimeError("the request failed after the message was written")
    assert callbacks == []
    assert len(mailoutbox) == 1
    assert patient.messages.count() == 1


def test_with_no_primary_therapist_the_clinics_admins_are_emailed(
    clinic, clinic_admin, mailoutbox, django_capture_on_commit_callbacks
):
    second_admin = ClinicAdminFactory(clinic=clinic)
    unassigned = PatientWithAccountFactory(clinic=clinic, primary_therapist=None)
    with django_capture_on_commit_callbacks(execute=True):
        send(unassigned, unassigned.user, "Is anyone there?")
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(
        [clinic_admin.email, second_admin.email]
    )


def test_a_patient_without_a_sign_in_is_not_emailed(
    therapist, mailoutbox, django_capture_on_commit_callbacks
):
    no_account = PatientFactory(primary_therapist=therapist)
    with django_capture_on_commit_callbacks(execute=True):
        send(no_account, therapist, "For when you sign in")
    assert mailoutbox == []
    assert no_account.messages.count() == 1
