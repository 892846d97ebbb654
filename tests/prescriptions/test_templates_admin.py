import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from prescriptions import schedule
from prescriptions.models import PlanTemplate
from prescriptions.services import (
    ItemInput,
    plan_create,
    template_archive,
    template_create,
    template_restore,
    template_update,
)
from tests.clinics.factories import ClinicAdminFactory
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PatientFactory
from tests.prescriptions.factories import (
    PlanTemplateFactory,
    PlanTemplateItemFactory,
    builder_post,
)


@pytest.fixture
def template(clinic_admin, knee, press):
    return template_create(
        clinic=clinic_admin.clinic,
        created_by=clinic_admin,
        name="Back spasm relief",
        description="Go slowly.",
        times_per_day=2,
        weekdays=schedule.EVERY_DAY,
        items=[ItemInput.from_exercise(knee), ItemInput.from_exercise(press, hold_seconds=20)],
    )


@pytest.fixture
def shared_template(knee):
    shared = PlanTemplateFactory(clinic=None, name="Shared back routine", slug="shared-back")
    PlanTemplateItemFactory(template=shared, exercise=knee)
    return shared


def builder_data(items, **overrides):
    """The template builder's POST body: its fields, then one row per exercise and dose."""
    fields = {
        "name": "Neck routine",
        "description": "",
        "times_per_day": "1",
        "weekdays": [str(day) for day in range(5)],
    }
    return builder_post(fields, items, **overrides)


def plan_started_from(template, therapist):
    patient = PatientFactory(primary_therapist=therapist)
    return plan_create(
        patient=patient,
        prescribed_by=therapist,
        title=template.name,
        start_date=patient.clinic.today(),
        items=[ItemInput.copy_of(item) for item in template.items.all()],
        template=template,
    )


def url(name, *args):
    return reverse(f"prescriptions:{name}", args=args)


def test_an_admin_creates_a_template_with_its_exercises_and_dose(client, clinic_admin, knee, press):
    client.force_login(clinic_admin)
    data = builder_data(
        [{"exercise": str(press.pk), "repetitions": "5"}, {"exercise": str(knee.pk)}],
        description="Twice a day if you can.",
    )
    response = client.post(url("template-add"), data)

    template = PlanTemplate.objects.get(name="Neck routine")
    assert response.status_code == 302
    assert response.url == url("template-detail", template.pk)
    assert (template.clinic, template.created_by, template.slug) == (
        clinic_admin.clinic,
        clinic_admin,
        "neck-routine",
    )
    assert template.weekdays == schedule.WEEKDAYS_ONLY
    assert template.description == "Twice a day if you can."
    items = list(template.items.order_by("position"))
    assert [(i.exercise, i.repetitions, i.hold_seconds) for i in items] == [
        (press, 5, 30),
        (knee, 3, 30),
    ]
    page = client.get(response.url).text
    assert "Hold 30 seconds, 5 times, rest 10 seconds between, once a day, Monday to Friday" in page


def test_a_dose_outside_its_limit_is_refused_with_the_limits_message(client, clinic_admin, knee):
    client.force_login(clinic_admin)
    response = client.post(
        url("template-add"), builder_data([{"exercise": str(knee.pk), "sets": "11"}])
    )
    assert response.status_code == 200
    assert "Sets must be a whole number from 1 to 10." in response.text
    assert "The template was not saved." in response.text
    assert not PlanTemplate.objects.exists()

    with pytest.raises(ValidationError) as refused:
        template_create(
            clinic=clinic_admin.clinic,
            created_by=clinic_admin,
            name="Too much",
            items=[ItemInput.from_exercise(knee, hold_seconds=301)],
        )
    assert refused.value.messages == [
        "Knee-to-chest stretch: Hold (seconds) must be a whole number from 0 to 300."
    ]
    assert not PlanTemplate.objects.exists()


def test_a_template_needs_a_name_a_day_and_an_exercise(client, clinic_admin, knee):
    client.force_login(clinic_admin)
    page = client.post(url("template-add"), builder_data([])).text
    assert "Add at least one exercise to the template." in page
    page = client.post(
        url("template-add"), builder_data([{"exercise": str(knee.pk)}], name="", weekdays=[])
    ).text
    assert "This field is required." in page
    assert "Choose at least one day of the week." in page
    assert not PlanTemplate.objects.exists()


