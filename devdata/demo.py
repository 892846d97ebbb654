"""Demo data for trying Rehabit out: two clinics, their staff, and patients with a few weeks of
home sessions behind them, each telling a different story a therapist would recognise.

Everything is written through the same services the app uses, so the demo obeys every rule a
real clinic's data does. The data is random but seeded, so a given date always gives the same
demo; a clinic that is already there is left alone, so seeding twice changes nothing.
"""

import datetime
import random
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django_otp.oath import TOTP

from clinics.models import ApiKey, ApiScope, Clinic, Role, User
from clinics.selectors import two_factor_device
from clinics.services import (
    api_key_create,
    clinic_create,
    two_factor_enable,
    two_factor_key_from_text,
    user_create,
)
from devdata import history
from messaging.models import Message
from messaging.services import message_send
from monitoring.models import Communication, Enrolment
from monitoring.services import enrolment_save, time_entry_record
from outcomes import services as outcomes_services
from patients import pain
from patients.models import Difficulty, Patient, SkipReason
from patients.services import (
    EntryInput,
    pain_report_record,
    patient_account_create,
    patient_create,
    patient_discharge,
    session_log_record,
)
from patients.summary import summaries_rebuild
from prescriptions.catalog import starter_catalog_load
from prescriptions.models import Plan, PlanTemplate
from prescriptions.services import ItemInput, plan_create

DEMO_PASSWORD = "rehabit-demo-2026"
# Clinic admins sign in with two steps, the demo's too. Its authenticator key and recovery codes
# are published (README.md), like the password: type the key into any authenticator app, or use
# a recovery code (each works once).
DEMO_ADMIN_EMAIL = "admin@example.com"
DEMO_TWO_FACTOR_KEY = "REHA BITD EMOK EYFO RTWO STEP SIGN INAA"
DEMO_RECOVERY_CODES = [f"rehab-demo{number}" for number in range(10)]
DEMO_CLINIC_NAME = "Demo Physio Clinic"
# The demo clinic's API key (read and write, acting as the demo therapist), printed by
# seed_demo so the API can be tried at once. A real clinic's keys are random and shown once.
DEMO_API_KEY = "rhk_demo00000000_rehabit-demo-api-key-2026"
DEMO_API_KEY_NAME = "Demo integration"
OTHER_CLINIC_NAME = "Other Physio Clinic"
SEED = 2026

# The highest pain after a session in a story that should not trip the stop rule by accident.
BELOW_STOP = pain.STOP_PAIN_AT_OR_ABOVE - 1

MORNING = history.TimeWindow(datetime.time(6, 45), datetime.time(8, 45))
EVENING = history.TimeWindow(datetime.time(18, 0), datetime.time(21, 15))


@dataclass(frozen=True)
class DemoLogin:
    clinic: str
    email: str
    role: str


DEMO_LOGINS = [
    DemoLogin(DEMO_CLINIC_NAME, DEMO_ADMIN_EMAIL, Role.CLINIC_ADMIN),
    DemoLogin(DEMO_CLINIC_NAME, "therapist@example.com", Role.THERAPIST),
    DemoLogin(DEMO_CLINIC_NAME, "patient@example.com", Role.PATIENT),
    DemoLogin(DEMO_CLINIC_NAME, "paciente@example.com", Role.PATIENT),
    DemoLogin(OTHER_CLINIC_NAME, "therapist@other.example.com", Role.THERAPIST),
    DemoLogin(OTHER_CLINIC_NAME, "patient@other.example.com", Role.PATIENT),
]


@dataclass
class DemoResult:
    created: list[str] = field(default_factory=list)
    already_present: list[str] = field(default_factory=list)


@transaction.atomic
def demo_seed() -> DemoResult:
    """Load the shared catalog, then build each demo clinic that is not there yet."""
    starter_catalog_load()
    result = DemoResult()
    for name, build in (
        (DEMO_CLINIC_NAME, demo_clinic_build),
        (OTHER_CLINIC_NAME, other_clinic_build),
    ):
        if Clinic.objects.filter(slug=slugify(name)).exists():
            result.already_present.append(name)
        else:
            clinic = build()
            history.backdate(clinic)
            summaries_rebuild(clinic=clinic)
            result.created.append(name)
    _demo_admin_two_factor_ensure()
    _demo_outcomes_ensure()
    _demo_monitoring_ensure()
    _demo_api_key_ensure()
    return result


