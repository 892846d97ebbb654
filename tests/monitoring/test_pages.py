"""The monitoring pages: the section of the patient page, setting up monitoring, logging and
correcting time, and the monthly report with its CSV file; who may open them, what they
audit, and how many queries they take."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from clinics.models import AuditAction, AuditEvent
from messaging.services import message_send
from monitoring.models import Communication, Enrolment, TimeEntry
from monitoring.services import enrolment_save, time_entry_record
from tests.patients.factories import PatientFactory, SessionLogFactory
from tests.prescriptions.factories import PlanFactory


def page_url(patient):
    return reverse("insights:patient-detail", args=[patient.pk])


def add_url(patient):
    return reverse("monitoring:time-entry-add", args=[patient.pk])


def log(patient, by, **overrides):
    values = {
        "performed_on": patient.clinic.today(),
        "minutes": 10,
        "activity": "Reviewed sessions.",
        "communication": Communication.NONE,
        "recorded_by": by,
    }
    return time_entry_record(patient=patient, **{**values, **overrides})


def enrol(patient, by, days_ago=40):
    enrolment_save(
        patient=patient,
        started_on=patient.clinic.today() - datetime.timedelta(days=days_ago),
        ended_on=None,
        saved_by=by,
    )
    return patient


def test_the_patient_page_offers_to_set_up_monitoring(client, patient, therapist):
    client.force_login(therapist)
    page = client.get(page_url(patient)).text
    assert "Remote monitoring is not set up for Pat" in page
    assert reverse("monitoring:enrolment-edit", args=[patient.pk]) in page


def test_the_patient_page_shows_the_current_period_and_the_months_minutes(
    client, enrolled, therapist
):
    today = enrolled.clinic.today()
    plan = PlanFactory(patient=enrolled, prescribed_by=therapist)
    SessionLogFactory(plan=plan)
    log(enrolled, therapist, minutes=47, communication=Communication.PHONE)
    client.force_login(therapist)
    page = client.get(page_url(enrolled)).text
    first = today - datetime.timedelta(days=10)
    assert "Period 2, under way" in page
    assert f"{first:%-d %b %Y} – {first + datetime.timedelta(days=29):%-d %b %Y}" in page
    assert "Day 11 of 30; 19 days remain." in page
    assert "1</span> day with data so far" in page and "Under 2 days" in page
    assert "20 minutes reached" in page
    assert "Further 20-minute blocks: 1 reached (40); next at 60 — 13 minutes to go" in page
    assert f"Interactive communication:</span> {today:%-d %b}" in page
    assert "Earlier periods" in page


def test_setting_up_monitoring_in_the_future_is_refused_keeping_what_was_typed(
    client, patient, therapist
):
    client.force_login(therapist)
    url = reverse("monitoring:enrolment-edit", args=[patient.pk])
    tomorrow = patient.clinic.today() + datetime.timedelta(days=1)
    response = client.post(url, {"started_on": tomorrow.isoformat()})
    assert response.status_code == 200
    assert "Nothing was saved." in response.text
    assert "cannot be in the future" in response.text
    assert f'value="{tomorrow.isoformat()}"' in response.text
    assert not Enrolment.objects.exists()
    response = client.post(url, {"started_on": patient.clinic.today().isoformat()})
    assert response.status_code == 302 and response.url.endswith("#monitoring")
    assert Enrolment.objects.get(patient=patient).set_up_by == therapist


@pytest.mark.parametrize("minutes", ["0", "121", "12.5", ""])
def test_bad_minutes_are_refused_with_what_is_allowed(client, enrolled, therapist, minutes):
    client.force_login(therapist)
    response = client.post(
        add_url(enrolled),
        {
            "performed_on": enrolled.clinic.today().isoformat(),
            "minutes": minutes,
            "activity": "Phoned about the dose",
            "communication": "phone",
        },
    )
    assert response.status_code == 200
    assert "a whole number from 1 to 120." in response.text
    assert "Phoned about the dose" in response.text
    assert not TimeEntry.objects.exists()


def test_a_future_date_is_refused(client, enrolled, therapist):
    client.force_login(therapist)
    tomorrow = enrolled.clinic.today() + datetime.timedelta(days=1)
    response = client.post(
        add_url(enrolled),
        {
            "performed_on": tomorrow.isoformat(),
            "minutes": "12",
            "activity": "Phoned",
            "communication": "phone",
        },
    )
    assert "The date cannot be in the future." in response.text
    assert not TimeEntry.objects.exists()


def test_logging_a_reply_links_the_message_and_a_correction_replaces_the_entry(
    client, enrolled, therapist
):
    reply = message_send(
        patient=enrolled, author=therapist, body="Try it twice a day.", base_url="http://t/"
    )
    client.force_login(therapist)
    form = client.get(add_url(enrolled)).text
    assert "Try it twice a day." in form
    response = client.post(
        add_url(enrolled),
        {
            "performed_on": enrolled.clinic.today().isoformat(),
            "minutes": "12",
            "activity": "Answered about the dose",
            "communication": "message",
            "message": str(reply.pk),
        },
    )
    assert response.status_code == 302
    entry = TimeEntry.objects.get()
    assert entry.message == reply
    correct = reverse("monitoring:time-entry-correct", args=[enrolled.pk, entry.pk])
    assert "Answered about the dose" in client.get(correct).text
    client.post(
        correct,
        {
            "performed_on": enrolled.clinic.today().isoformat(),
            "minutes": "8",
            "activity": "Answered about the dose",
            "communication": "message",
            "message": str(reply.pk),
        },
    )
    page = client.get(page_url(enrolled)).text
    assert "Corrected, not counted" in page
    assert '<span class="summary-figure">8</span>' in page
    second = client.post(correct, {"performed_on": "", "minutes": "9", "activity": "x"})
    assert second.status_code == 200
    assert TimeEntry.objects.count() == 2


def test_other_clinics_and_other_patients_get_404_and_patients_403(
    client, enrolled, therapist, stranger
):
    entry = log(enrolled, therapist)
    other = enrol(PatientFactory(primary_therapist=therapist), therapist)
    urls = [
        reverse("monitoring:enrolment-edit", args=[enrolled.pk]),
        add_url(enrolled),
        reverse("monitoring:time-entry-correct", args=[enrolled.pk, entry.pk]),
    ]
    client.force_login(stranger)
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url, {"minutes": "5"}).status_code == 404
    client.force_login(therapist)
    wrong_patient = reverse("monitoring:time-entry-correct", args=[other.pk, entry.pk])
    assert client.get(wrong_patient).status_code == 404
    client.force_login(enrolled.user)
    for url in [*urls, reverse("monitoring:report"), reverse("monitoring:report-export")]:
        assert client.get(url).status_code == 403
    assert TimeEntry.objects.count() == 1


def test_the_report_shows_a_therapist_their_patients_and_an_admin_the_clinic(
    client, enrolled, therapist, colleague, clinic_admin, stranger
):
    theirs = enrol(PatientFactory(primary_therapist=colleague, last_name="Colleagueson"), colleague)
    enrol(PatientFactory(primary_therapist=stranger, last_name="Elsewhere"), stranger)
    client.force_login(therapist)
    page = client.get(reverse("monitoring:report")).text
    assert "Pat Ient" in page and "Colleagueson" not in page and "Elsewhere" not in page
    assert "the clinic decides what it bills" in page.lower() or "decides what it bills" in page
    client.force_login(clinic_admin)
    page = client.get(reverse("monitoring:report")).text
    assert "Pat Ient" in page and "Colleagueson" in page and "Elsewhere" not in page
    listed = AuditEvent.objects.filter(action=AuditAction.PATIENT_LISTED, actor=clinic_admin)
    assert set(listed.values_list("patient_id", flat=True)) == {enrolled.pk, theirs.pk}


def test_the_csv_has_a_row_per_patient_and_period(client, enrolled, therapist):
    today = enrolled.clinic.today()
    log(enrolled, therapist, minutes=25, communication=Communication.PHONE)
    client.force_login(therapist)
    response = client.get(reverse("monitoring:report-export"), {"month": f"{today:%Y-%m}"})
    assert response["Content-Disposition"] == (
        f'attachment; filename="rehabit-monitoring-{today:%Y-%m}.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Patient record number", "Patient", "Primary therapist"]
    assert rows[0][8:] == [
        "Days with data",
        "Band",
        "Month",
        "Patient's minutes in the month",
        "Interactive communication dates in the month",
    ]
    start = today - datetime.timedelta(days=40)
    # Periods 1 (days 1–30) and 2 (days 31–60): the ones overlapping this month.
    expected_periods = [
        number
        for number in (1, 2)
        if start + datetime.timedelta(days=30 * number - 1) >= today.replace(day=1)
    ]
    assert [int(row[5]) for row in rows[1:]] == expected_periods
    last = rows[-1]
    assert last[:5] == [str(enrolled.pk), "Pat Ient", "Tess Owner", start.isoformat(), ""]
    assert last[8:] == ["0", "Under 2 days", f"{today:%Y-%m}", "25", today.isoformat()]
    assert AuditEvent.objects.filter(
        action=AuditAction.MONITORING_REPORT_EXPORTED, patient=enrolled, actor=therapist
    ).exists()
    assert "no-store" in response["Cache-Control"]


def add_patients(therapist, count):
    for _ in range(count):
        patient = enrol(PatientFactory(primary_therapist=therapist), therapist)
        plan = PlanFactory(patient=patient, prescribed_by=therapist)
        SessionLogFactory(plan=plan)
        log(patient, therapist, communication=Communication.PHONE)
        log(patient, therapist, minutes=15)


def test_the_report_and_its_csv_take_the_same_queries_for_2_or_12_patients(
    client, therapist, django_assert_max_num_queries
):
    add_patients(therapist, 2)
    client.force_login(therapist)
    # measured: session and user, the navigation's unread count, the enrolments, the days
    # with data, the minutes, the communication days, and the audit rows
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("monitoring:report"))
    with django_assert_max_num_queries(10) as few_csv:
        client.get(reverse("monitoring:report-export"))
    add_patients(therapist, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("monitoring:report")).text
    assert page.count('scope="row"') == 12
    with django_assert_max_num_queries(len(few_csv.captured_queries)):
        client.get(reverse("monitoring:report-export"))


def test_the_patient_page_and_time_form_take_the_same_queries_for_few_or_many_entries(
    client, enrolled, therapist, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            entry = log(enrolled, therapist)
            log(enrolled, therapist, supersedes=entry, minutes=5)
            message_send(patient=enrolled, author=therapist, body="Note", base_url="http://t/")

    add(1)
    client.force_login(therapist)
    with django_assert_max_num_queries(60) as few:
        client.get(page_url(enrolled))
    with django_assert_max_num_queries(12) as few_form:
        client.get(add_url(enrolled))
    add(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(page_url(enrolled)).text
    assert page.count("Corrected, not counted") == 11
    with django_assert_max_num_queries(len(few_form.captured_queries)):
        client.get(add_url(enrolled))


def test_form_pages_are_audited_as_a_look_at_the_record(client, enrolled, therapist):
    client.force_login(therapist)
    client.get(add_url(enrolled))
    assert AuditEvent.objects.filter(
        action=AuditAction.PATIENT_FORM_VIEWED, patient=enrolled, actor=therapist
    ).exists()
