"""Benchmark data: one large clinic with a year of home sessions, for `bench/run.py`.

The clinic, its staff, patients and plans are made through the services the app uses
(`clinic_create`, `user_create`, `patient_create`, `patient_account_create`, `plan_create`,
`plan_status_change`, `patient_discharge`), so they obey every rule real data does. The history
is too big for that: a year for 300 patients is about a hundred thousand sessions, and
`session_log_record` takes several queries for each one. So session logs, their entries and pain
reports are written with `bulk_create` in batches, holding what the services would have stored:
`performed_on` is the clinic-local day of `performed_at`, the prescribed dose is copied from the
plan item, the flag follows `session_safety_reasons`, a red flag's severity follows
`red_flags.severity_of`, and each row is dated when it happened rather than when it was written.

The data is random but seeded: one seed always gives the same clinic, relative to the day it is
built. A bench clinic is found by its seed; the size it was built at is kept in its address.
"""

import datetime
import math
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import slugify

from clinics.models import Clinic, Role, User
from clinics.services import clinic_create, user_create
from exercises.models import BodyRegion, Exercise
from patients import red_flags
from patients.models import (
    Difficulty,
    EntryStatus,
    PainReport,
    Patient,
    PatientStatus,
    SessionLog,
    SessionLogEntry,
    SkipReason,
)
from patients.services import (
    patient_account_create,
    patient_create,
    patient_discharge,
    session_safety_reasons,
)
from prescriptions import schedule
from prescriptions.catalog import starter_catalog_load
from prescriptions.models import Plan, PlanItem, PlanStatus
from prescriptions.services import ItemInput, plan_create, plan_status_change

BENCH_PASSWORD = "rehabit-bench-2026"
BENCH_TIME_ZONE = "America/New_York"
BATCH_SIZE = 2000
# A therapist's caseload: one therapist for every 50 patients, as in a busy outpatient clinic.
PATIENTS_PER_THERAPIST = 50
# Logs are written once this many are waiting, so memory stays flat whatever the clinic's size.
FLUSH_AT = 5 * BATCH_SIZE

MORNING = (6 * 60 + 30, 9 * 60)
MIDDAY = (12 * 60, 14 * 60)
EVENING = (18 * 60, 21 * 60 + 30)

MON_WED_FRI = schedule.mask_from_days([0, 2, 4])

CONDITIONS = {
    BodyRegion.LOWER_BACK: ["Acute low back pain", "Recurrent low back pain", "Lumbar strain"],
    BodyRegion.NECK: ["Neck stiffness from desk work", "Whiplash, six weeks on"],
    BodyRegion.SHOULDER: ["Rotator cuff tendinopathy", "Frozen shoulder, thawing phase"],
    BodyRegion.UPPER_BACK: ["Thoracic stiffness", "Postural upper back pain"],
    BodyRegion.HIP: ["Hip osteoarthritis", "After total hip replacement"],
    BodyRegion.KNEE: ["Knee osteoarthritis", "After ACL reconstruction", "Patellofemoral pain"],
    BodyRegion.ANKLE_FOOT: ["Lateral ankle sprain", "Plantar heel pain", "Achilles tendinopathy"],
}
FIRST_NAMES = [
    "Aisha",
    "Ben",
    "Carla",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jamal",
    "Keiko",
    "Liam",
    "Maya",
    "Noor",
    "Oscar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Ana",
    "Bruno",
    "Chloe",
    "Diego",
    "Emma",
    "Felix",
    "Hana",
    "Ivan",
    "Julia",
    "Kofi",
    "Lena",
    "Mateo",
    "Nina",
    "Omar",
]
LAST_NAMES = [
    "Abbott",
    "Becker",
    "Castro",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Novak",
    "Okafor",
    "Patel",
    "Quinn",
    "Rossi",
    "Silva",
    "Tanaka",
    "Usman",
    "Varga",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zhang",
    "Almeida",
    "Brennan",
    "Costa",
    "Dlamini",
    "Evans",
    "Ferreira",
    "Gomez",
    "Horvat",
    "Ivanova",
    "Jones",
    "Kim",
    "Lopez",
    "Mensah",
]
SESSION_NOTES = [
    "Felt stiff to start, easier by the end.",
    "Did it after a walk.",
    "Short on time today.",
    "Tired, but got through it.",
    "Much easier than last week.",
]


