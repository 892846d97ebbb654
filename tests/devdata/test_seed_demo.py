import datetime
import io
from statistics import mean

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from clinics.models import Clinic, Role, User
from devdata.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_seed
from exercises.models import Exercise, ExerciseStep
from messaging.models import Message
from monitoring.models import Communication, Enrolment, TimeEntry
from patients.models import (
    PainReport,
    Patient,
    PatientStatus,
    SessionLog,
    SessionLogEntry,
)
from prescriptions.models import (
    Plan,
    PlanItem,
    PlanRevision,
    PlanStatus,
    PlanTemplate,
    PlanTemplateItem,
)
from tests.clinics.factories import TherapistFactory

SEEDED_MODELS = [
    Clinic,
    User,
    Patient,
    Plan,
    PlanItem,
    PlanRevision,
    SessionLog,
    SessionLogEntry,
    PainReport,
    Exercise,
    ExerciseStep,
    PlanTemplate,
    PlanTemplateItem,
    Message,
]
MODELS_WITH_UPDATED_AT = [Clinic, Patient, Plan, SessionLog, Exercise, PlanTemplate]


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return seed(allow_production=True)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in SEEDED_MODELS}


def updated_stamps() -> dict[str, dict[int, datetime.datetime]]:
    return {
        model.__name__: dict(model.objects.values_list("pk", "updated_at"))
        for model in MODELS_WITH_UPDATED_AT
    }


def scheduled_days(plan: Plan, first: datetime.date, last: datetime.date) -> int:
    days = ((first + datetime.timedelta(days=n)) for n in range((last - first).days + 1))
    return sum(plan.is_scheduled_on(day) for day in days)


