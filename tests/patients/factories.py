import uuid

import factory
from django.utils import timezone

from patients.models import EntryStatus, PainReport, Patient, SessionLog, SessionLogEntry
from patients.summary import summary_refresh
from tests.clinics.factories import PatientUserFactory, TherapistFactory
from tests.prescriptions.factories import PlanFactory, PlanItemFactory


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    primary_therapist = factory.SubFactory(TherapistFactory)
    clinic = factory.SelfAttribute("primary_therapist.clinic")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    condition = "Low back pain"
    user = None


class PatientWithAccountFactory(PatientFactory):
    user = factory.SubFactory(
        PatientUserFactory,
        clinic=factory.SelfAttribute("..clinic"),
        email=factory.SelfAttribute("..email"),
    )


class SessionLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionLog

    plan = factory.SubFactory(PlanFactory)
    patient = factory.SelfAttribute("plan.patient")
    clinic = factory.SelfAttribute("plan.clinic")
    plan_version = factory.SelfAttribute("plan.version")
    performed_at = factory.LazyFunction(timezone.now)
    performed_on = factory.LazyAttribute(
        lambda o: timezone.localtime(o.performed_at, o.clinic.zone).date()
    )
    pain_before = 5
    pain_after = 4
    client_token = factory.LazyFunction(uuid.uuid4)
    recorded_by = factory.SelfAttribute("plan.prescribed_by")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Past the services, so the patient's summary is kept here as they would keep it.
        session = super()._create(model_class, *args, **kwargs)
        summary_refresh(patient=session.patient, day=session.performed_on, plan_id=session.plan_id)
        return session


class SessionLogEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionLogEntry

    session = factory.SubFactory(SessionLogFactory)
    plan_item = factory.SubFactory(PlanItemFactory, plan=factory.SelfAttribute("..session.plan"))
    exercise = factory.SelfAttribute("plan_item.exercise")
    prescribed_sets = factory.SelfAttribute("plan_item.sets")
    prescribed_repetitions = factory.SelfAttribute("plan_item.repetitions")
    prescribed_hold_seconds = factory.SelfAttribute("plan_item.hold_seconds")
    prescribed_rest_seconds = factory.SelfAttribute("plan_item.rest_seconds")
    sets_done = factory.SelfAttribute("plan_item.sets")
    repetitions_done = factory.SelfAttribute("plan_item.repetitions")
    hold_seconds_done = factory.SelfAttribute("plan_item.hold_seconds")
    status = EntryStatus.COMPLETED


class PainReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PainReport

    patient = factory.SubFactory(PatientFactory)
    clinic = factory.SelfAttribute("patient.clinic")
    recorded_at = factory.LazyFunction(timezone.now)
    recorded_on = factory.LazyAttribute(
        lambda o: timezone.localtime(o.recorded_at, o.clinic.zone).date()
    )
    score = 4
    recorded_by = factory.SelfAttribute("patient.primary_therapist")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        report = super()._create(model_class, *args, **kwargs)
        summary_refresh(patient=report.patient, day=report.recorded_on)
        return report