@dataclass(frozen=True)
class BenchSize:
    patients: int
    days: int
    seed: int

    @property
    def clinic_name(self) -> str:
        return f"Bench Clinic {self.seed}"

    @property
    def clinic_slug(self) -> str:
        return slugify(self.clinic_name)

    @property
    def label(self) -> str:
        return (
            f"Benchmark data: {self.patients} patients, {self.days} days of history, "
            f"seed {self.seed}."
        )

    @property
    def therapist_email(self) -> str:
        return bench_therapist_email(self.seed)


def bench_therapist_email(seed: int) -> str:
    return f"bench-therapist-{seed}@example.com"


def bench_clinic_find(seed: int) -> Clinic | None:
    return Clinic.objects.filter(slug=BenchSize(0, 0, seed).clinic_slug).first()


@dataclass
class BenchResult:
    status: str  # "created" or "present"
    clinic: Clinic
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


class BenchSizeMismatch(Exception):
    def __init__(self, clinic: Clinic):
        self.clinic = clinic
        super().__init__(clinic.address)


def bench_data_build(*, size: BenchSize, log: Callable[[str], None] = print) -> BenchResult:
    """The bench clinic for `size.seed`, built if it is not there. One of another size is left
    alone (BenchSizeMismatch): like any clinic, it has an audit trail, which nothing deletes.
    Building is one transaction, so an interrupted run leaves nothing behind."""
    existing = bench_clinic_find(size.seed)
    if existing is not None and existing.address == size.label:
        return BenchResult("present", existing, counts=bench_counts(existing))
    if existing is not None:
        raise BenchSizeMismatch(existing)
    started = time.perf_counter()
    with transaction.atomic():
        clinic = _Builder(size=size, log=log, started=started).build()
    seconds = time.perf_counter() - started
    return BenchResult("created", clinic, seconds=seconds, counts=bench_counts(clinic))


def bench_counts(clinic: Clinic) -> dict[str, int]:
    return {
        "staff": User.objects.filter(clinic=clinic).exclude(role=Role.PATIENT).count(),
        "patients": Patient.objects.filter(clinic=clinic).count(),
        "patient accounts": User.objects.filter(clinic=clinic, role=Role.PATIENT).count(),
        "plans": Plan.objects.filter(clinic=clinic).count(),
        "plan items": PlanItem.objects.filter(plan__clinic=clinic).count(),
        "session logs": SessionLog.objects.filter(clinic=clinic).count(),
        "session log entries": SessionLogEntry.objects.filter(session__clinic=clinic).count(),
        "flagged sessions": SessionLog.objects.filter(clinic=clinic, is_flagged=True).count(),
        "pain reports": PainReport.objects.filter(clinic=clinic).count(),
        "red-flag reports": PainReport.objects.filter(clinic=clinic)
        .exclude(red_flag_severity="")
        .count(),
    }


def bench_logins_enable(*, clinic: Clinic, patients: int) -> list[Patient]:
    """Let the load test (`bench/load.py`) sign in as the clinic's therapists and as the first
    `patients` active patients with a login and an active plan, with the bench password. The
    other accounts keep no usable password. Idempotent: an account that already has a usable
    password is left alone. Every account gets the same hash, made once: hashing a password
    takes about half a second by design, which would be minutes for a few hundred accounts."""
    chosen = list(
        Patient.objects.filter(
            clinic=clinic,
            status=PatientStatus.ACTIVE,
            user__isnull=False,
            plans__status=PlanStatus.ACTIVE,
        )
        .distinct()
        .select_related("user")
        .order_by("pk")[:patients]
    )
    accounts = User.objects.filter(
        Q(role=Role.THERAPIST, clinic=clinic) | Q(pk__in=[patient.user_id for patient in chosen])
    )
    locked = [user.pk for user in accounts if not user.has_usable_password()]
    if locked:
        User.objects.filter(pk__in=locked).update(password=make_password(BENCH_PASSWORD))
    return chosen