def _demo_api_key_ensure() -> None:
    clinic = Clinic.objects.filter(slug=slugify(DEMO_CLINIC_NAME)).first()
    if clinic is None or ApiKey.objects.filter(prefix=DEMO_API_KEY.split("_")[1]).exists():
        return
    admin = User.objects.get(email=DEMO_ADMIN_EMAIL, clinic=clinic)
    therapist = User.objects.get(email="therapist@example.com", clinic=clinic)
    api_key_create(
        clinic=clinic,
        name=DEMO_API_KEY_NAME,
        scope=ApiScope.READ_WRITE,
        acts_as=therapist,
        created_by=admin,
        published_text=DEMO_API_KEY,
    )


DEMO_PSFS_ACTIVITIES = ["Walking to work", "Putting on socks", "Sitting through a film"]


def _demo_outcomes_ensure() -> None:
    """Give the demo patient three PSFS activities rated twice and two ODI totals, unless they
    have activities already (a demo seeded before outcome measures existed gets them too)."""
    patient = (
        Patient.objects.filter(clinic__slug=slugify(DEMO_CLINIC_NAME), email="patient@example.com")
        .select_related("clinic", "user", "primary_therapist")
        .first()
    )
    if patient is None or patient.psfs_activities.exists() or patient.user is None:
        return
    today = patient.clinic.today()
    # The patient was added six weeks ago, before remote monitoring was set up for them (40
    # days ago) and their plan began (four weeks ago).
    added = datetime.datetime.combine(
        today - datetime.timedelta(days=42), datetime.time(9), tzinfo=patient.clinic.zone
    )
    if patient.created_at > added:
        Patient.objects.filter(pk=patient.pk).update(created_at=added)
        patient.refresh_from_db()
    therapist = patient.primary_therapist
    activities = outcomes_services.psfs_activities_add(
        patient=patient, names=DEMO_PSFS_ACTIVITIES, by=therapist
    )
    for days_ago, ratings in ((24, (3, 2, 4)), (14, (6, 5, 6))):
        outcomes_services.psfs_record(
            patient=patient,
            ratings={
                activity.pk: value for activity, value in zip(activities, ratings, strict=True)
            },
            assessed_on=today - datetime.timedelta(days=days_ago),
            by=patient.user,
        )
    for days_ago, total in ((24, 46), (14, 32)):
        outcomes_services.total_record(
            patient=patient,
            measure="odi",
            total=total,
            assessed_on=today - datetime.timedelta(days=days_ago),
            by=therapist,
        )


def _demo_admin_two_factor_ensure() -> None:
    """Give the demo admin the published authenticator key and recovery codes, unless they
    already sign in with two steps (a demo seeded before two-step sign-in existed gets them
    too)."""
    admin = User.objects.filter(
        email=DEMO_ADMIN_EMAIL, clinic__slug=slugify(DEMO_CLINIC_NAME)
    ).first()
    if admin is None or two_factor_device(user=admin) is not None:
        return
    key = two_factor_key_from_text(DEMO_TWO_FACTOR_KEY)
    totp = TOTP(bytes.fromhex(key))
    # Confirmed with the code of the half-minute before, so the code the app shows now is still
    # unused and the demo admin can sign in straight away. Should the half-minute turn over in
    # between, the code of this one will do.
    for seconds_ago in (totp.step, 0):
        totp.time = time.time() - seconds_ago
        try:
            two_factor_enable(
                user=admin,
                key=key,
                code=f"{totp.token():06d}",
                recovery_codes=DEMO_RECOVERY_CODES,
            )
        except ValidationError:
            continue
        return


