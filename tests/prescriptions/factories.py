import datetime

import factory

from prescriptions.models import Plan, PlanItem, PlanStatus, PlanTemplate, PlanTemplateItem
from prescriptions.schedule import EVERY_DAY
from prescriptions.services import ItemInput, plan_create
from tests.clinics.factories import TherapistFactory
from tests.exercises.factories import ExerciseFactory


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    prescribed_by = factory.SubFactory(TherapistFactory)
    patient = factory.SubFactory(
        "tests.patients.factories.PatientFactory",
        clinic=factory.SelfAttribute("..prescribed_by.clinic"),
        primary_therapist=factory.SelfAttribute("..prescribed_by"),
    )
    clinic = factory.SelfAttribute("patient.clinic")
    title = "Back spasm relief"
    start_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=7))
    status = PlanStatus.ACTIVE
    times_per_day = 1
    weekdays = EVERY_DAY


class PlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanItem

    plan = factory.SubFactory(PlanFactory)
    exercise = factory.SubFactory(ExerciseFactory, clinic=factory.SelfAttribute("..plan.clinic"))
    position = factory.Sequence(lambda n: n)
    sets = 1
    repetitions = 3
    hold_seconds = 30
    rest_seconds = 10


class PlanTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanTemplate

    clinic = factory.SubFactory("tests.clinics.factories.ClinicFactory")
    name = factory.Sequence(lambda n: f"Template {n}")
    slug = factory.Sequence(lambda n: f"template-{n}")
    times_per_day = 1
    weekdays = EVERY_DAY


class PlanTemplateItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanTemplateItem

    template = factory.SubFactory(PlanTemplateFactory)
    exercise = factory.SubFactory(
        ExerciseFactory, clinic=factory.SelfAttribute("..template.clinic")
    )
    position = factory.Sequence(lambda n: n)
    sets = 1
    repetitions = 3
    hold_seconds = 30
    rest_seconds = 10


def prescribe(
    patient, therapist, *exercises, title="Back spasm relief", start_date=None, **fields
) -> Plan:
    """A plan made through the service, as the therapist makes one, each exercise at its usual
    dose; it started 35 days before the clinic's today unless told otherwise."""
    return plan_create(
        patient=patient,
        prescribed_by=therapist,
        title=title,
        start_date=start_date or patient.clinic.today() - datetime.timedelta(days=35),
        items=[ItemInput.from_exercise(exercise) for exercise in exercises],
        **fields,
    )


def builder_post(fields: dict, items: list[dict], **overrides) -> dict:
    """The builder's POST body: the plan's (or template's) fields, then one row per exercise
    and dose, in order; each row holds 1 × 3 × 30 seconds, rest 10, unless it says otherwise."""
    data = {
        **fields,
        "q": "",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "40",
        "action": "save",
    }
    for index, item in enumerate(items):
        row = {
            "item_id": "",
            "sets": "1",
            "repetitions": "3",
            "hold_seconds": "30",
            "rest_seconds": "10",
            "side": "none",
            "note": "",
            **item,
        }
        for name, value in row.items():
            data[f"items-{index}-{name}"] = value
    data.update(overrides)
    return data
