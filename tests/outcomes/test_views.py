"""The outcome pages: what they show, bad input kept and refused, who may open them (another
clinic's patient answers 404, patients never see staff pages), the audit rows of staff views,
and a query count that does not grow with the record."""

import pytest
from django.urls import reverse

from clinics.models import AuditAction, AuditEvent
from outcomes import services
from outcomes.models import OutcomeEntry, PsfsActivity
from tests.insights.test_alerts import log_session, prescribe
from tests.patients.factories import PatientWithAccountFactory

from .conftest import ACTIVITY_NAMES, odi, rate

pytestmark = pytest.mark.django_db


def staff_urls(patient, entry, activity) -> list[tuple[str, str]]:
    return [
        ("get", reverse("outcomes:staff-outcomes", args=[patient.pk])),
        ("post", reverse("outcomes:total-record", args=[patient.pk])),
        ("post", reverse("outcomes:activities-add", args=[patient.pk])),
        ("post", reverse("outcomes:activity-retire", args=[patient.pk, activity.pk])),
        ("post", reverse("outcomes:interval-set", args=[patient.pk])),
        ("get", reverse("outcomes:entry-correct", args=[patient.pk, entry.pk])),
    ]


def add_history(patient, therapist, activities, *, ratings: int):
    """`ratings` PSFS ratings and as many ODI totals over the last weeks, and sessions."""
    plan = prescribe(patient, therapist, start_days_ago=40, end_date=None)
    for number in range(ratings):
        days = 40 - number * 3
        rate(patient, activities, [2 + number % 8, 3, 4], days=days)
        odi(patient, 60 - number, days=days, by=therapist)
        log_session(patient, plan, days_ago=days, pain_before=5, pain_after=4)


# The therapist


def test_the_patient_page_shows_each_measure_with_its_verdict_beside_adherence(
    client, patient, therapist, activities
):
    rate(patient, activities, [2, 3, 4], days=28)
    rate(patient, activities, [5, 6, 7], days=1)
    odi(patient, 46, days=28, by=therapist)
    odi(patient, 30, days=1, by=therapist)
    client.force_login(therapist)
    page = client.get(reverse("insights:patient-detail", args=[patient.pk])).text
    assert 'id="outcomes"' in page
    assert "PSFS and adherence" in page
    assert "ODI and adherence" in page
    assert "Sessions done each week" in page
    assert "Moderate disability" in page  # ODI 30
    assert page.count("outcome-verdict-better") >= 2
    assert "Carrying the shopping" in page
    assert "Pain (NPRS, 0–10)" in page


def test_the_therapist_records_an_odi_total(client, patient, therapist):
    client.force_login(therapist)
    response = client.post(
        reverse("outcomes:total-record", args=[patient.pk]),
        {"measure": "odi", "total": "42", "assessed_on": patient.clinic.today().isoformat()},
    )
    assert response.status_code == 302
    entry = OutcomeEntry.objects.get()
    assert (entry.measure, entry.total, entry.source, entry.recorded_by) == (
        "odi",
        42,
        "staff",
        therapist,
    )


@pytest.mark.parametrize(
    ("measure", "total", "message"),
    [
        ("odi", "101", "The ODI total must be a whole number from 0 to 100."),
        ("ndi", "51", "The NDI total must be a whole number from 0 to 50."),
        ("odi", "4.5", "Enter the total as a whole number: ODI 0 to 100, NDI 0 to 50."),
    ],
)
def test_a_refused_total_says_what_is_allowed_and_keeps_what_was_typed(
    client, patient, therapist, measure, total, message
):
    client.force_login(therapist)
    response = client.post(
        reverse("outcomes:total-record", args=[patient.pk]),
        {"measure": measure, "total": total, "assessed_on": "2020-01-01"},
    )
    assert response.status_code == 200
    assert message in response.text
    assert f'value="{total}"' in response.text
    assert not OutcomeEntry.objects.exists()


def test_a_future_date_is_refused_on_the_form(client, patient, therapist):
    client.force_login(therapist)
    tomorrow = patient.clinic.today().toordinal() + 1
    import datetime

    day = datetime.date.fromordinal(tomorrow).isoformat()
    response = client.post(
        reverse("outcomes:total-record", args=[patient.pk]),
        {"measure": "odi", "total": "30", "assessed_on": day},
    )
    assert "The date cannot be in the future" in response.text
    assert not OutcomeEntry.objects.exists()


def test_the_therapist_sets_up_activities_and_two_are_not_enough(client, patient, therapist):
    client.force_login(therapist)
    url = reverse("outcomes:activities-add", args=[patient.pk])
    response = client.post(url, {"name_1": "Walking", "name_2": "Lifting"})
    assert "PSFS needs 3 to 5 activities: name 1 more." in response.text
    assert 'value="Lifting"' in response.text
    assert not PsfsActivity.objects.exists()
    response = client.post(url, {"name_1": "Walking", "name_2": "Lifting", "name_3": "Sitting"})
    assert response.status_code == 302
    assert PsfsActivity.objects.count() == 3


def test_the_therapist_corrects_a_score(client, patient, therapist):
    entry = odi(patient, 50, days=5, by=therapist)
    client.force_login(therapist)
    url = reverse("outcomes:entry-correct", args=[patient.pk, entry.pk])
    page = client.get(url)
    assert 'value="50"' in page.text
    refused = client.post(url, {"total": "40", "assessed_on": entry.assessed_on.isoformat()})
    assert "Say why the score is corrected." in refused.text
    done = client.post(
        url, {"total": "40", "assessed_on": entry.assessed_on.isoformat(), "note": "Typo"}
    )
    assert done.status_code == 302
    assert OutcomeEntry.objects.count() == 2
    # The corrected one can no longer be opened for correction.
    assert client.get(url).status_code == 404


