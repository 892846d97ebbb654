"""The conversation pages: the patient's own and the staff's for one patient. Scoping, bad input
kept as typed, corrections, the closed conversation of a discharged patient, the audit rows,
the unread counts around the site and a fixed number of queries."""

import pytest
from django.urls import reverse

from clinics.models import AuditAction, AuditEvent
from clinics.selectors import record_views_for_patient
from messaging.models import Message
from messaging.selectors import unread_count, unread_count_for_patient_account
from messaging.services import message_send
from patients.services import patient_discharge
from tests.patients.factories import PatientWithAccountFactory

OWN = reverse("messaging:own-messages")


def staff_url(patient) -> str:
    return reverse("messaging:patient-messages", args=[patient.pk])


def send(patient, author, body):
    return message_send(patient=patient, author=author, body=body, base_url="http://testserver/")


def as_(client, user):
    client.force_login(user)
    return client


# The patient's page


def test_the_patient_reads_their_conversation_and_writes_to_their_care_team(
    client, patient, therapist
):
    send(patient, therapist, "How are the stretches going?")
    page = as_(client, patient.user).get(OWN).text
    assert "How are the stretches going?" in page
    assert "Tess Owner, therapist" in page
    response = client.post(OWN, {"body": "  Much better this week  "})
    message = patient.messages.get(author=patient.user)
    assert response.status_code == 302
    assert response.url == f"{OWN}#message-{message.pk}"
    assert message.body == "Much better this week"
    page = client.get(OWN).text
    assert page.index("How are the stretches going?") < page.index("Much better this week")


def test_a_patient_never_sees_another_patients_conversation(client, patient, therapist):
    other = PatientWithAccountFactory(primary_therapist=therapist)
    send(patient, therapist, "Only for Pat")
    page = as_(client, other.user).get(OWN).text
    assert "Only for Pat" not in page
    assert "No messages yet" in page
    client.post(OWN, {"body": "Hello from the other patient"})
    assert list(patient.messages.values_list("body", flat=True)) == ["Only for Pat"]


def test_a_patient_cannot_open_the_staff_page_even_for_their_own_record(client, patient):
    as_(client, patient.user)
    assert client.get(staff_url(patient)).status_code == 403
    assert client.post(staff_url(patient), {"body": "Sneaky"}).status_code == 403
    assert not Message.objects.exists()


def test_staff_cannot_open_the_patients_own_page(client, therapist):
    assert as_(client, therapist).get(OWN).status_code == 403


# The staff's page


@pytest.mark.parametrize("who", ["therapist", "colleague", "clinic_admin"])
def test_anyone_on_the_clinics_staff_reads_and_replies(client, patient, who, request):
    staff = request.getfixturevalue(who)
    send(patient, patient.user, "My back felt stiff this morning")
    as_(client, staff)
    page = client.get(staff_url(patient)).text
    assert "My back felt stiff this morning" in page
    assert "Pat Ient, patient" in page
    response = client.post(staff_url(patient), {"body": "Try the heat pack first"})
    assert response.status_code == 302
    assert patient.messages.filter(author=staff, body="Try the heat pack first").exists()


def test_another_clinics_patient_answers_404_and_nothing_is_saved(client, patient, stranger):
    send(patient, patient.user, "Private words")
    as_(client, stranger)
    assert client.get(staff_url(patient)).status_code == 404
    assert client.post(staff_url(patient), {"body": "Intruding"}).status_code == 404
    assert patient.messages.count() == 1
    assert not AuditEvent.objects.filter(actor=stranger, patient=patient).exists()


# Bad input: refused with a clear reason, what was typed kept, nothing saved


@pytest.mark.parametrize("url_of", [lambda p: OWN, staff_url], ids=["patient", "staff"])
def test_an_empty_message_is_refused_and_nothing_is_saved(client, patient, therapist, url_of):
    user = patient.user if url_of(patient) == OWN else therapist
    response = as_(client, user).post(url_of(patient), {"body": "   "})
    assert response.status_code == 200
    page = response.text
    assert "Your message was not sent." in page
    assert "Write a message before sending it." in page
    assert "<title>Not sent:" in page
    assert not Message.objects.exists()