# Deleted by bench_clinic_delete in this order; any other model with a `clinic` foreign key (an
# alert acknowledgement, an audit entry) is a leaf that points at these, so it goes first.
@dataclass(frozen=True)
class PainCourse:
    """Pain before a session drifts from `start` to `end` over the patient's care, with noise;
    pain after is pain before plus one of `after_changes`."""

    start: float
    end: float
    after_changes: tuple[int, ...]

    def before(self, rng: random.Random, progress: float) -> int:
        trend = self.start + (self.end - self.start) * progress
        return _pain(round(trend) + rng.choice((-1, 0, 0, 0, 1)))

    def after(self, rng: random.Random, before: int) -> int:
        return _pain(before + rng.choice(self.after_changes))


def _pain(score: int) -> int:
    return max(0, min(10, score))


@dataclass
class Adherence:
    """The chance of doing a scheduled session: steady, middling, fading over the months, or
    lapsed (stopped altogether some days ago)."""

    kind: str
    start: float
    end: float
    lapsed_from: datetime.date | None = None

    def chance(self, day: datetime.date, progress: float) -> float:
        if self.lapsed_from is not None and day >= self.lapsed_from:
            return 0.0
        return self.start + (self.end - self.start) * progress


@dataclass
class PlanRun:
    """A plan as created, with the days its sessions may fall on."""

    plan: Plan
    items: list[PlanItem]
    first_day: datetime.date
    last_day: datetime.date