def test_staff_views_leave_audit_rows(client, patient, therapist):
    entry = odi(patient, 50, days=5, by=therapist)
    client.force_login(therapist)
    client.get(reverse("outcomes:staff-outcomes", args=[patient.pk]))
    client.get(reverse("outcomes:entry-correct", args=[patient.pk, entry.pk]))
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.OUTCOMES_VIEWED, patient_id=patient.pk, actor=therapist
        ).count()
        == 2
    )


def test_another_clinics_patient_answers_404(client, patient, therapist, stranger, activities):
    entry = odi(patient, 50, days=5, by=therapist)
    client.force_login(stranger)
    for method, url in staff_urls(patient, entry, activities[0]):
        assert getattr(client, method)(url).status_code == 404, url
    assert OutcomeEntry.objects.count() == 1
    assert PsfsActivity.objects.filter(retired_at__isnull=True).count() == 3


def test_a_colleague_in_the_clinic_may_record(client, patient, colleague):
    client.force_login(colleague)
    assert client.get(reverse("outcomes:staff-outcomes", args=[patient.pk])).status_code == 200


def test_patients_never_open_staff_pages(client, patient, therapist, activities):
    entry = odi(patient, 50, days=5, by=therapist)
    client.force_login(patient.user)
    for method, url in staff_urls(patient, entry, activities[0]):
        assert getattr(client, method)(url).status_code == 403, url


def test_the_staff_outcomes_page_query_count_does_not_grow(
    client, patient, therapist, activities, django_assert_max_num_queries
):
    add_history(patient, therapist, activities, ratings=2)
    entry = OutcomeEntry.objects.filter(measure="odi").last()
    client.force_login(therapist)
    urls = [
        reverse("outcomes:staff-outcomes", args=[patient.pk]),
        reverse("outcomes:entry-correct", args=[patient.pk, entry.pk]),
        reverse("insights:patient-detail", args=[patient.pk]),
    ]
    small = []
    for url in urls:
        with django_assert_max_num_queries(50) as counted:
            assert client.get(url).status_code == 200
        small.append(len(counted.captured_queries))
    add_history(patient, therapist, activities, ratings=10)
    for url, count in zip(urls, small, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


# The patient


def test_the_patient_names_and_rates_their_activities(client, patient):
    client.force_login(patient.user)
    page = client.get(reverse("outcomes:my-outcomes"))
    assert "Name 3 to 5 everyday activities" in page.text
    response = client.post(
        reverse("outcomes:my-activities-add"),
        {f"name_{n}": name for n, name in enumerate(ACTIVITY_NAMES, start=1)},
    )
    assert response.url == reverse("outcomes:psfs-rate")
    today = client.get(reverse("patients:today")).text
    assert "Rate your activities" in today
    activities = list(PsfsActivity.objects.all())
    form = client.get(reverse("outcomes:psfs-rate")).text
    assert all(activity.name in form for activity in activities)
    refused = client.post(
        reverse("outcomes:psfs-rate"),
        {f"activity_{activities[0].pk}": "4", f"activity_{activities[1].pk}": "11"},
    )
    assert "Choose a whole number from 0 (unable) to 10 (able as before)." in refused.text
    assert not OutcomeEntry.objects.exists()
    done = client.post(
        reverse("outcomes:psfs-rate"),
        {f"activity_{activity.pk}": "4" for activity in activities},
    )
    assert done.status_code == 302
    entry = OutcomeEntry.objects.get()
    assert (entry.source, entry.recorded_by) == ("patient", patient.user)
    assert "Rate your activities" not in client.get(reverse("patients:today")).text


def test_a_patient_sees_only_their_own(client, patient, therapist, activities):
    rate(patient, activities, [1, 2, 3], days=3)
    other = PatientWithAccountFactory(primary_therapist=therapist)
    client.force_login(other.user)
    page = client.get(reverse("outcomes:my-outcomes")).text
    assert "Carrying the shopping" not in page
    assert client.get(reverse("outcomes:psfs-rate")).status_code == 302


def test_the_patient_pages_query_count_does_not_grow(
    client, patient, therapist, activities, django_assert_max_num_queries
):
    add_history(patient, therapist, activities, ratings=2)
    client.force_login(patient.user)
    urls = [
        reverse("outcomes:my-outcomes"),
        reverse("outcomes:psfs-rate"),
        reverse("patients:today"),
    ]
    small = []
    for url in urls:
        with django_assert_max_num_queries(40) as counted:
            assert client.get(url).status_code == 200
        small.append(len(counted.captured_queries))
    add_history(patient, therapist, activities, ratings=10)
    services.psfs_activities_add(patient=patient, names=["Driving"], by=therapist)
    for url, count in zip(urls, small, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


def test_the_patient_sees_each_score_over_time_beside_their_sessions(
    client, patient, therapist, activities
):
    add_history(patient, therapist, activities, ratings=3)
    client.force_login(patient.user)
    page = client.get(reverse("outcomes:my-outcomes")).text
    assert "Your activities score" in page
    assert page.count('<svg class="chart-svg"') == 2  # PSFS and ODI, each with its weeks
    assert "Sessions done each week" in page
    # PSFS 3 → 3.7 and ODI 60 → 58: changes under the important ones.
    assert page.count("About the same as at your first score.") == 2
    history = client.get(reverse("patients:history")).text
    assert reverse("outcomes:my-outcomes") in history
