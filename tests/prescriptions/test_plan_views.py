import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from prescriptions.models import Plan, PlanRevision, PlanStatus, PlanTemplate
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PatientFactory
from tests.prescriptions.factories import (
    PlanTemplateFactory,
    PlanTemplateItemFactory,
    builder_post,
    prescribe,
)


@pytest.fixture
def owned_patient(therapist):
    return PatientFactory(primary_therapist=therapist, first_name="Pat", last_name="Smith")


def plan_data(items, **overrides):
    """The builder's POST body: plan fields, then one row per (exercise, dose) in order."""
    fields = {
        "title": "Back spasm relief",
        "start_date": (timezone.localdate() - datetime.timedelta(days=12)).isoformat(),
        "end_date": "",
        "times_per_day": "2",
        "weekdays": [str(day) for day in range(7)],
        "notes": "",
        "version": "",
        "template": "",
    }
    return builder_post(fields, items, **overrides)


def create_url(patient):
    return reverse("patients:plan-create", args=[patient.pk])


def test_builder_prescribes_a_plan_with_the_dose_typed(
    client, therapist, owned_patient, knee, press
):
    client.force_login(therapist)
    data = plan_data(
        [{"exercise": str(knee.pk)}, {"exercise": str(press.pk), "hold_seconds": "20"}]
    )
    response = client.post(create_url(owned_patient), data)
    plan = Plan.objects.get(patient=owned_patient)
    assert response.status_code == 302
    assert response.url == reverse("prescriptions:plan-detail", args=[plan.pk]) + "?saved=1"
    assert plan.times_per_day == 2 and plan.prescribed_by == therapist
    items = list(plan.items.order_by("position"))
    assert [(i.exercise, i.hold_seconds, i.repetitions) for i in items] == [
        (knee, 30, 3),
        (press, 20, 3),
    ]
    page = client.get(response.url).text
    assert "Hold 30 seconds, 3 times, rest 10 seconds between, twice a day, every day" in page


def test_adding_moving_and_removing_keeps_everything_typed_and_saves_nothing(
    client, therapist, owned_patient, knee, press
):
    client.force_login(therapist)
    data = plan_data([{"exercise": str(knee.pk), "hold_seconds": "45"}], title="Typed title")
    data["action"] = f"add:{press.pk}"
    page = client.post(create_url(owned_patient), data).text
    assert Plan.objects.count() == 0
    assert 'value="Typed title"' in page
    assert 'value="45"' in page
    assert "Remove Prone press-up" in page
    assert page.index("Remove Knee-to-chest stretch") < page.index("Remove Prone press-up")

    moved = plan_data(
        [{"exercise": str(knee.pk), "hold_seconds": "45"}, {"exercise": str(press.pk)}],
        action="up:1",
    )
    page = client.post(create_url(owned_patient), moved).text
    assert page.index("Remove Prone press-up") < page.index("Remove Knee-to-chest stretch")

    removed = plan_data(
        [{"exercise": str(knee.pk)}, {"exercise": str(press.pk)}], action="remove:0"
    )
    page = client.post(create_url(owned_patient), removed).text
    assert "Remove Knee-to-chest stretch" not in page and "Remove Prone press-up" in page
    assert Plan.objects.count() == 0


def test_search_without_javascript_lists_catalog_matches_with_add_buttons(
    client, therapist, owned_patient, knee
):
    client.force_login(therapist)
    data = plan_data([], action="search", q="knee")
    page = client.post(create_url(owned_patient), data).text
    assert f'value="add:{knee.pk}"' in page
    htmx = client.get(reverse("prescriptions:exercise-search"), {"q": "knee"}).text
    assert f'value="add:{knee.pk}"' in htmx and "<form" not in htmx


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sets", "11", "Sets must be a whole number from 1 to 10."),
        ("repetitions", "51", "Repetitions must be a whole number from 1 to 50."),
        ("hold_seconds", "301", "Hold (seconds) must be a whole number from 0 to 300."),
        ("rest_seconds", "-1", "Rest (seconds) must be a whole number from 0 to 300."),
        ("sets", "lots", "Sets must be a whole number from 1 to 10."),
    ],
)
def test_each_dose_limit_is_refused_with_what_is_allowed(
    client, therapist, owned_patient, knee, field, value, message
):
    client.force_login(therapist)
    data = plan_data([{"exercise": str(knee.pk), field: value}], title="Kept title")
    response = client.post(create_url(owned_patient), data)
    assert response.status_code == 200
    assert message in response.text
    assert 'value="Kept title"' in response.text
    assert f'value="{value}"' in response.text
    assert Plan.objects.count() == 0


