import datetime

import pytest
from django.utils import timezone

from clinics.models import AuditEvent
from prescriptions.models import PlanTemplate
from prescriptions.services import ItemInput, template_archive, template_create
from tests.exercises.factories import ExerciseFactory
from tests.prescriptions.factories import PlanTemplateFactory, PlanTemplateItemFactory

URL = "/api/v1/templates/"


def detail(template) -> str:
    return f"{URL}{template.pk}/"


@pytest.fixture
def knee(db):
    return ExerciseFactory(clinic=None, name="Knee-to-chest stretch", slug="knee-to-chest")


@pytest.fixture
def bridge(clinic):
    return ExerciseFactory(clinic=clinic, name="Bridge", kind="strengthening", default_sets=2)


@pytest.fixture
def own(clinic_admin, knee, bridge):
    return template_create(
        clinic=clinic_admin.clinic,
        created_by=clinic_admin,
        name="Low back, week one",
        weekdays=0b0010101,
        items=[ItemInput.from_exercise(knee), ItemInput.from_exercise(bridge, note="Slowly.")],
    )


@pytest.fixture
def shared(knee):
    template = PlanTemplateFactory(clinic=None, name="Shared neck routine")
    PlanTemplateItemFactory(template=template, exercise=knee)
    return template


@pytest.fixture
def foreign(other_clinic):
    return PlanTemplateItemFactory(template__clinic=other_clinic).template


def body(knee, bridge, **fields) -> dict:
    return {
        "name": "Hip, week two",
        "times_per_day": 2,
        "days_of_week": ["mon", "thu"],
        "items": [
            {"exercise": knee.pk, "sets": 2, "repetitions": 3, "hold_seconds": 30},
            {"exercise": bridge.pk, "sets": 3, "repetitions": 10, "side": "none"},
        ],
        **fields,
    }


def dose(item, **fields) -> dict:
    return {"sets": 1, "repetitions": 3, "hold_seconds": 0, "rest_seconds": 0, **item, **fields}


def test_the_list_holds_the_shared_templates_and_the_clinics_own_only(api, own, shared, foreign):
    response = api.get(URL)
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()["results"]}
    assert set(rows) == {"Low back, week one", "Shared neck routine"}
    assert rows["Shared neck routine"]["shared"] is True
    assert rows["Low back, week one"]["shared"] is False


def test_one_template_has_its_items_in_order_with_their_dose_and_days(api, own, knee, bridge):
    response = api.get(detail(own))
    assert response.status_code == 200
    template = response.json()
    assert template["days_of_week"] == ["mon", "wed", "fri"]
    assert [item["exercise"] for item in template["items"]] == [knee.pk, bridge.pk]
    first, second = template["items"]
    assert (first["sets"], first["repetitions"], first["hold_seconds"]) == (1, 3, 30)
    assert first["dose_text"] == "Hold 30 seconds, 3 times, rest 10 seconds between"
    assert (second["sets"], second["note"], second["position"]) == (2, "Slowly.", 2)
    assert "id" not in first


def test_the_list_filters_archived_templates(admin_api, clinic_admin, own, shared):
    template_archive(template=own, archived_by=clinic_admin)
    archived = admin_api.get(URL, {"archived": "true"}).json()["results"]
    current = admin_api.get(URL, {"archived": "false"}).json()["results"]
    assert [row["id"] for row in archived] == [own.pk]
    assert [row["id"] for row in current] == [shared.pk]
    assert admin_api.get(URL, {"archived": "maybe"}).status_code == 400


def test_updated_since_gives_the_templates_changed_since(api, own, shared):
    PlanTemplate.objects.filter(pk=shared.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=3)
    )
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    response = api.get(URL, {"updated_since": since})
    assert [row["id"] for row in response.json()["results"]] == [own.pk]


def test_reading_templates_leaves_no_audit_row(api, own):
    before = AuditEvent.objects.count()
    api.get(URL)
    api.get(detail(own))
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_asks_the_same_number_of_queries_for_2_or_12_templates(
    api, clinic, django_assert_max_num_queries, count
):
    for _ in range(count):
        PlanTemplateItemFactory.create_batch(2, template=PlanTemplateFactory(clinic=clinic))
    # The key (with its clinic and staff member), its last use, the page, the items: measured.
    with django_assert_max_num_queries(4):
        response = api.get(URL)
    assert len(response.json()["results"]) == count
    assert all(len(row["items"]) == 2 for row in response.json()["results"])


# Writes --------------------------------------------------------------------------------------


def test_an_admin_key_adds_a_template_through_the_service(admin_api, clinic, knee, bridge):
    response = admin_api.post(URL, body(knee, bridge))
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["days_of_week"] == ["mon", "thu"] and created["times_per_day"] == 2
    assert [item["position"] for item in created["items"]] == [1, 2]
    template = PlanTemplate.objects.get(pk=created["id"])
    assert template.clinic == clinic and template.created_by == admin_api.key.acts_as
    assert AuditEvent.objects.filter(action="template_created", api_key=admin_api.key).exists()