def _demo_monitoring_ensure() -> None:
    """Put the demo patient in remote monitoring from about 40 days ago, with some treatment
    time logged, one entry of it a reply in their messages; unless they are in it already (a
    demo seeded before remote monitoring existed gets it too)."""
    patient = (
        Patient.objects.filter(
            clinic__slug=slugify(DEMO_CLINIC_NAME), user__email="patient@example.com"
        )
        .select_related("clinic", "primary_therapist")
        .first()
    )
    if patient is None or Enrolment.objects.filter(patient=patient).exists():
        return
    therapist = patient.primary_therapist
    today = patient.clinic.today()
    enrolment_save(
        patient=patient,
        started_on=today - datetime.timedelta(days=40),
        ended_on=None,
        saved_by=therapist,
    )
    for days_ago, minutes, activity in (
        (9, 8, "Reviewed the week's sessions and pain reports."),
        (2, 6, "Checked the pain trend after the dose change."),
    ):
        time_entry_record(
            patient=patient,
            performed_on=today - datetime.timedelta(days=days_ago),
            minutes=minutes,
            activity=activity,
            communication=Communication.NONE,
            recorded_by=therapist,
        )
    reply = Message.objects.filter(patient=patient, author=therapist).order_by("-id").first()
    if reply is not None:
        time_entry_record(
            patient=patient,
            performed_on=patient.clinic.today(),
            minutes=5,
            activity="Answered the question about the knee-to-chest stretch.",
            communication=Communication.MESSAGE,
            message=reply,
            recorded_by=therapist,
        )


def demo_clinic_build() -> Clinic:
    clinic = clinic_create(
        name=DEMO_CLINIC_NAME,
        time_zone="America/New_York",
        contact_email="hello@example.com",
        phone="+1 555 0100",
        address="100 Main Street\nSpringfield",
    )
    today = clinic.today()
    user_create(
        clinic=clinic,
        email=DEMO_ADMIN_EMAIL,
        full_name="Alex Admin",
        role=Role.CLINIC_ADMIN,
        password=DEMO_PASSWORD,
    )
    therapist = user_create(
        clinic=clinic,
        email="therapist@example.com",
        full_name="Taylor Therapist",
        role=Role.THERAPIST,
        password=DEMO_PASSWORD,
    )
    _improving_patient_build(clinic=clinic, therapist=therapist, today=today)
    _lapsed_patient_build(clinic=clinic, therapist=therapist, today=today)
    _worsening_patient_build(clinic=clinic, therapist=therapist, today=today)
    _new_patient_build(clinic=clinic, therapist=therapist, today=today)
    _discharged_patient_build(clinic=clinic, therapist=therapist, today=today)
    _spanish_speaking_patient_build(clinic=clinic, therapist=therapist, today=today)
    return clinic


def other_clinic_build() -> Clinic:
    """A second clinic, so signing in as its staff shows that clinics never see each other."""
    clinic = clinic_create(name=OTHER_CLINIC_NAME, time_zone="Europe/London")
    today = clinic.today()
    therapist = user_create(
        clinic=clinic,
        email="therapist@other.example.com",
        full_name="Olivia Osei",
        role=Role.THERAPIST,
        password=DEMO_PASSWORD,
    )
    patient = patient_create(
        clinic=clinic,
        first_name="Omar",
        last_name="Haddad",
        primary_therapist=therapist,
        email="patient@other.example.com",
        date_of_birth=datetime.date(1979, 3, 14),
        condition="Neck stiffness from desk work",
    )
    story = _PatientStory.begin(
        "other-patient", patient=patient, therapist=therapist, with_account=True
    )
    plan = story.plan_from_template(
        "neck-and-shoulder-tension", start_date=today - datetime.timedelta(days=7)
    )
    days = _scheduled_days(plan, until=today - datetime.timedelta(days=1))
    story.sessions_log(
        plan,
        days=_keep(story.rng, days, missed=1),
        course=history.PainCourse(
            start=5, end=4, after_changes=(-1, -1, 0), after_ceiling=BELOW_STOP
        ),
        morning_share=0.3,
    )
    return clinic