def test_a_plan_with_no_exercises_or_no_weekday_is_refused(client, therapist, owned_patient, knee):
    client.force_login(therapist)
    page = client.post(create_url(owned_patient), plan_data([])).text
    assert "Add at least one exercise to the plan." in page
    page = client.post(
        create_url(owned_patient), plan_data([{"exercise": str(knee.pk)}], weekdays=[])
    ).text
    assert "Choose at least one day of the week." in page
    page = client.post(
        create_url(owned_patient), plan_data([{"exercise": str(knee.pk)}], times_per_day="7")
    ).text
    assert "Times per day must be a whole number from 1 to 6." in page
    assert Plan.objects.count() == 0


def test_warnings_show_but_do_not_block(client, therapist, owned_patient, knee):
    client.force_login(therapist)
    data = plan_data(
        [{"exercise": str(knee.pk), "hold_seconds": "15", "repetitions": "2"}],
        weekdays=["0"],
        action="refresh",
    )
    page = client.post(create_url(owned_patient), data).text
    assert "Hold × repetitions is 30 s, under the 60 s usually advised for a static stretch" in page
    assert "Scheduled on 1 day a week, under the 2–3 days usually advised" in page
    assert "Contraindication to screen for (as the patient reads it)" in page
    assert "ask your therapist before this stretch" in page  # quoted as what the patient reads
    data["action"] = "save"
    response = client.post(create_url(owned_patient), data)
    assert response.status_code == 302
    # The plan page shows the same warnings in the same therapist's words.
    page = client.get(response.url).text
    assert "Hold × repetitions is 30 s, under the 60 s usually advised" in page
    assert "Contraindication to screen for (as the patient reads it)" in page


def test_another_clinics_exercise_cannot_be_slipped_in(
    client, therapist, owned_patient, other_clinic
):
    theirs = ExerciseFactory(clinic=other_clinic)
    client.force_login(therapist)
    page = client.post(create_url(owned_patient), plan_data([{"exercise": str(theirs.pk)}])).text
    assert "not in your clinic" in page
    assert Plan.objects.count() == 0


def test_starting_from_a_template_prefills_schedule_and_items(
    client, therapist, owned_patient, knee, press
):
    template = PlanTemplateFactory(clinic=None, name="Back spasm relief", times_per_day=2)
    PlanTemplateItemFactory(template=template, exercise=knee, position=1, hold_seconds=25)
    PlanTemplateItemFactory(template=template, exercise=press, position=2)
    client.force_login(therapist)
    page = client.get(create_url(owned_patient), {"template": template.pk}).text
    assert 'value="25"' in page
    assert page.index("Remove Knee-to-chest stretch") < page.index("Remove Prone press-up")
    other = PlanTemplateFactory(clinic=PatientFactory().clinic)
    assert client.get(create_url(owned_patient), {"template": other.pk}).status_code == 404


def edit_data(plan, **overrides):
    items = [
        {"item_id": str(item.pk), "exercise": str(item.exercise_id), "hold_seconds": "30"}
        for item in plan.items.order_by("position")
    ]
    data = plan_data(items, version=str(plan.version), start_date=plan.start_date.isoformat())
    data.update(overrides)
    return data