@pytest.mark.parametrize("url_of", [lambda p: OWN, staff_url], ids=["patient", "staff"])
def test_an_overlong_message_is_refused_and_kept_as_typed(client, patient, therapist, url_of):
    user = patient.user if url_of(patient) == OWN else therapist
    typed = "Long story about my week. " * 200  # 5,200 characters
    response = as_(client, user).post(url_of(patient), {"body": typed})
    page = response.text
    assert "A message can be at most 5,000 characters; this one has 5,199." in page
    assert typed.strip() in page  # in the text area, to shorten or split
    assert 'maxlength="' not in page  # a browser limit would cut a paste short silently
    assert not Message.objects.exists()


# Corrections


def test_the_author_corrects_their_own_message_and_both_are_shown(client, patient, therapist):
    wrong = send(patient, therapist, "Hold each stretch for 3 seconds")
    as_(client, therapist)
    page = client.get(staff_url(patient), {"correct": wrong.pk}).text
    assert "Correcting your message of" in page
    assert f'name="corrects" value="{wrong.pk}"' in page
    client.post(staff_url(patient), {"body": "I meant 30 seconds", "corrects": wrong.pk})
    correction = patient.messages.get(corrects=wrong)
    assert correction.body == "I meant 30 seconds"
    page = as_(client, patient.user).get(OWN).text
    assert "Corrected in a later message" in page
    assert f'href="#message-{correction.pk}"' in page
    assert page.count("Hold each stretch for 3 seconds") == 2  # the message, and quoted
    assert "Correction" in page


def test_nobody_corrects_someone_elses_message(client, patient, therapist, colleague):
    theirs = send(patient, therapist, "Twice a day")
    as_(client, colleague)
    assert client.get(staff_url(patient), {"correct": theirs.pk}).status_code == 404
    response = client.post(staff_url(patient), {"body": "Once a day", "corrects": theirs.pk})
    assert "You can only correct your own messages here." in response.text
    assert "Once a day" in response.text
    assert patient.messages.count() == 1


# A discharged patient


def test_a_discharged_patients_conversation_is_kept_to_read_but_closed(client, patient, therapist):
    send(patient, therapist, "Good luck with everything")
    patient_discharge(patient=patient, discharged_by=therapist)
    page = as_(client, patient.user).get(OWN).text
    assert "Good luck with everything" in page
    assert "Messages closed when you were discharged" in page
    assert 'id="message-form"' not in page
    response = client.post(OWN, {"body": "One more question"})
    assert "Messages closed when you were discharged" in response.text
    page = as_(client, therapist).get(staff_url(patient)).text
    assert "Reactivate the patient to write again." in page
    assert 'id="message-form"' not in page
    assert patient.messages.count() == 1


# Reading: the unread counts and the audit trail


def test_opening_the_conversation_reads_it_and_leaves_an_audit_row(client, patient, therapist):
    send(patient, patient.user, "First")
    send(patient, patient.user, "Second")
    assert unread_count(patient=patient, reader=therapist) == 2
    page = as_(client, therapist).get(staff_url(patient)).text
    assert page.index('id="new-messages"') < page.index("First")
    assert unread_count(patient=patient, reader=therapist) == 0
    (row,) = AuditEvent.objects.filter(action=AuditAction.MESSAGES_VIEWED)
    assert (row.actor, row.patient, row.summary) == (therapist, patient, "")
    assert list(record_views_for_patient(patient=patient)) == [row]

    as_(client, patient.user).get(OWN)
    # The patient's own reading is in the trail, but not under "who has viewed your record".
    assert AuditEvent.objects.filter(action=AuditAction.MESSAGES_VIEWED).count() == 2
    assert list(record_views_for_patient(patient=patient)) == [row]


