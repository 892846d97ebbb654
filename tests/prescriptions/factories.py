import datetime

import factory

from prescriptions.models import Plan, PlanItem, PlanStatus, PlanTemplate, PlanTemplateItem
from prescriptions.schedule import EVERY_DAY
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