def test_editing_makes_a_revision_saying_what_changed(
    client, therapist, owned_patient, knee, press
):
    plan = prescribe(owned_patient, therapist, knee, press)
    client.force_login(therapist)
    data = edit_data(plan)
    data["items-0-hold_seconds"] = "45"
    response = client.post(reverse("prescriptions:plan-edit", args=[plan.pk]), data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.version == 2
    revision = PlanRevision.objects.get(plan=plan, number=2)
    assert "Knee-to-chest stretch: Hold 30 seconds, 3 times" in revision.summary
    assert "Hold 45 seconds" in revision.summary
    assert "Schedule changed from once a day, every day to twice a day, every day" in (
        revision.summary
    )
    page = client.get(reverse("prescriptions:plan-detail", args=[plan.pk])).text
    assert "Hold 45 seconds" in page and "Revision 2" in page


def test_the_second_of_two_concurrent_edits_is_refused_and_keeps_its_input(
    client, therapist, colleague, owned_patient, knee
):
    plan = prescribe(owned_patient, therapist, knee)
    stale = edit_data(plan)
    client.force_login(colleague)
    first = edit_data(plan, times_per_day="3")
    assert client.post(reverse("prescriptions:plan-edit", args=[plan.pk]), first).status_code == 302
    client.force_login(therapist)
    stale["items-0-hold_seconds"] = "60"
    stale["title"] = "My version"
    response = client.post(reverse("prescriptions:plan-edit", args=[plan.pk]), stale)
    assert response.status_code == 200
    assert "Cal Colleague changed this plan while you had it open" in response.text
    assert 'value="My version"' in response.text and 'value="60"' in response.text
    plan.refresh_from_db()
    assert plan.times_per_day == 3 and plan.title == "Back spasm relief"
    assert plan.items.get().hold_seconds == 30


def test_pause_resume_and_discontinue_from_the_plan_page(client, therapist, owned_patient, knee):
    plan = prescribe(owned_patient, therapist, knee)
    client.force_login(therapist)
    url = reverse("prescriptions:plan-status", args=[plan.pk])
    client.post(url, {"action": "pause", "version": plan.version})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PAUSED
    client.post(url, {"action": "resume", "version": plan.version})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    client.post(url, {"action": "discontinue", "version": plan.version})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DISCONTINUED
    response = client.get(reverse("prescriptions:plan-edit", args=[plan.pk]))
    assert response.status_code == 302
    assert client.get(url).status_code == 405


def test_save_as_clinic_template(client, therapist, owned_patient, knee, press):
    plan = prescribe(owned_patient, therapist, knee, press)
    client.force_login(therapist)
    client.post(
        reverse("prescriptions:plan-save-template", args=[plan.pk]), {"name": "Our back plan"}
    )
    template = PlanTemplate.objects.get(name="Our back plan")
    assert template.clinic == therapist.clinic
    assert [i.exercise for i in template.items.order_by("position")] == [knee, press]


def test_plan_pages_are_scoped_to_the_clinic(
    client, therapist, colleague, stranger, owned_patient, knee, patient
):
    plan = prescribe(owned_patient, therapist, knee)
    urls = [
        reverse("prescriptions:plan-detail", args=[plan.pk]),
        reverse("prescriptions:plan-edit", args=[plan.pk]),
        create_url(owned_patient),
    ]
    client.force_login(colleague)
    assert all(client.get(url).status_code == 200 for url in urls)
    client.force_login(stranger)
    assert all(client.get(url).status_code == 404 for url in urls)
    for action_url in (
        reverse("prescriptions:plan-status", args=[plan.pk]),
        reverse("prescriptions:plan-save-template", args=[plan.pk]),
    ):
        assert client.post(action_url, {"action": "pause", "name": "x"}).status_code == 404
    assert (
        client.post(create_url(owned_patient), plan_data([{"exercise": str(knee.pk)}])).status_code
        == 404
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE and Plan.objects.count() == 1
    client.force_login(patient.user)
    assert all(client.get(url).status_code == 403 for url in urls)


def test_plan_page_query_count_does_not_grow_with_items_or_revisions(
    client, therapist, owned_patient, django_assert_max_num_queries
):
    small = prescribe(owned_patient, therapist, ExerciseFactory(clinic=therapist.clinic))
    client.force_login(therapist)
    with django_assert_max_num_queries(12) as measured:
        client.get(reverse("prescriptions:plan-detail", args=[small.pk]))
    exercises = ExerciseFactory.create_batch(8, clinic=therapist.clinic)
    big = prescribe(owned_patient, therapist, *exercises)
    for hold in (40, 50, 60):
        data = edit_data(big)
        data["items-0-hold_seconds"] = str(hold)
        client.post(reverse("prescriptions:plan-edit", args=[big.pk]), data)
        big.refresh_from_db()
    assert big.version == 4
    with django_assert_max_num_queries(len(measured.captured_queries)):
        client.get(reverse("prescriptions:plan-detail", args=[big.pk]))


def test_a_start_date_out_of_the_window_is_refused_at_the_field_keeping_what_was_typed(
    client, therapist, owned_patient, knee
):
    client.force_login(therapist)
    data = plan_data([{"exercise": str(knee.pk), "hold_seconds": "25"}], start_date="0202-12-06")

    response = client.post(create_url(owned_patient), data)

    assert response.status_code == 200
    page = response.text
    assert "Choose a start date between " in page
    assert 'value="0202-12-06"' in page and 'value="25"' in page
    assert not Plan.objects.exists()
