"""The "a message is waiting" email: it names the clinic and links to the conversation, and
holds nothing private: not the message, not the patient's full name, not their condition."""

from django.urls import reverse

from clinics.models import User
from messaging.services import message_send
from outbox.models import OutboxMessage

SECRET = "The numbness in my left foot is back"


def test_no_email_holds_the_message_the_patients_full_name_or_condition(
    patient, therapist, mailoutbox, django_capture_on_commit_callbacks
):
    patient.condition = "Lumbar radiculopathy"
    patient.save()
    with django_capture_on_commit_callbacks(execute=True):
        message_send(patient=patient, author=patient.user, body=SECRET, base_url="https://x.test/")
    with django_capture_on_commit_callbacks(execute=True):
        message_send(
            patient=patient, author=therapist, body=f"About: {SECRET}", base_url="https://x.test/"
        )
    to_staff, to_patient = mailoutbox
    assert to_staff.to == [therapist.email] and to_patient.to == [patient.user.email]
    account_name = User.objects.get(pk=patient.user_id).full_name
    for mail in mailoutbox:
        parts = [mail.subject, mail.body] + [content for content, _type in mail.alternatives]
        text = "\n".join(parts)
        for private in (SECRET, "numbness", patient.full_name, account_name, patient.condition):
            assert private not in text, f"{private!r} in the email to {mail.to}"
        assert patient.clinic.name in text
    assert (
        f"https://x.test{reverse('messaging:patient-messages', args=[patient.pk])}" in to_staff.body
    )
    assert f"https://x.test{reverse('messaging:own-messages')}" in to_patient.body
    assert to_staff.subject == "A patient sent a message on Rehabit"
    assert to_patient.subject == "A new message from your care team on Rehabit"
    # What the outbox keeps to write the email from is ids and the site's address only.
    for kept in OutboxMessage.objects.all():
        assert set(kept.context) == {"recipient_id", "patient_id", "base_url"}
        assert kept.kind == "message_waiting"