def test_refuses_with_debug_off_without_the_flag(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--allow-production"):
        seed()

    assert not Clinic.objects.exists()
    assert not Exercise.objects.exists()


def test_runs_without_the_flag_when_debug_is_on_and_prints_the_logins(db, settings):
    settings.DEBUG = True

    output = seed()

    assert Clinic.objects.filter(slug="demo-physio-clinic").exists()
    assert "Demo Physio Clinic: created" in output
    assert "Other Physio Clinic: created" in output
    assert f"password for all: {DEMO_PASSWORD}" in output
    for email in [
        "admin@example.com",
        "therapist@example.com",
        "patient@example.com",
        "therapist@other.example.com",
        "patient@other.example.com",
    ]:
        assert email in output


def test_second_run_changes_nothing(seeded):
    counts = row_counts()
    stamps = updated_stamps()
    passwords = dict(User.objects.values_list("email", "password"))
    assert counts["SessionLog"] > 0

    output = seed(allow_production=True)

    assert row_counts() == counts
    assert updated_stamps() == stamps
    assert dict(User.objects.values_list("email", "password")) == passwords
    assert "Demo Physio Clinic: already present" in output
    assert "Other Physio Clinic: already present" in output
    assert "patient@example.com" in output


def test_same_date_gives_the_same_demo(db):
    def sessions():
        return list(
            SessionLog.objects.order_by("patient__email", "performed_at").values_list(
                "patient__email", "performed_at", "pain_before", "pain_after", "client_token"
            )
        )

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        demo_seed()
        first = sessions()
        raise Rollback
    assert not SessionLog.objects.exists()

    demo_seed()

    assert sessions() == first


def test_a_failure_leaves_nothing_behind(db):
    TherapistFactory(email="patient@other.example.com")
    clinics_before = Clinic.objects.count()

    with pytest.raises(CommandError, match="already exists"):
        seed(allow_production=True)

    assert Clinic.objects.count() == clinics_before
    assert not Clinic.objects.filter(slug="demo-physio-clinic").exists()
    assert not Patient.objects.exists()
    assert (
        not User.objects.filter(email__endswith="@example.com")
        .exclude(email="patient@other.example.com")
        .exists()
    )


def test_every_demo_password_signs_in(seeded):
    for login in DEMO_LOGINS:
        user = authenticate(sign_in_request(), username=login.email, password=DEMO_PASSWORD)

        assert user is not None, login.email
        assert user.email == login.email
        assert user.role == login.role
        assert user.clinic.name == login.clinic
    assert (
        authenticate(sign_in_request(), username="patient@example.com", password="wrong-one")
        is None
    )


def sign_in_request():
    # Sign-ins are throttled per address, so authentication needs the request it came with.
    return RequestFactory().post("/sign-in/", REMOTE_ADDR="192.0.2.1")


def test_demo_patient_improves_over_four_weeks_of_mostly_kept_sessions(seeded):
    patient = Patient.objects.select_related("clinic", "user").get(email="patient@example.com")
    clinic = patient.clinic
    today = clinic.today()

    assert clinic.name == "Demo Physio Clinic"
    assert patient.user.email == "patient@example.com"
    assert patient.user.role == Role.PATIENT
    assert patient.primary_therapist.email == "therapist@example.com"
    assert patient.condition == "Acute low back spasm"
    plan = patient.plans.get()
    assert plan.status == PlanStatus.ACTIVE
    assert plan.title == "Back spasm relief"
    assert plan.template.slug == "back-spasm-relief"
    assert plan.start_date == today - datetime.timedelta(days=28)
    assert [
        (item.exercise.slug, item.sets, item.repetitions, item.hold_seconds)
        for item in plan.items.order_by("position")
    ] == [("knee-to-chest-stretch", 1, 3, 30), ("prone-press-up", 1, 3, 30)]

    sessions = list(patient.sessions.order_by("performed_at"))
    window_start = today - datetime.timedelta(days=28)
    days_done = {s.performed_on for s in sessions if s.performed_on >= window_start}
    adherence = len(days_done) / scheduled_days(plan, window_start, today - datetime.timedelta(1))
    assert 0.8 <= adherence < 1
    assert 20 <= len(sessions) <= 28

    first_week = [s for s in sessions if s.performed_on < plan.start_date + datetime.timedelta(7)]
    last_week = [s for s in sessions if s.performed_on >= today - datetime.timedelta(7)]
    assert mean(s.pain_before for s in first_week) >= 5
    assert mean(s.pain_before for s in last_week) <= 4
    assert mean(s.pain_after for s in last_week) <= 3.5
    assert sum(s.pain_after <= s.pain_before for s in sessions) >= 0.8 * len(sessions)
    assert not any(s.is_flagged for s in sessions)

    now = timezone.now()
    for session in sessions:
        assert session.performed_at <= now
        assert session.recorded_by == patient.user
        local = timezone.localtime(session.performed_at, clinic.zone)
        assert 6 <= local.hour <= 9 or 18 <= local.hour <= 21
    assert SessionLogEntry.objects.filter(session__patient=patient, status="partial").exists()
    assert patient.pain_reports.count() >= 3


def test_other_patients_tell_their_own_stories(seeded):
    therapist = User.objects.get(email="therapist@example.com")
    patients = {p.email: p for p in Patient.objects.filter(primary_therapist=therapist)}
    today = therapist.clinic.today()
    assert len(patients) == 6
    signing_in = {"patient@example.com", "paciente@example.com"}
    extras = [p for email, p in patients.items() if email not in signing_in]
    assert all(p.user_id is None and p.email.endswith("@example.com") for p in extras)

    spanish = patients["paciente@example.com"]
    assert (spanish.language, spanish.user.language, spanish.clinic.default_language) == (
        "es",
        "es",
        "en",
    )
    assert spanish.sessions.exists()

    lapsed = patients["jordan.lee@example.com"]
    plan = lapsed.plans.get(status=PlanStatus.ACTIVE)
    sessions = list(lapsed.sessions.all())
    ratio = len(sessions) / scheduled_days(plan, plan.start_date, today - datetime.timedelta(1))
    assert 0.15 <= ratio <= 0.35
    assert max(s.performed_on for s in sessions) <= today - datetime.timedelta(days=5)

    worsening = patients["sam.okafor@example.com"]
    assert worsening.plans.get().status == PlanStatus.ACTIVE
    sessions = list(worsening.sessions.order_by("performed_at"))
    assert mean(s.pain_before for s in sessions[:5]) <= 4
    assert mean(s.pain_after for s in sessions[-5:]) >= 6
    assert any("rose by" in s.flag_reason for s in sessions if s.is_flagged)

    new = patients["riley.chen@example.com"]
    assert new.plans.get().status == PlanStatus.ACTIVE
    assert new.plans.get().start_date >= today - datetime.timedelta(days=1)
    assert not new.sessions.exists()

    discharged = patients["morgan.diaz@example.com"]
    assert discharged.status == PatientStatus.DISCHARGED
    assert discharged.discharged_on is not None
    plan = discharged.plans.get()
    assert plan.status == PlanStatus.COMPLETED
    assert plan.end_date == discharged.discharged_on
    assert discharged.sessions.exists()
    assert not discharged.sessions.filter(performed_on__gt=plan.end_date).exists()


def test_the_two_clinics_are_separate(seeded):
    demo = Clinic.objects.get(slug="demo-physio-clinic")
    other = Clinic.objects.get(slug="other-physio-clinic")
    other_therapist = User.objects.get(email="therapist@other.example.com")
    other_patient = Patient.objects.get(email="patient@other.example.com")

    assert other_therapist.clinic == other
    assert other_patient.clinic == other
    assert other_patient.user.clinic == other
    assert other_patient.primary_therapist == other_therapist
    plan = other_patient.plans.get()
    assert plan.status == PlanStatus.ACTIVE
    assert plan.clinic == other
    assert plan.prescribed_by == other_therapist
    assert 5 <= other_patient.sessions.count() <= 7
    assert list(Patient.objects.for_clinic(other)) == [other_patient]
    assert not Patient.objects.for_clinic(demo).filter(pk=other_patient.pk).exists()
    assert not Plan.objects.for_clinic(demo).exclude(prescribed_by__clinic=demo).exists()
    assert not SessionLog.objects.for_clinic(other).exclude(patient__clinic=other).exists()


def test_the_demo_patient_and_therapist_have_a_conversation_waiting_for_the_patient(seeded):
    patient = Patient.objects.get(user__email="patient@example.com")
    messages = list(Message.objects.filter(patient=patient).select_related("author"))
    assert [message.author.email for message in messages] == [
        "patient@example.com",
        "therapist@example.com",
    ]
    assert "knee-to-chest" in messages[0].body


def test_the_demo_patient_is_in_remote_monitoring_once_with_a_reply_logged(seeded):
    pat = Patient.objects.get(user__email="patient@example.com")
    enrolment = Enrolment.objects.get(patient=pat)
    assert enrolment.started_on == pat.clinic.today() - datetime.timedelta(days=40)
    entries = TimeEntry.objects.filter(patient=pat)
    assert entries.count() == 3
    reply = entries.get(communication=Communication.MESSAGE)
    assert reply.message.author == pat.primary_therapist
    demo_seed()
    assert Enrolment.objects.filter(patient=pat).count() == 1
    assert TimeEntry.objects.filter(patient=pat).count() == 3


def test_the_demo_patient_has_psfs_activities_rated_twice_and_two_odi_totals(seeded):
    from outcomes.models import OutcomeEntry, PatientOutcomes, PsfsActivity

    patient = Patient.objects.get(email="patient@example.com")
    assert PsfsActivity.objects.filter(patient=patient).count() == 3
    entries = OutcomeEntry.objects.filter(patient=patient)
    assert sorted(entries.values_list("measure", flat=True)) == ["odi", "odi", "psfs", "psfs"]
    # Rated two weeks ago: due again today, so Today asks for it.
    assert PatientOutcomes.objects.get(patient=patient).psfs_due_on == patient.clinic.today()
    demo_seed()
    assert OutcomeEntry.objects.filter(patient=patient).count() == 4