def test_adding_an_exercise_keeps_what_was_typed_and_saves_nothing(
    client, clinic_admin, knee, press
):
    client.force_login(clinic_admin)
    data = builder_data(
        [{"exercise": str(knee.pk), "hold_seconds": "45"}],
        name="Typed name",
        action=f"add:{press.pk}",
    )
    page = client.post(url("template-add"), data).text
    assert 'value="Typed name"' in page and 'value="45"' in page
    assert page.index("Remove Knee-to-chest stretch") < page.index("Remove Prone press-up")
    assert not PlanTemplate.objects.exists()


def test_an_admin_edits_a_template_and_plans_started_from_it_are_unchanged(
    client, clinic_admin, therapist, template, knee, press
):
    plan = plan_started_from(template, therapist)
    client.force_login(clinic_admin)
    page = client.get(url("template-edit", template.pk)).text
    assert 'value="Back spasm relief"' in page and "Remove Prone press-up" in page

    data = builder_data(
        [{"exercise": str(knee.pk), "sets": "2"}], name="Back spasm relief (gentle)"
    )
    response = client.post(url("template-edit", template.pk), data)

    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.slug) == ("Back spasm relief (gentle)", "back-spasm-relief")
    assert [(i.exercise, i.sets) for i in template.items.all()] == [(knee, 2)]
    assert [(i.exercise, i.sets) for i in plan.items.order_by("position")] == [
        (knee, 1),
        (press, 1),
    ]


def test_an_archived_exercise_already_in_a_template_may_stay_but_not_be_added(
    clinic_admin, template, knee, press
):
    def exercises_set_to(exercise):
        template_update(
            template=template,
            changed_by=clinic_admin,
            name=template.name,
            times_per_day=1,
            weekdays=schedule.EVERY_DAY,
            items=[ItemInput.from_exercise(exercise)],
        )

    own = ExerciseFactory(clinic=clinic_admin.clinic, name="Old stretch", is_archived=True)
    with pytest.raises(ValidationError, match="Archived exercises cannot be added: Old stretch"):
        exercises_set_to(own)
    press.is_archived = True
    press.save()
    exercises_set_to(press)
    assert [item.exercise for item in template.items.all()] == [press]


def test_archiving_takes_a_template_out_of_the_builders_chooser(
    client, clinic_admin, therapist, template
):
    plan = plan_started_from(template, therapist)
    patient = plan.patient
    builder_url = reverse("patients:plan-create", args=[patient.pk])
    client.force_login(therapist)
    assert f'<option value="{template.pk}"' in client.get(builder_url).text

    client.force_login(clinic_admin)
    response = client.post(url("template-archive", template.pk))
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.is_archived

    client.force_login(therapist)
    assert f'<option value="{template.pk}"' not in client.get(builder_url).text
    assert client.get(builder_url, {"template": template.pk}).status_code == 404
    assert template.name not in client.get(url("template-list")).text
    plan.refresh_from_db()
    assert plan.template == template and plan.items.count() == 2
    assert "from template “Back spasm relief”" in client.get(url("plan-detail", plan.pk)).text

    client.force_login(clinic_admin)
    client.post(url("template-restore", template.pk))
    client.force_login(therapist)
    assert f'<option value="{template.pk}"' in client.get(builder_url).text


def test_shared_templates_cannot_be_changed(client, clinic_admin, shared_template, knee):
    client.force_login(clinic_admin)
    assert client.get(url("template-detail", shared_template.pk)).status_code == 200
    assert client.get(url("template-edit", shared_template.pk)).status_code == 403
    data = builder_data([{"exercise": str(knee.pk)}], name="Hijacked")
    assert client.post(url("template-edit", shared_template.pk), data).status_code == 403
    assert client.post(url("template-archive", shared_template.pk)).status_code == 403
    shared_template.refresh_from_db()
    assert (shared_template.name, shared_template.is_archived) == ("Shared back routine", False)
    with pytest.raises(ValidationError, match="Shared templates cannot be changed"):
        template_archive(template=shared_template, archived_by=clinic_admin)
    with pytest.raises(ValidationError, match="Shared templates cannot be changed"):
        template_update(
            template=shared_template,
            changed_by=clinic_admin,
            name="Hijacked",
            times_per_day=1,
            weekdays=schedule.EVERY_DAY,
            items=[ItemInput.from_exercise(knee)],
        )


