"""The patient's "who has viewed my record": the caseload naming them reads as a sighting of
their name, once per person and day, however often the caseload was opened."""

from django.urls import reverse

from clinics.models import AuditAction, AuditEvent


def test_each_caseload_view_is_a_row_but_the_patient_sees_one_line_per_person_and_day(
    client, patient, therapist
):
    client.force_login(therapist)
    for _ in range(6):
        client.get(reverse("insights:caseload"))
    client.get(reverse("insights:patient-detail", args=[patient.pk]))
    assert (
        AuditEvent.objects.filter(patient=patient, action=AuditAction.PATIENT_LISTED).count() == 6
    )

    client.force_login(patient.user)
    account = client.get(reverse("patients:account")).text
    assert account.count("saw your name on the caseload") == 1
    assert "6 times on" in account
    # The record's own views are listed one by one, apart from the caseload.
    assert account.count("Viewed the patient page") == 1
    views = client.get(reverse("patients:record-views")).text
    assert views.count("saw your name on the caseload") == 1
    assert "Saw the patient on the caseload" not in views