def _improving_patient_build(*, clinic: Clinic, therapist: User, today: datetime.date) -> None:
    """The patient login: back spasm stretches for four weeks, mostly done, pain easing 6 to 3."""
    patient = patient_create(
        clinic=clinic,
        first_name="Pat",
        last_name="Patient",
        primary_therapist=therapist,
        email="patient@example.com",
        date_of_birth=datetime.date(1986, 6, 2),
        condition="Acute low back spasm",
    )
    story = _PatientStory.begin(
        "improving", patient=patient, therapist=therapist, with_account=True
    )
    start = today - datetime.timedelta(days=28)
    plan = story.plan_from_template(
        "back-spasm-relief",
        start_date=start,
        notes="Ease the spasm and get back to walking to work without pain.",
    )
    days = _scheduled_days(plan, until=today - datetime.timedelta(days=1))
    course = history.PainCourse(
        start=6.5, end=3, after_changes=(-2, -1, -1, -1, 0, 0, 0, 1), after_ceiling=BELOW_STOP
    )
    story.sessions_log(
        plan,
        days=_keep(story.rng, days, missed=4, recent_kept=2),
        course=course,
        morning_share=0.7,
        partial_share=0.12,
    )
    for offset in (3, 10, 17, 24):
        story.pain_report(
            day=start + datetime.timedelta(days=offset),
            score=course.before(story.rng, offset / 28),
            body_location="Lower back",
        )
    _conversation_build(
        patient=patient,
        lines=[
            (
                story.recorded_by,
                "Is it normal to feel the stretch down the back of my thigh during the "
                "knee-to-chest? It eases off when I let go.",
            ),
            (
                therapist,
                "Yes, a gentle pull there is fine, as long as it eases when you let go. If it "
                "turns into tingling or pain down the leg, stop that exercise and tell me.",
            ),
        ],
    )


def _spanish_speaking_patient_build(
    *, clinic: Clinic, therapist: User, today: datetime.date
) -> None:
    """A patient who reads Rehabit in Spanish (her clinic's default is English): a back plan
    in its second week, most sessions done, so her pages, reminders and handout can be seen
    in Spanish."""
    patient = patient_create(
        clinic=clinic,
        first_name="Lucía",
        last_name="Martínez",
        primary_therapist=therapist,
        email="paciente@example.com",
        date_of_birth=datetime.date(1979, 4, 14),
        condition="Low back strain from gardening",
        language="es",
    )
    story = _PatientStory.begin("spanish", patient=patient, therapist=therapist, with_account=True)
    # The therapist names the plan in her language, as the patient reads it.
    plan = story.plan_from_template(
        "back-spasm-relief",
        start_date=today - datetime.timedelta(days=10),
        title="Alivio del espasmo de espalda",
        notes="Hágalo despacio y sin dolor.",
    )
    days = _scheduled_days(plan, until=today - datetime.timedelta(days=1))
    story.sessions_log(
        plan,
        days=_keep(story.rng, days, missed=2, recent_kept=2),
        course=history.PainCourse(
            start=5, end=3, after_changes=(-1, 0, 0), after_ceiling=BELOW_STOP
        ),
        morning_share=0.5,
    )


def _lapsed_patient_build(*, clinic: Clinic, therapist: User, today: datetime.date) -> None:
    """Started well enough, then stopped: about a quarter of sessions, none for over 5 days."""
    patient = patient_create(
        clinic=clinic,
        first_name="Jordan",
        last_name="Lee",
        primary_therapist=therapist,
        email="jordan.lee@example.com",
        date_of_birth=datetime.date(1992, 11, 23),
        condition="Neck and shoulder tension from desk work",
    )
    story = _PatientStory.begin("lapsed", patient=patient, therapist=therapist)
    plan = story.plan_from_template(
        "neck-and-shoulder-tension", start_date=today - datetime.timedelta(days=21)
    )
    scheduled = _scheduled_days(plan, until=today - datetime.timedelta(days=1))
    early = [day for day in scheduled if day <= today - datetime.timedelta(days=6)]
    done = sorted(story.rng.sample(early, k=round(len(scheduled) * 0.25)))
    story.sessions_log(
        plan,
        days=done,
        course=history.PainCourse(
            start=5, end=4, after_changes=(-1, 0, 0), after_ceiling=BELOW_STOP
        ),
        morning_share=0.2,
        progress_span=len(scheduled),
    )
    story.pain_report(
        day=done[-1],
        score=5,
        body_location="Neck and right shoulder",
        note="Busy week at work, not much time for the exercises.",
    )