def test_another_clinics_template_answers_404(client, clinic_admin, other_clinic, knee):
    theirs = PlanTemplateFactory(clinic=other_clinic, name="Their routine")
    PlanTemplateItemFactory(template=theirs, exercise=knee)
    client.force_login(clinic_admin)
    for name in ("template-detail", "template-edit"):
        assert client.get(url(name, theirs.pk)).status_code == 404
    for name in ("template-archive", "template-restore"):
        assert client.post(url(name, theirs.pk)).status_code == 404
    assert client.get(url("template-detail", 999999)).status_code == 404
    assert "Their routine" not in client.get(url("template-list")).text
    theirs.refresh_from_db()
    assert not theirs.is_archived


def test_only_an_admin_of_the_clinic_may_change_its_templates(
    clinic_admin, therapist, other_clinic, template, knee
):
    stranger_admin = ClinicAdminFactory(clinic=other_clinic)
    for user in (therapist, stranger_admin):
        with pytest.raises(ValidationError, match="Only an admin of the template's clinic"):
            template_archive(template=template, archived_by=user)
        with pytest.raises(ValidationError, match="Only an admin of the template's clinic"):
            template_create(
                clinic=clinic_admin.clinic,
                created_by=user,
                name="Not mine",
                items=[ItemInput.from_exercise(knee)],
            )
    theirs = ExerciseFactory(clinic=other_clinic, name="Their stretch")
    with pytest.raises(ValidationError, match="Not in your clinic's catalog: Their stretch"):
        template_create(
            clinic=clinic_admin.clinic,
            created_by=clinic_admin,
            name="Borrowed",
            items=[ItemInput.from_exercise(theirs)],
        )
    template.refresh_from_db()
    assert not template.is_archived
    assert PlanTemplate.objects.count() == 1


def test_therapists_see_templates_read_only(client, therapist, clinic_admin, template, knee):
    archived = template_create(
        clinic=clinic_admin.clinic,
        created_by=clinic_admin,
        name="Retired routine",
        items=[ItemInput.from_exercise(knee)],
    )
    template_archive(template=archived, archived_by=clinic_admin)
    client.force_login(therapist)
    page = client.get(url("template-list")).text
    assert "Back spasm relief" in page and "Retired routine" not in page
    assert url("template-add") not in page
    detail = client.get(url("template-detail", template.pk)).text
    assert url("template-edit", template.pk) not in detail
    assert client.get(url("template-detail", archived.pk)).status_code == 404
    assert client.get(url("template-add")).status_code == 403
    assert client.get(url("template-edit", template.pk)).status_code == 403
    assert client.post(url("template-archive", template.pk)).status_code == 403
    template.refresh_from_db()
    assert not template.is_archived


def test_admins_see_archived_templates_and_restore_them(client, clinic_admin, template):
    template_archive(template=template, archived_by=clinic_admin)
    client.force_login(clinic_admin)
    page = client.get(url("template-list")).text
    assert "Archived" in page and "Back spasm relief" in page
    assert (
        url("template-restore", template.pk) in client.get(url("template-detail", template.pk)).text
    )
    template_restore(template=template, restored_by=clinic_admin)
    template.refresh_from_db()
    assert not template.is_archived


def test_patients_are_refused_and_visitors_sent_to_sign_in(client, patient, template):
    client.force_login(patient.user)
    assert client.get(url("template-list")).status_code == 403
    assert client.get(url("template-detail", template.pk)).status_code == 403
    assert client.post(url("template-archive", template.pk)).status_code == 403
    client.logout()
    response = client.get(url("template-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("clinics:login"))


def test_admins_find_templates_in_the_navigation(client, clinic_admin, therapist):
    client.force_login(clinic_admin)
    assert f'href="{url("template-list")}"' in client.get(url("template-list")).text


def test_template_list_queries_do_not_grow_with_the_number_of_templates(
    client, clinic_admin, shared_template, knee, press, django_assert_max_num_queries
):
    def add_templates(count):
        for n in range(count):
            template_create(
                clinic=clinic_admin.clinic,
                created_by=clinic_admin,
                name=f"Routine {n}",
                items=[ItemInput.from_exercise(knee), ItemInput.from_exercise(press)],
            )

    add_templates(2)
    client.force_login(clinic_admin)
    with django_assert_max_num_queries(8) as small:
        response = client.get(url("template-list"))
    assert response.status_code == 200
    add_templates(15)
    archived = PlanTemplate.objects.filter(clinic=clinic_admin.clinic).first()
    template_archive(template=archived, archived_by=clinic_admin)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("template-list"))
    assert response.text.count(url("template-detail", shared_template.pk)) == 1