def test_a_change_replaces_the_items_with_those_sent(admin_api, own, bridge):
    response = admin_api.put(
        detail(own),
        {
            "name": "Low back, week two",
            "days_of_week": ["tue"],
            "items": [{"exercise": bridge.pk, "sets": 4, "repetitions": 8}],
        },
    )
    assert response.status_code == 200, response.json()
    own.refresh_from_db()
    assert own.name == "Low back, week two" and own.weekdays == 0b10
    assert [(item.exercise, item.sets) for item in own.items.all()] == [(bridge, 4)]


def test_a_template_with_no_items_is_refused_with_the_services_sentence(admin_api, own, knee):
    for response in (
        admin_api.post(URL, body(knee, knee, items=[])),
        admin_api.put(detail(own), body(knee, knee, items=[])),
    ):
        assert response.status_code == 400
        assert response.json()["errors"] == [
            {"detail": "Add at least one exercise to the template."}
        ]
    assert own.items.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "sentence"),
    [
        ("sets", 0, "Sets must be a whole number from 1 to 10."),
        ("sets", 11, "Sets must be a whole number from 1 to 10."),
        ("repetitions", 0, "Repetitions must be a whole number from 1 to 50."),
        ("repetitions", 51, "Repetitions must be a whole number from 1 to 50."),
        ("hold_seconds", 301, "Hold (seconds) must be a whole number from 0 to 300."),
        ("rest_seconds", 301, "Rest (seconds) must be a whole number from 0 to 300."),
    ],
)
def test_one_past_each_dose_limit_is_refused_with_the_limits_sentence(
    admin_api, own, knee, field, value, sentence
):
    items = [dose({"exercise": knee.pk}, **{field: value})]
    for response in (
        admin_api.post(URL, body(knee, knee, items=items)),
        admin_api.put(detail(own), body(knee, knee, items=items)),
    ):
        assert response.status_code == 400
        assert {"field": f"items[0].{field}", "detail": sentence} in response.json()["errors"]
    assert PlanTemplate.objects.count() == 1


def test_one_past_the_times_per_day_limit_is_refused(admin_api, knee, bridge):
    response = admin_api.post(URL, body(knee, bridge, times_per_day=7))
    assert response.status_code == 400
    assert {
        "field": "times_per_day",
        "detail": "Times per day must be a whole number from 1 to 6.",
    } in response.json()["errors"]


def test_an_exercise_of_another_clinic_cannot_be_put_in_a_template(admin_api, other_clinic, knee):
    theirs = ExerciseFactory(clinic=other_clinic)
    response = admin_api.post(URL, body(knee, knee, items=[dose({"exercise": theirs.pk})]))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "items[0].exercise"


def test_a_key_acting_as_a_therapist_gets_the_services_refusal(api, own, knee, bridge):
    for response in (
        api.post(URL, body(knee, bridge)),
        api.put(detail(own), body(knee, bridge)),
        api.post(detail(own) + "archive/"),
    ):
        assert response.status_code == 403
        assert response.json()["detail"] == "Only an admin of the template's clinic can change it."
    own.refresh_from_db()
    assert own.name == "Low back, week one" and not own.is_archived


def test_a_shared_template_can_be_read_but_not_changed(admin_api, shared, knee, bridge):
    assert admin_api.get(detail(shared)).status_code == 200
    for response in (
        admin_api.put(detail(shared), body(knee, bridge)),
        admin_api.post(detail(shared) + "archive/"),
    ):
        assert response.status_code == 403
        assert response.json()["detail"].startswith("Shared templates cannot be changed.")
    shared.refresh_from_db()
    assert shared.name == "Shared neck routine" and not shared.is_archived


def test_archive_and_restore_go_through_the_service(admin_api, own):
    archived = admin_api.post(detail(own) + "archive/")
    assert archived.status_code == 200 and archived.json()["is_archived"] is True
    assert AuditEvent.objects.filter(action="template_archived", api_key=admin_api.key).exists()
    restored = admin_api.post(detail(own) + "restore/")
    assert restored.status_code == 200 and restored.json()["is_archived"] is False


# Scope --------------------------------------------------------------------------------------


def test_another_clinics_key_gets_404_for_the_clinics_own_template(stranger_api, own, knee, bridge):
    for response in (
        stranger_api.get(detail(own)),
        stranger_api.put(detail(own), body(knee, knee)),
        stranger_api.post(detail(own) + "archive/"),
        stranger_api.post(detail(own) + "restore/"),
    ):
        assert response.status_code == 404


def test_another_clinics_template_answers_404_like_a_missing_one(admin_api, foreign, knee):
    for url in (detail(foreign), f"{URL}999999/"):
        assert admin_api.get(url).status_code == 404
        assert admin_api.put(url, body(knee, knee)).status_code == 404
        assert admin_api.post(url + "archive/").status_code == 404


def test_a_read_only_key_is_refused_every_write(read_only_api, own, knee, bridge):
    for response in (
        read_only_api.post(URL, body(knee, bridge)),
        read_only_api.put(detail(own), body(knee, bridge)),
        read_only_api.post(detail(own) + "archive/"),
        read_only_api.post(detail(own) + "restore/"),
    ):
        assert response.status_code == 403
    assert read_only_api.get(detail(own)).status_code == 200