def test_an_earlier_page_of_the_conversation_leaves_the_newest_unread(client, patient):
    therapist = patient.primary_therapist
    for number in range(35):
        send(patient, patient.user, f"Message number {number}")
    as_(client, therapist)
    oldest_shown = patient.messages.order_by("-pk")[29]
    page = client.get(staff_url(patient), {"before": oldest_shown.pk}).text
    assert "Message number 4<" in page and "Message number 5<" not in page
    assert "Back to the latest messages" in page
    assert unread_count(patient=patient, reader=therapist) == 35
    page = client.get(staff_url(patient)).text
    assert "Message number 34" in page and "Message number 4<" not in page
    assert "Show earlier messages" in page
    assert unread_count(patient=patient, reader=therapist) == 0


def test_the_patients_navigation_shows_their_unread_messages(client, patient, therapist):
    as_(client, patient.user)
    assert "badge rounded-pill" not in client.get(reverse("patients:today")).text
    send(patient, therapist, "One")
    send(patient, therapist, "Two")
    page = client.get(reverse("patients:today")).text
    assert '>Messages <span class="badge rounded-pill text-bg-light">2<span' in page
    # The menu folds away on a phone, so the count is also beside it.
    assert f'href="{OWN}">2 new messages</a>' in page
    page = client.get(OWN).text
    assert "badge rounded-pill" not in page and "new messages</a>" not in page
    assert unread_count_for_patient_account(user=patient.user) == 0


def test_the_therapists_patient_page_links_to_the_messages_with_the_unread_count(
    client, patient, therapist
):
    detail = reverse("insights:patient-detail", args=[patient.pk])
    as_(client, therapist)
    assert f'href="{staff_url(patient)}">Messages</a>' in client.get(detail).text
    send(patient, patient.user, "One")
    send(patient, patient.user, "Two")
    assert "Messages (2 unread)" in client.get(detail).text


def test_the_caseload_shows_unread_messages_per_patient(client, patient, therapist):
    quiet = PatientWithAccountFactory(primary_therapist=therapist, first_name="Quinn")
    send(quiet, therapist, "Hello Quinn")
    send(patient, patient.user, "Question one")
    send(patient, patient.user, "Question two")
    page = as_(client, therapist).get(reverse("insights:caseload")).text
    assert page.count("unread message") == 1
    assert f'href="{staff_url(patient)}">2 unread messages</a>' in page


# Queries: a fixed number, whatever the length of the conversation


def _fill(patient, therapist, pairs):
    for number in range(pairs):
        send(patient, patient.user, f"Question {number}")
        send(patient, therapist, f"Answer {number}")


def test_the_patients_page_runs_a_fixed_number_of_queries(
    client, patient, therapist, django_assert_max_num_queries
):
    _fill(patient, therapist, 1)
    send(patient, therapist, "Unread")
    as_(client, patient.user)
    # session, user, clinic, patient; read mark, messages; moving the read mark (update,
    # savepoints); the audit row; the navigation's unread count
    with django_assert_max_num_queries(11) as small:
        assert client.get(OWN).status_code == 200
    _fill(patient, therapist, 30)
    send(patient, therapist, "Unread, and a correction of an answer long gone from the page")
    message_send(
        patient=patient,
        author=therapist,
        body="Put right",
        corrects=patient.messages.filter(author=therapist).first(),
        base_url="http://testserver/",
    )
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        page = client.get(OWN).text
    assert len(large.captured_queries) == len(small.captured_queries)
    assert page.count('class="chat-message') == 30


def test_the_staff_page_runs_a_fixed_number_of_queries(
    client, patient, therapist, colleague, django_assert_max_num_queries
):
    _fill(patient, therapist, 1)
    as_(client, colleague)
    client.get(staff_url(patient))  # the colleague has read the conversation before
    send(patient, patient.user, "Unread")
    # session, user, clinic, patient (access); read mark, messages; moving the read mark
    # (update, savepoints); the audit row
    with django_assert_max_num_queries(10) as small:
        assert client.get(staff_url(patient)).status_code == 200
    _fill(patient, therapist, 30)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        page = client.get(staff_url(patient)).text
    assert len(large.captured_queries) == len(small.captured_queries)
    assert page.count('class="chat-message') == 30