def _worsening_patient_build(*, clinic: Clinic, therapist: User, today: datetime.date) -> None:
    """Does the exercises, but pain climbs from about 3 to about 7; one session trips the stop
    rule (a rise of 2 and an exercise skipped for pain), so the therapist is alerted."""
    patient = patient_create(
        clinic=clinic,
        first_name="Sam",
        last_name="Okafor",
        primary_therapist=therapist,
        email="sam.okafor@example.com",
        date_of_birth=datetime.date(1961, 2, 8),
        condition="Knee osteoarthritis, stiffness after sitting",
    )
    story = _PatientStory.begin("worsening", patient=patient, therapist=therapist)
    plan = story.plan_from_template(
        "hip-and-knee-mobility", start_date=today - datetime.timedelta(days=21)
    )
    flagged_day = today - datetime.timedelta(days=4)
    scheduled = _scheduled_days(plan, until=today - datetime.timedelta(days=1))
    days = [day for day in _keep(story.rng, scheduled, missed=3) if day != flagged_day]
    story.sessions_log(
        plan, days=days, course=history.PainCourse(start=3, end=7, after_changes=(0, 0, 1))
    )
    items = list(plan.items.order_by("position"))
    entries = [EntryInput.as_prescribed(item) for item in items]
    entries[1] = history.entry_skipped(
        items[1], reason=SkipReason.PAIN, note="Sharp pain behind the knee, so I stopped."
    )
    story.session_log(
        plan,
        day=flagged_day,
        window=EVENING,
        entries=entries,
        pain_before=5,
        pain_after=7,
        difficulty=Difficulty.TOO_HARD,
        note="Knee swelled up after the heel slides.",
    )
    for offset, score in ((6, 6), (2, 7)):
        story.pain_report(
            day=today - datetime.timedelta(days=offset),
            score=score,
            body_location="Left knee",
            note="Aching on the stairs.",
        )


def _new_patient_build(*, clinic: Clinic, therapist: User, today: datetime.date) -> None:
    """Seen for the first time today: a plan, no account yet, nothing logged."""
    patient = patient_create(
        clinic=clinic,
        first_name="Riley",
        last_name="Chen",
        primary_therapist=therapist,
        email="riley.chen@example.com",
        date_of_birth=datetime.date(1998, 8, 30),
        condition="Low back spasm after lifting",
    )
    _PatientStory.begin("new", patient=patient, therapist=therapist).plan_from_template(
        "back-spasm-relief", start_date=today
    )


def _discharged_patient_build(*, clinic: Clinic, therapist: User, today: datetime.date) -> None:
    """Finished six weeks of strengthening a week ago and was discharged."""
    patient = patient_create(
        clinic=clinic,
        first_name="Morgan",
        last_name="Diaz",
        primary_therapist=therapist,
        email="morgan.diaz@example.com",
        date_of_birth=datetime.date(1974, 4, 17),
        condition="Recurrent low back pain",
    )
    story = _PatientStory.begin("discharged", patient=patient, therapist=therapist)
    end = today - datetime.timedelta(days=7)
    plan = story.plan_from_template(
        "gentle-lower-back-strengthening",
        start_date=end - datetime.timedelta(days=41),
        end_date=end,
    )
    story.sessions_log(
        plan,
        days=_keep(story.rng, _scheduled_days(plan, until=end), missed=2),
        course=history.PainCourse(
            start=4, end=1, after_changes=(-1, 0, 0), after_ceiling=BELOW_STOP
        ),
    )
    patient_discharge(patient=patient, discharged_by=therapist, on=end)


