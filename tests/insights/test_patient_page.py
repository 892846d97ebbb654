"""The therapist's page of one patient: the record at the top, and what it must not show."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from patients.models import AlertKind, EntryStatus, SkipReason
from patients.services import patient_discharge, reminder_settings_update
from prescriptions.models import PlanStatus
from tests.insights.test_alerts import prescribe, report_pain
from tests.patients.factories import (
    PainReportFactory,
    PatientFactory,
    PatientWithAccountFactory,
    SessionLogEntryFactory,
    SessionLogFactory,
)
from tests.prescriptions.factories import PlanFactory, PlanItemFactory, PlanTemplateFactory


@pytest.fixture
def owned(therapist):
    """A patient of the owner persona, without a login of their own."""
    return PatientFactory(
        primary_therapist=therapist,
        first_name="Nora",
        last_name="Nolan",
        condition="Low back pain",
        date_of_birth=datetime.date(1970, 5, 17),
    )


def detail_url(patient):
    return reverse("insights:patient-detail", args=[patient.pk])


def test_the_caseload_links_to_each_patient_and_to_adding_one(client, owned, therapist):
    client.force_login(therapist)
    page = client.get(reverse("insights:caseload")).text
    assert f'href="{detail_url(owned)}"' in page
    assert f'href="{reverse("patients:patient-add")}"' in page


def test_the_patient_page_shows_details_plans_sessions_and_pain(
    client, owned, therapist, other_clinic
):
    owned.clinic.time_zone = "America/New_York"
    owned.clinic.save()
    current = PlanFactory(
        patient=owned,
        prescribed_by=therapist,
        title="Morning stretches",
        start_date=datetime.date(2024, 7, 1),
        times_per_day=2,
    )
    first, second = PlanItemFactory.create_batch(2, plan=current)
    PlanFactory(
        patient=owned,
        prescribed_by=therapist,
        title="Old routine",
        status=PlanStatus.COMPLETED,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 3, 1),
    )
    PlanFactory(patient=owned, prescribed_by=therapist, title="Dropped", status="discontinued")
    session = SessionLogFactory(
        plan=current,
        performed_at=datetime.datetime(2024, 7, 15, 12, 5, tzinfo=datetime.UTC),
        pain_before=3,
        pain_after=6,
        is_flagged=True,
        flag_reason="an exercise was skipped because of pain",
        note="Felt a twinge on the second one.",
    )
    SessionLogEntryFactory(session=session, plan_item=first)
    SessionLogEntryFactory(
        session=session,
        plan_item=second,
        status=EntryStatus.SKIPPED,
        skip_reason=SkipReason.PAIN,
    )
    PainReportFactory(
        patient=owned,
        score=8,
        body_location="Lower back, left side",
        red_flags=["saddle_numbness"],
        red_flag_severity="emergency",
        recorded_at=datetime.datetime(2024, 7, 16, 3, 0, tzinfo=datetime.UTC),
    )
    PlanTemplateFactory(clinic=owned.clinic, name="Back spasm starter")
    PlanTemplateFactory(clinic=other_clinic, name="Hillside secret")
    client.force_login(therapist)

    response = client.get(detail_url(owned))

    page = response.text
    assert response.status_code == 200
    assert "<h1" in page and "Nora Nolan" in page
    assert "Low back pain" in page
    assert "17 May 1970" in page and "years old" in page
    assert "Tess Owner" in page
    assert page.index("Morning stretches") < page.index("Past plans") < page.index("Old routine")
    assert "Dropped" in page and "Discontinued" in page
    assert "Twice a day, every day" in page
    assert reverse("prescriptions:plan-detail", args=[current.pk]) in page
    assert f'href="{reverse("patients:plan-create", args=[owned.pk])}"' in page
    template_link = reverse("patients:plan-create", args=[owned.pk]) + "?template="
    assert page.count(template_link) == 1
    assert "Back spasm starter" in page
    assert "Hillside secret" not in page
    assert "15 Jul 2024, 08:05" in page  # New York time, not UTC
    assert "1 of 2" in page
    assert "Flagged" in page and "skipped because of pain" in page
    assert "Felt a twinge" in page
    assert "8/10" in page and "Lower back, left side" in page
    assert "Emergency red flag" in page
    assert "15 Jul 2024, 23:00" in page
    assert "Numbness or tingling" in page


def test_an_empty_patient_page_says_so(client, owned, therapist):
    client.force_login(therapist)
    page = client.get(detail_url(owned)).text
    assert "No current plan." in page
    assert "No sessions logged yet." in page
    assert "No pain reports yet." in page


def test_another_patients_records_stay_off_the_page(client, owned, therapist):
    other = PatientFactory(primary_therapist=therapist)
    plan = PlanFactory(patient=other, prescribed_by=therapist, title="Someone else's plan")
    SessionLogFactory(plan=plan, note="Someone else's note")
    PainReportFactory(patient=other, body_location="Someone else's knee")
    client.force_login(therapist)
    page = client.get(detail_url(owned)).text
    assert "Someone else" not in page


def test_patient_page_query_count_does_not_grow_with_history(
    client, owned, therapist, django_assert_max_num_queries
):
    add_history(owned, plans=1, sessions=2, pain_reports=1)
    PlanTemplateFactory(clinic=owned.clinic)
    client.force_login(therapist)
    # session, user, clinic, patient (access), patient page: patient, plans, sessions,
    # pain reports, templates, the alerts (their facts, 7-day adherence: plans, pauses,
    # sessions; pain trend: latest, windows, sums; acknowledgements); the staff member's
    # unread messages
    with django_assert_max_num_queries(32) as small:  # 31, and the audit row
        response = client.get(detail_url(owned))
    assert response.status_code == 200

    # 6 plans (one completed), 30 sessions of 2 exercises each, 10 pain reports.
    add_history(owned, plans=4, sessions=28, pain_reports=9, completed_plans=1)
    PlanTemplateFactory.create_batch(8, clinic=owned.clinic)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(detail_url(owned))
    assert len(large.captured_queries) == len(small.captured_queries)
    page = response.text
    assert page.count('href="/plans/') == 6
    assert page.count("2 of 2</td>") == 10
    assert page.count("4/10</td>") == 10


def add_history(patient, *, plans, sessions, pain_reports, completed_plans=0):
    therapist = patient.primary_therapist
    made = [PlanFactory(patient=patient, prescribed_by=therapist) for _ in range(plans)]
    made += [
        PlanFactory(patient=patient, prescribed_by=therapist, status=PlanStatus.COMPLETED)
        for _ in range(completed_plans)
    ]
    for plan in made:
        PlanItemFactory.create_batch(2, plan=plan)
    for index in range(sessions):
        plan = made[index % len(made)]
        session = SessionLogFactory(
            plan=plan, performed_at=timezone.now() - datetime.timedelta(hours=index + 1)
        )
        for item in plan.items.all():
            SessionLogEntryFactory(session=session, plan_item=item)
    PainReportFactory.create_batch(pain_reports, patient=patient)


# What needs the therapist now, and what the patient chose


def test_an_emergency_red_flag_stands_at_the_top_of_the_patient_page_until_acknowledged(
    client, therapist
):
    patient = PatientWithAccountFactory(primary_therapist=therapist, phone="+1 555 0100")
    report = report_pain(patient, 4, red_flags=["bladder_bowel"])
    report_pain(patient, 8, days_ago=1)  # high pain: an open alert, not an emergency
    client.force_login(therapist)

    page = client.get(detail_url(patient)).text

    banner = page[page.index('class="emergency-banner') : page.index("</section>")]
    assert "Emergency red flag: contact the patient now" in banner
    assert "trouble passing urine" in banner and 'href="tel:+1 555 0100"' in banner
    assert f'name="event_key" value="report:{report.pk}"' in banner
    assert 'name="csrfmiddlewaretoken"' in banner
    assert page.index("emergency-banner") < page.index('id="details-heading"')
    assert "Open alert (1)" in page and "High pain:</span>" in page

    response = client.post(
        reverse("insights:alert-acknowledge", args=[patient.pk]),
        {
            "kind": AlertKind.RED_FLAG,
            "event_key": f"report:{report.pk}",
            "note": "Called: on the way to the emergency department.",
            "next": detail_url(patient),
        },
    )

    assert response.url == detail_url(patient)
    page = client.get(response.url).text
    assert "emergency-banner" not in page
    assert "Alert acknowledged for" in page
    assert "Open alert (1)" in page


def test_the_page_says_whether_the_patients_reminders_are_on_and_when(client, therapist):
    patient = PatientWithAccountFactory(primary_therapist=therapist)
    prescribe(patient, therapist, times_per_day=2)
    client.force_login(therapist)

    def reminders() -> str:
        page = client.get(detail_url(patient)).text
        start = page.index(">Reminders</dt>")
        return page[start : page.index("</dd>", start)]

    assert "On, by email at 09:00, 18:00 (the default for 2 sessions a day)" in reminders()
    reminder_settings_update(
        patient=patient, updated_by=patient.user, is_on=True, times=[datetime.time(7, 30)]
    )
    assert "On, by email at 07:30 (times chosen by the patient)" in reminders()
    reminder_settings_update(patient=patient, updated_by=patient.user, is_on=False, times=[])
    assert "Off: the patient turned them off." in reminders()
    # Staff see them; nothing on the page changes them.
    page = client.get(detail_url(patient)).text
    assert reverse("patients:account") not in page and 'name="is_on"' not in page
    patient_discharge(patient=patient, discharged_by=therapist)
    assert "None: discharged patients are not reminded." in reminders()


def test_a_patient_without_a_sign_in_has_no_reminders_yet(client, owned, therapist):
    client.force_login(therapist)
    page = client.get(detail_url(owned)).text
    assert "None yet: reminders start once the patient has a sign-in." in page
