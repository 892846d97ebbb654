import datetime

from django.urls import reverse
from django.utils import timezone

from tests.patients.factories import PatientWithAccountFactory, SessionLogFactory
from tests.prescriptions.factories import PlanFactory, PlanItemFactory


def test_today_lists_the_active_plan_with_exercises_and_dose(client, therapist):
    patient = PatientWithAccountFactory(primary_therapist=therapist)
    plan = PlanFactory(prescribed_by=therapist, patient=patient, times_per_day=2)
    PlanItemFactory(plan=plan, exercise__name="Knee-to-chest stretch", hold_seconds=30)
    PlanItemFactory(plan=plan, exercise__name="Prone press-up", hold_seconds=30)
    client.force_login(patient.user)
    page = client.get(reverse("patients:today")).text
    assert "Back spasm relief" in page
    assert "Knee-to-chest stretch" in page and "Prone press-up" in page
    assert "Hold 30 seconds, 3 times" in page
    assert "Twice a day, every day" in page
    assert "Session 1 of 2 today" in page
    assert page.count(f'href="{reverse("patients:session-log", args=[plan.pk])}"') == 1


def test_today_ignores_other_patients_and_ended_plans(client, therapist):
    patient = PatientWithAccountFactory(primary_therapist=therapist)
    other = PatientWithAccountFactory(primary_therapist=therapist)
    PlanItemFactory(plan=PlanFactory(patient=other, prescribed_by=therapist, title="Not yours"))
    ended = PlanFactory(
        patient=patient,
        prescribed_by=therapist,
        title="Finished plan",
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2020, 2, 1),
    )
    PlanItemFactory(plan=ended)
    client.force_login(patient.user)
    page = client.get(reverse("patients:today")).text
    assert "Not yours" not in page
    assert "Finished plan" not in page
    assert "no active exercise plan" in page


def test_today_counts_sessions_already_logged(client, therapist):
    patient = PatientWithAccountFactory(primary_therapist=therapist)
    plan = PlanFactory(prescribed_by=therapist, patient=patient, times_per_day=2)
    PlanItemFactory(plan=plan)
    SessionLogFactory(plan=plan, performed_at=timezone.now())
    client.force_login(patient.user)
    page = client.get(reverse("patients:today")).text
    assert "Session 2 of 2 today" in page and "Start session 2" in page
    SessionLogFactory(plan=plan, performed_at=timezone.now())
    page = client.get(reverse("patients:today")).text
    assert "All 2 sessions are done today" in page and "Log an extra session" in page


def test_advice_every_exercise_shares_shows_once_beside_the_safety_rule(client, therapist):
    patient = PatientWithAccountFactory(primary_therapist=therapist)
    plan = PlanFactory(prescribed_by=therapist, patient=patient)
    stop = "Stop at once if the exercise causes sharp or increasing pain."
    PlanItemFactory(plan=plan, exercise__cautions=f"{stop}\nKeep your hips down.")
    PlanItemFactory(plan=plan, exercise__cautions=f"Keep the movement small.\n{stop}")
    client.force_login(patient.user)
    page = client.get(reverse("patients:today")).text
    assert page.count(stop) == 1
    assert page.count("Stop if it hurts, and tell your therapist.") == 1
    assert "Keep your hips down." in page and "Keep the movement small." in page


def test_today_query_count_does_not_grow_with_plans_and_items(
    client, therapist, django_assert_max_num_queries
):
    patient = PatientWithAccountFactory(primary_therapist=therapist)
    PlanItemFactory(plan=PlanFactory(patient=patient, prescribed_by=therapist))
    client.force_login(patient.user)
    with django_assert_max_num_queries(10) as small:
        client.get(reverse("patients:today"))
    for _ in range(3):
        plan = PlanFactory(patient=patient, prescribed_by=therapist)
        PlanItemFactory.create_batch(4, plan=plan)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("patients:today"))


def test_staff_pages_refuse_patients_and_patient_pages_refuse_staff(client, therapist):
    patient = PatientWithAccountFactory(primary_therapist=therapist)
    client.force_login(patient.user)
    assert client.get(reverse("insights:caseload")).status_code == 403
    client.force_login(therapist)
    assert client.get(reverse("patients:today")).status_code == 403
