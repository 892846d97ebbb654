"""The admin refuses what the models refuse, shows the same message, and saves nothing. (A
patient's plans and pain reports are read-only there: tests/clinics/test_admin_site.py.)"""

import pytest
from django import forms
from django.urls import reverse

from clinics.models import User
from exercises.models import Exercise, ExerciseStep
from prescriptions.models import PlanTemplate
from tests.clinics.factories import ClinicFactory, two_factor_turn_on
from tests.exercises.factories import ExerciseFactory


@pytest.fixture
def superuser(db):
    root = User.objects.create_superuser(
        "root@example.com", "a long enough passphrase", full_name="Site Admin"
    )
    two_factor_turn_on(root)  # superusers must, or every page sends them to set it up
    return root


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _widget_data(name, widget, value):
    if isinstance(widget, forms.MultiWidget):
        parts = value if isinstance(value, list) else widget.decompress(value)
        data = {}
        for suffix, subwidget, part in zip(
            widget.widgets_names, widget.widgets, parts, strict=True
        ):
            data.update(_widget_data(name + suffix, subwidget, part))
        return data
    if isinstance(widget, forms.CheckboxInput):
        return {name: "on"} if value else {}
    if isinstance(widget, forms.ClearableFileInput):
        return {}
    if value is None:
        return {name: ""}
    if isinstance(value, list | tuple):
        return {name: [str(v) for v in value]}
    return {name: widget.format_value(value) or ""}


def _form_data(form):
    data = {}
    for bound in form:
        data.update(_widget_data(bound.html_name, bound.field.widget, bound.value()))
    return data


def form_data(response):
    """What the admin page's form would post back unchanged: the model form, every inline
    formset's management form and rows."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for inline_form in formset.forms:
            data.update(_form_data(inline_form))
    return data


def test_the_exercise_add_form_refuses_too_many_sets(admin_client):
    url = reverse("admin:exercises_exercise_add")
    data = form_data(admin_client.get(url))
    data.update(
        {
            "name_en": "Knee-to-chest stretch",
            "slug": "knee-to-chest",
            "body_region": "lower_back",
            "kind": "stretch",
            "default_sets": "11",
            "default_repetitions": "3",
            "default_hold_seconds": "30",
            "default_rest_seconds": "10",
            "steps-0-position": "1",
            "steps-0-text_en": "Lie on your back.",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Sets must be a whole number from 1 to 10." in response.text
    assert not Exercise.objects.exists()
    assert not ExerciseStep.objects.exists()

    data["default_sets"] = "10"
    assert admin_client.post(url, data).status_code == 302
    assert Exercise.objects.get().default_sets == 10
    assert ExerciseStep.objects.get().text == "Lie on your back."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("default_sets", "0", "Sets must be a whole number from 1 to 10."),
        ("default_repetitions", "51", "Repetitions must be a whole number from 1 to 50."),
        ("default_hold_seconds", "301", "Hold (seconds) must be a whole number from 0 to 300."),
        ("default_rest_seconds", "301", "Rest (seconds) must be a whole number from 0 to 300."),
        ("default_sets", "-1", "Sets must be a whole number from 1 to 10."),
        ("default_rest_seconds", "-1", "Rest (seconds) must be a whole number from 0 to 300."),
        ("name_en", "", "This field is required."),
    ],
)
def test_the_exercise_change_form_refuses_and_changes_nothing(admin_client, field, value, message):
    exercise = ExerciseFactory(name="Prone press-up", default_sets=1, default_repetitions=3)
    url = reverse("admin:exercises_exercise_change", args=[exercise.pk])
    data = form_data(admin_client.get(url))
    original = data[field]
    data.update({"summary_en": "Changed in the same post.", field: value})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert message in response.text
    exercise.refresh_from_db()
    assert exercise.summary == "A gentle stretch."
    assert (exercise.name, exercise.default_sets, exercise.default_repetitions) == (
        "Prone press-up",
        1,
        3,
    )

    data[field] = original
    assert admin_client.post(url, data).status_code == 302  # the rest of the post was valid
    exercise.refresh_from_db()
    assert exercise.summary == "Changed in the same post."


def test_a_template_doing_too_many_sessions_a_day_is_refused_in_the_admin(admin_client):
    url = reverse("admin:prescriptions_plantemplate_add")
    data = form_data(admin_client.get(url))
    data.update(
        {"name": "Back care", "slug": "back-care", "times_per_day": "7", "weekdays": ["0", "3"]}
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Times per day must be a whole number from 1 to 6." in response.text
    assert not PlanTemplate.objects.exists()

    data["times_per_day"] = "6"
    assert admin_client.post(url, data).status_code == 302
    assert PlanTemplate.objects.get().times_per_day == 6


def test_a_clinic_alert_threshold_off_the_scale_is_refused_with_the_range(admin_client):
    clinic = ClinicFactory()
    url = reverse("admin:clinics_clinic_change", args=[clinic.pk])
    data = form_data(admin_client.get(url))
    data["alert_pain_at_or_above"] = "11"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    clinic.refresh_from_db()
    assert clinic.alert_pain_at_or_above == 7
    assert "The pain alert threshold must be a whole number from 1 to 10." in response.text


def test_a_clinic_alert_threshold_at_the_limit_is_saved_in_the_admin(admin_client):
    clinic = ClinicFactory()
    url = reverse("admin:clinics_clinic_change", args=[clinic.pk])
    data = form_data(admin_client.get(url))
    data["alert_pain_at_or_above"] = "10"
    assert admin_client.post(url, data).status_code == 302
    clinic.refresh_from_db()
    assert clinic.alert_pain_at_or_above == 10