class _Builder:
    def __init__(self, *, size: BenchSize, log: Callable[[str], None], started: float):
        self.size = size
        self.log = log
        self.started = started
        self.now = timezone.now()
        self.pending_logs: list[tuple[SessionLog, list[SessionLogEntry]]] = []
        self.pending_reports: list[PainReport] = []
        self.written = {"logs": 0, "entries": 0, "reports": 0}

    def elapsed(self) -> str:
        return f"{time.perf_counter() - self.started:.1f} s"

    def build(self) -> Clinic:
        size = self.size
        starter_catalog_load()
        self.exercises = self._exercises_by_region()
        clinic = clinic_create(
            name=size.clinic_name,
            time_zone=BENCH_TIME_ZONE,
            contact_email=f"bench-{size.seed}@example.com",
            address=size.label,
        )
        self.clinic = clinic
        self.today = clinic.today()
        self.first_day = self.today - datetime.timedelta(days=size.days)
        self.therapists = self._staff_create()
        self.log(f"Clinic and {len(self.therapists)} therapists created ({self.elapsed()})")
        step = max(size.patients // 10, 1)
        for index in range(size.patients):
            self._patient_build(index)
            if (index + 1) % step == 0 or index + 1 == size.patients:
                self.log(
                    f"  {index + 1}/{size.patients} patients, "
                    f"{self.written['logs'] + len(self.pending_logs)} sessions ({self.elapsed()})"
                )
        self._flush()
        # Written today but describing the past year: date each row when it happened, as a row
        # recorded on the day would be (the correction window reads created_at).
        SessionLog.objects.filter(clinic=clinic).update(created_at=F("performed_at"))
        PainReport.objects.filter(clinic=clinic).update(created_at=F("recorded_at"))
        self.log(f"History written and dated ({self.elapsed()})")
        return clinic

    def _exercises_by_region(self) -> dict[str, list[Exercise]]:
        by_region: dict[str, list[Exercise]] = {}
        for exercise in Exercise.objects.shared().active().order_by("slug"):
            by_region.setdefault(exercise.body_region, []).append(exercise)
        return by_region

    def _staff_create(self) -> list[User]:
        seed = self.size.seed
        user_create(
            clinic=self.clinic,
            email=f"bench-admin-{seed}@example.com",
            full_name="Bench Admin",
            role=Role.CLINIC_ADMIN,
            password=BENCH_PASSWORD,
        )
        count = max(math.ceil(self.size.patients / PATIENTS_PER_THERAPIST), 1)
        therapists = [
            user_create(
                clinic=self.clinic,
                email=self.size.therapist_email,
                full_name="Bench Therapist",
                role=Role.THERAPIST,
                password=BENCH_PASSWORD,
            )
        ]
        for number in range(2, count + 1):
            therapists.append(
                user_create(
                    clinic=self.clinic,
                    email=f"bench-therapist-{seed}-{number}@example.com",
                    full_name=f"Therapist {number}",
                    role=Role.THERAPIST,
                    password=None,
                )
            )
        return therapists

    def _patient_build(self, index: int) -> None:
        rng = random.Random(f"bench-{self.size.seed}-patient-{index}")
        therapist = self.therapists[index % len(self.therapists)]
        region = rng.choice(list(CONDITIONS))
        # The first patient of each therapist has been in care all year and does well, so the
        # benchmark's patient page always has a full year to show.
        showcase = index < len(self.therapists)
        patient = patient_create(
            clinic=self.clinic,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            primary_therapist=therapist,
            email=f"bench{self.size.seed}.patient{index:04d}@example.com",
            date_of_birth=datetime.date(rng.randint(1940, 2005), rng.randint(1, 12), 1)
            + datetime.timedelta(days=rng.randrange(28)),
            condition=rng.choice(CONDITIONS[region]),
        )
        recorder = therapist
        if showcase or rng.random() < 0.85:
            recorder = patient_account_create(patient=patient, password=None)

        span = self.size.days
        if showcase or rng.random() < 0.5:
            start = self.first_day
        else:
            start = self.first_day + datetime.timedelta(days=rng.randrange(span + 1))
        end = self.today
        discharge = None
        if not showcase and (self.today - start).days > 60 and rng.random() < 0.12:
            discharge = start + datetime.timedelta(days=rng.randint(42, (self.today - start).days))
            end = discharge
        adherence = self._adherence(rng, showcase=showcase, start=start)
        course = self._pain_course(rng, showcase=showcase)
        morning_person = rng.random() < 0.5

        runs = self._plans_create(
            rng, patient=patient, therapist=therapist, region=region, start=start, end=end
        )
        care_days = max((end - start).days, 1)
        for run in runs:
            self._sessions_log(
                rng,
                patient=patient,
                run=run,
                recorder=recorder,
                adherence=adherence,
                course=course,
                care_start=start,
                care_days=care_days,
                morning_person=morning_person,
            )
        self._pain_reports(
            rng,
            patient=patient,
            recorder=recorder,
            region=region,
            course=course,
            start=start,
            end=end,
            recent_red_flag=index % 60 == 7 and discharge is None,
        )
        if discharge is not None:
            patient_discharge(patient=patient, discharged_by=therapist, on=discharge)
        if len(self.pending_logs) >= FLUSH_AT:
            self._flush()

    def _adherence(self, rng: random.Random, *, showcase: bool, start: datetime.date):
        kind = (
            "steady"
            if showcase
            else rng.choices(["steady", "middling", "fading", "lapsed"], weights=[40, 30, 15, 15])[
                0
            ]
        )
        if kind == "steady":
            chance = rng.uniform(0.85, 0.97)
            return Adherence(kind, chance, chance)
        if kind == "middling":
            chance = rng.uniform(0.4, 0.65)
            return Adherence(kind, chance, chance)
        if kind == "fading":
            return Adherence(kind, rng.uniform(0.8, 0.95), rng.uniform(0.1, 0.3))
        lapsed_from = self.today - datetime.timedelta(days=rng.randint(4, 30))
        return Adherence(kind, rng.uniform(0.6, 0.9), 0.6, lapsed_from=max(lapsed_from, start))

    def _pain_course(self, rng: random.Random, *, showcase: bool) -> PainCourse:
        kind = (
            "improving"
            if showcase
            else rng.choices(["improving", "worsening", "flat"], weights=[50, 12, 38])[0]
        )
        if kind == "improving":
            return PainCourse(rng.uniform(5, 7.5), rng.uniform(1, 3), (-2, -1, -1, 0, 0, 0, 1))
        if kind == "worsening":
            return PainCourse(rng.uniform(2.5, 4), rng.uniform(6, 7.5), (-1, 0, 0, 1, 1, 2))
        level = rng.uniform(3, 5)
        return PainCourse(level, level, (-1, 0, 0, 0, 1))

    def _plans_create(
        self,
        rng: random.Random,
        *,
        patient: Patient,
        therapist: User,
        region: str,
        start: datetime.date,
        end: datetime.date,
    ) -> list[PlanRun]:
        """The patient's course of care as phases of six to seventeen weeks; each phase has one
        or two plans, completed (now and then discontinued) when the next phase starts. The last
        phase's plans are still active; for a discharged patient `end` is the discharge day,
        and patient_discharge completes them then."""
        runs = []
        phase_start = start
        phase = 1
        while True:
            phase_end = phase_start + datetime.timedelta(days=rng.randint(42, 120))
            is_last = phase_end >= end
            if is_last:
                phase_end = end
            two_plans = rng.random() < 0.3
            phase_runs = []
            for number in range(2 if two_plans else 1):
                if number == 0:
                    pool = self.exercises.get(region) or self.exercises[BodyRegion.CORE]
                    title = f"{BodyRegion(region).label}: phase {phase}"
                else:
                    pool = self.exercises[BodyRegion.CORE]
                    title = f"Core and conditioning: phase {phase}"
                exercises = rng.sample(pool, k=min(rng.randint(2, 5), len(pool)))
                times_per_day = 2 if not two_plans and rng.random() < 0.3 else 1
                weekdays = rng.choices(
                    [schedule.EVERY_DAY, MON_WED_FRI, schedule.WEEKDAYS_ONLY], weights=[65, 25, 10]
                )[0]
                plan = plan_create(
                    patient=patient,
                    prescribed_by=therapist,
                    title=title,
                    start_date=phase_start,
                    items=[ItemInput.from_exercise(exercise) for exercise in exercises],
                    times_per_day=times_per_day,
                    weekdays=weekdays,
                )
                phase_runs.append(
                    PlanRun(plan, list(plan.items.order_by("position")), phase_start, phase_end)
                )
            runs.extend(phase_runs)
            if is_last:
                break
            for run in phase_runs:
                status = PlanStatus.DISCONTINUED if rng.random() < 0.05 else PlanStatus.COMPLETED
                plan_status_change(plan=run.plan, status=status, changed_by=therapist, on=phase_end)
            phase_start = phase_end + datetime.timedelta(days=1)
            phase += 1
        return runs

    def _sessions_log(
        self,
        rng: random.Random,
        *,
        patient: Patient,
        run: PlanRun,
        recorder: User,
        adherence: Adherence,
        course: PainCourse,
        care_start: datetime.date,
        care_days: int,
        morning_person: bool,
    ) -> None:
        plan = run.plan
        day = run.first_day
        while day <= run.last_day:
            if schedule.is_scheduled(plan.weekdays, day):
                progress = min((day - care_start).days / care_days, 1)
                chance = adherence.chance(day, progress)
                windows = [MORNING if morning_person else EVENING]
                if plan.times_per_day == 2:
                    windows = [MORNING, EVENING]
                for window in windows:
                    if rng.random() < chance:
                        self._session_add(
                            rng,
                            patient=patient,
                            run=run,
                            recorder=recorder,
                            day=day,
                            window=window,
                            course=course,
                            progress=progress,
                        )
            day += datetime.timedelta(days=1)

    def _session_add(
        self,
        rng: random.Random,
        *,
        patient: Patient,
        run: PlanRun,
        recorder: User,
        day: datetime.date,
        window: tuple[int, int],
        course: PainCourse,
        progress: float,
    ) -> None:
        performed_at = self._local_time(rng, day, window)
        if performed_at > self.now:
            return
        pain_before = pain_after = None
        if rng.random() < 0.9:
            pain_before = course.before(rng, progress)
            pain_after = course.after(rng, pain_before)
        entries = []
        for position, item in enumerate(run.items, start=1):
            status, skip_reason = EntryStatus.COMPLETED, SkipReason.NONE
            sets_done, repetitions_done, hold_done = item.sets, item.repetitions, item.hold_seconds
            roll = rng.random()
            if roll < 0.04:
                status, sets_done, repetitions_done, hold_done = EntryStatus.SKIPPED, 0, 0, 0
                if (pain_before or 0) >= 6 and rng.random() < 0.5:
                    skip_reason = SkipReason.PAIN
                else:
                    skip_reason = rng.choice(
                        [SkipReason.NO_TIME, SkipReason.TOO_HARD, SkipReason.OTHER]
                    )
            elif roll < 0.10:
                status = EntryStatus.PARTIAL
                repetitions_done = max(item.repetitions // 2, 1)
                hold_done = item.hold_seconds // 2
            entries.append(
                SessionLogEntry(
                    plan_item=item,
                    exercise_id=item.exercise_id,
                    position=position,
                    prescribed_sets=item.sets,
                    prescribed_repetitions=item.repetitions,
                    prescribed_hold_seconds=item.hold_seconds,
                    prescribed_rest_seconds=item.rest_seconds,
                    side=item.side,
                    sets_done=sets_done,
                    repetitions_done=repetitions_done,
                    hold_seconds_done=hold_done,
                    status=status,
                    skip_reason=skip_reason,
                )
            )
        if pain_before is None:
            difficulty = "" if rng.random() < 0.5 else Difficulty.ABOUT_RIGHT
        elif progress < 0.25 and pain_before >= 6:
            difficulty = Difficulty.TOO_HARD
        elif progress > 0.6 and pain_before <= 3 and rng.random() < 0.3:
            difficulty = Difficulty.TOO_EASY
        else:
            difficulty = Difficulty.ABOUT_RIGHT
        reasons = session_safety_reasons(
            pain_before=pain_before, pain_after=pain_after, entries=entries
        )
        session = SessionLog(
            clinic=self.clinic,
            patient=patient,
            plan=run.plan,
            # Bench plans are never revised while running, so every log did version 1.
            plan_version=1,
            performed_at=performed_at,
            performed_on=day,
            pain_before=pain_before,
            pain_after=pain_after,
            difficulty=difficulty,
            note=rng.choice(SESSION_NOTES) if rng.random() < 0.04 else "",
            is_flagged=bool(reasons),
            flag_reason="; ".join(str(reason) for reason in reasons)[:200],
            client_token=_token(rng),
            recorded_by=recorder,
        )
        self.pending_logs.append((session, entries))

    def _pain_reports(
        self,
        rng: random.Random,
        *,
        patient: Patient,
        recorder: User,
        region: str,
        course: PainCourse,
        start: datetime.date,
        end: datetime.date,
        recent_red_flag: bool,
    ) -> None:
        """About one report a week, on a random evening; low-back patients now and then tick a
        red flag, and a few report one in the last days so the dashboard has some to show."""
        location = str(BodyRegion(region).label)
        care_days = max((end - start).days, 1)
        day = start
        while day <= end:
            if rng.random() < 1 / 7:
                codes = []
                if region == BodyRegion.LOWER_BACK and rng.random() < 0.01:
                    codes = [rng.choice(red_flags.RED_FLAGS).code]
                self._report_add(
                    rng,
                    patient=patient,
                    recorder=recorder,
                    day=day,
                    score=course.before(rng, min((day - start).days / care_days, 1)),
                    location=location,
                    codes=codes,
                )
            day += datetime.timedelta(days=1)
        if recent_red_flag:
            day = self.today - datetime.timedelta(days=rng.randint(1, 4))
            codes = rng.sample([flag.code for flag in red_flags.RED_FLAGS], k=rng.randint(1, 2))
            self._report_add(
                rng,
                patient=patient,
                recorder=recorder,
                day=max(day, start),
                score=_pain(course.before(rng, 1) + 2),
                location=location,
                codes=codes,
            )

    def _report_add(self, rng, *, patient, recorder, day, score, location, codes) -> None:
        recorded_at = self._local_time(rng, day, EVENING if rng.random() < 0.7 else MIDDAY)
        if recorded_at > self.now:
            return
        self.pending_reports.append(
            PainReport(
                clinic=self.clinic,
                patient=patient,
                recorded_at=recorded_at,
                recorded_on=day,
                score=score,
                body_location=location,
                red_flags=codes,
                red_flag_severity=red_flags.severity_of(codes).value,
                client_token=_token(rng),
                recorded_by=recorder,
            )
        )

    def _flush(self) -> None:
        sessions = [session for session, _ in self.pending_logs]
        SessionLog.objects.bulk_create(sessions, batch_size=BATCH_SIZE)
        entries = []
        for session, session_entries in self.pending_logs:
            for entry in session_entries:
                entry.session = session
            entries.extend(session_entries)
        SessionLogEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)
        PainReport.objects.bulk_create(self.pending_reports, batch_size=BATCH_SIZE)
        self.written["logs"] += len(sessions)
        self.written["entries"] += len(entries)
        self.written["reports"] += len(self.pending_reports)
        self.pending_logs = []
        self.pending_reports = []

    def _local_time(
        self, rng: random.Random, day: datetime.date, window: tuple[int, int]
    ) -> datetime.datetime:
        """A time on `day` in the clinic's zone, on a five-minute mark within `window`."""
        minutes = rng.randrange(window[0], window[1] + 1, 5)
        return datetime.datetime.combine(
            day, datetime.time(minutes // 60, minutes % 60), tzinfo=self.clinic.zone
        )


def _token(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)