class _PatientStory:
    """A demo patient's story as it is written: the plans their therapist gives them, and the
    sessions and pain reports logged by `recorded_by` (their own account, or their therapist at
    the clinic). Each story draws on its own random stream, seeded with its name, so it comes
    out the same on a given date whatever the other stories do."""

    def __init__(self, *, rng: random.Random, patient: Patient, therapist: User, recorded_by: User):
        self.rng = rng
        self.patient = patient
        self.therapist = therapist
        self.recorded_by = recorded_by

    @classmethod
    def begin(
        cls, name: str, *, patient: Patient, therapist: User, with_account: bool = False
    ) -> "_PatientStory":
        """The story called `name`. With an account (the demo password) the patient logs their
        own sessions and pain; without one, their therapist logs them at the clinic."""
        recorded_by = therapist
        if with_account:
            recorded_by = patient_account_create(patient=patient, password=DEMO_PASSWORD)
        return cls(
            rng=random.Random(f"{SEED}-{name}"),
            patient=patient,
            therapist=therapist,
            recorded_by=recorded_by,
        )

    def plan_from_template(
        self,
        slug: str,
        *,
        start_date: datetime.date,
        end_date: datetime.date | None = None,
        notes: str = "",
        title: str = "",
    ) -> Plan:
        template = PlanTemplate.objects.get(clinic__isnull=True, slug=slug)
        items = [
            ItemInput.copy_of(item)
            for item in template.items.select_related("exercise").order_by("position")
        ]
        return plan_create(
            patient=self.patient,
            prescribed_by=self.therapist,
            title=title or template.name,
            start_date=start_date,
            end_date=end_date,
            items=items,
            times_per_day=template.times_per_day,
            weekdays=template.weekdays,
            notes=notes,
            template=template,
        )

    def sessions_log(
        self,
        plan: Plan,
        *,
        days: list[datetime.date],
        course: history.PainCourse,
        morning_share: float = 0.5,
        partial_share: float = 0.0,
        progress_span: int | None = None,
    ) -> None:
        """One session on each of `days` (every demo template is once a day), with pain
        following `course` from the plan's start to the last day."""
        rng = self.rng
        items = list(plan.items.order_by("position"))
        last = days[-1] if days else plan.start_date
        span = progress_span or max((last - plan.start_date).days, 1)
        for day in days:
            progress = history.progress_on(day, start=plan.start_date, span_days=span)
            pain_before = course.before(rng, progress)
            pain_after = course.after(rng, pain_before)
            entries = [EntryInput.as_prescribed(item) for item in items]
            note = ""
            if rng.random() < partial_share:
                position = rng.randrange(len(items))
                item = items[position]
                entries[position] = history.entry_partial(
                    item,
                    repetitions_done=max(item.repetitions - 1, 1),
                    hold_seconds_done=item.hold_seconds,
                    note="Short on time.",
                )
            elif rng.random() < 0.1:
                note = rng.choice(
                    ["Felt stiff to start, easier by the end.", "Did it after a walk."]
                )
            difficulty = history.difficulty_felt(
                rng, pain_before=pain_before, progress=progress, too_easy_after=0.75
            )
            self.session_log(
                plan,
                day=day,
                window=MORNING if rng.random() < morning_share else EVENING,
                entries=entries,
                pain_before=pain_before,
                pain_after=pain_after,
                difficulty=difficulty,
                note=note,
            )

    def session_log(
        self,
        plan: Plan,
        *,
        day: datetime.date,
        window: history.TimeWindow,
        entries: list[EntryInput],
        pain_before: int,
        pain_after: int,
        difficulty: str,
        note: str,
    ) -> None:
        session_log_record(
            patient=self.patient,
            plan=plan,
            performed_at=window.pick(self.rng, day, self.patient.clinic.zone),
            entries=entries,
            client_token=history.client_token(self.rng),
            recorded_by=self.recorded_by,
            pain_before=pain_before,
            pain_after=pain_after,
            difficulty=difficulty,
            note=note,
        )

    def pain_report(
        self, *, day: datetime.date, score: int, body_location: str, note: str = ""
    ) -> None:
        """A pain report on an evening of `day`."""
        pain_report_record(
            patient=self.patient,
            score=score,
            recorded_by=self.recorded_by,
            recorded_at=EVENING.pick(self.rng, day, self.patient.clinic.zone),
            body_location=body_location,
            note=note,
        )


def _conversation_build(*, patient: Patient, lines: list[tuple[User, str]]) -> None:
    """Messages between the patient and their therapist, sent as people send them. They are
    dated when the demo is loaded: messages are never changed, their dates included."""
    for author, body in lines:
        message_send(patient=patient, author=author, body=body, base_url=settings.SITE_URL)


def _scheduled_days(plan: Plan, *, until: datetime.date) -> list[datetime.date]:
    return [day for day in history.days_from(plan.start_date, until) if plan.is_scheduled_on(day)]


def _keep(
    rng: random.Random, days: list[datetime.date], *, missed: int, recent_kept: int = 0
) -> list[datetime.date]:
    """The days a patient actually did the session: all but `missed` of them, chosen at random
    from all but the last `recent_kept` days."""
    candidates = days[: len(days) - recent_kept]
    skipped = set(rng.sample(candidates, k=min(missed, len(candidates))))
    return [day for day in days if day not in skipped]
