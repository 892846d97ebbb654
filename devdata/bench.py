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
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from clinics.models import Clinic, Role, User
from clinics.services import clinic_create, user_create
from devdata import history
from exercises.models import BodyRegion, Exercise
from patients import red_flags
from patients.models import (
    PainReport,
    Patient,
    PatientStatus,
    PatientSummary,
    SessionLog,
    SessionLogEntry,
    SkipReason,
)
from patients.services import (
    EntryInput,
    patient_account_create,
    patient_create,
    patient_discharge,
    session_safety_reasons,
)
from patients.summary import summaries_rebuild
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

MORNING = history.TimeWindow(datetime.time(6, 30), datetime.time(9, 0))
MIDDAY = history.TimeWindow(datetime.time(12, 0), datetime.time(14, 0))
EVENING = history.TimeWindow(datetime.time(18, 0), datetime.time(21, 30))

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
        if not PatientSummary.objects.filter(patient__clinic=existing).exists():
            # Built before the summaries were kept.
            summaries_rebuild(clinic=existing)
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
class Care:
    """One patient's course of care, from `start` to `end` (today, or the day they were
    discharged), and how they go through it; `rng` is the random stream of their history and
    `recorder` who logs it (their own account, or their therapist at the clinic)."""

    rng: random.Random
    patient: Patient
    recorder: User
    region: str
    start: datetime.date
    end: datetime.date
    adherence: Adherence
    course: history.PainCourse
    morning_person: bool

    def progress(self, day: datetime.date) -> float:
        return history.progress_on(
            day, start=self.start, span_days=max((self.end - self.start).days, 1)
        )

    @property
    def location(self) -> str:
        return str(BodyRegion(self.region).label)


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
        history.backdate(clinic)
        self.log(f"History written and dated ({self.elapsed()})")
        # The logs went in by bulk insert, past the services that keep the summaries.
        summaries, day_counts = summaries_rebuild(clinic=clinic)
        self.log(f"{summaries} patient summaries and {day_counts} day counts ({self.elapsed()})")
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
        care = Care(
            rng=rng,
            patient=patient,
            recorder=recorder,
            region=region,
            start=start,
            end=end,
            adherence=self._adherence(rng, showcase=showcase, start=start),
            course=self._pain_course(rng, showcase=showcase),
            morning_person=rng.random() < 0.5,
        )
        for run in self._plans_create(care, therapist=therapist):
            self._sessions_log(care, run)
        self._pain_reports(care, recent_red_flag=index % 60 == 7 and discharge is None)
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

    def _pain_course(self, rng: random.Random, *, showcase: bool) -> history.PainCourse:
        kind = (
            "improving"
            if showcase
            else rng.choices(["improving", "worsening", "flat"], weights=[50, 12, 38])[0]
        )
        if kind == "improving":
            return history.PainCourse(
                start=rng.uniform(5, 7.5),
                end=rng.uniform(1, 3),
                after_changes=(-2, -1, -1, 0, 0, 0, 1),
            )
        if kind == "worsening":
            return history.PainCourse(
                start=rng.uniform(2.5, 4),
                end=rng.uniform(6, 7.5),
                after_changes=(-1, 0, 0, 1, 1, 2),
            )
        level = rng.uniform(3, 5)
        return history.PainCourse(start=level, end=level, after_changes=(-1, 0, 0, 0, 1))

    def _plans_create(self, care: Care, *, therapist: User) -> list[PlanRun]:
        """The patient's course of care as phases of six to seventeen weeks; each phase has one
        or two plans, completed (now and then discontinued) when the next phase starts. The last
        phase's plans are still active; for a discharged patient the care ends on the discharge
        day, and patient_discharge completes them then."""
        rng = care.rng
        runs = []
        phase_start = care.start
        phase = 1
        while True:
            phase_end = phase_start + datetime.timedelta(days=rng.randint(42, 120))
            is_last = phase_end >= care.end
            if is_last:
                phase_end = care.end
            two_plans = rng.random() < 0.3
            phase_runs = []
            for number in range(2 if two_plans else 1):
                if number == 0:
                    pool = self.exercises.get(care.region) or self.exercises[BodyRegion.CORE]
                    title = f"{BodyRegion(care.region).label}: phase {phase}"
                else:
                    pool = self.exercises[BodyRegion.CORE]
                    title = f"Core and conditioning: phase {phase}"
                exercises = rng.sample(pool, k=min(rng.randint(2, 5), len(pool)))
                times_per_day = 2 if not two_plans and rng.random() < 0.3 else 1
                weekdays = rng.choices(
                    [schedule.EVERY_DAY, MON_WED_FRI, schedule.WEEKDAYS_ONLY], weights=[65, 25, 10]
                )[0]
                plan = plan_create(
                    patient=care.patient,
                    prescribed_by=therapist,
                    title=title,
                    start_date=phase_start,
                    items=[ItemInput.from_exercise(exercise) for exercise in exercises],
                    times_per_day=times_per_day,
                    weekdays=weekdays,
                    today=phase_start,
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

    def _sessions_log(self, care: Care, run: PlanRun) -> None:
        """The sessions of one plan: each scheduled time of day is done or not by the patient's
        adherence, in the morning or the evening as suits them (both, on a twice-a-day plan)."""
        windows = [MORNING if care.morning_person else EVENING]
        if run.plan.times_per_day == 2:
            windows = [MORNING, EVENING]
        for day in history.days_from(run.first_day, run.last_day):
            if not schedule.is_scheduled(run.plan.weekdays, day):
                continue
            progress = care.progress(day)
            chance = care.adherence.chance(day, progress)
            for window in windows:
                if care.rng.random() < chance:
                    self._session_add(care, run, day=day, window=window, progress=progress)

    def _session_add(
        self,
        care: Care,
        run: PlanRun,
        *,
        day: datetime.date,
        window: history.TimeWindow,
        progress: float,
    ) -> None:
        rng = care.rng
        performed_at = window.pick(rng, day, self.clinic.zone)
        if performed_at > self.now:
            return
        pain_before = pain_after = None
        if rng.random() < 0.9:
            pain_before = care.course.before(rng, progress)
            pain_after = care.course.after(rng, pain_before)
        entries = [_entry_done(rng, item, pain_before=pain_before) for item in run.items]
        difficulty = history.difficulty_felt(
            rng, pain_before=pain_before, progress=progress, too_easy_after=0.6
        )
        reasons = session_safety_reasons(
            pain_before=pain_before, pain_after=pain_after, entries=entries
        )
        session = SessionLog(
            clinic=self.clinic,
            patient=care.patient,
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
            client_token=history.client_token(rng),
            recorded_by=care.recorder,
        )
        rows = [
            entry.log_entry(position=position) for position, entry in enumerate(entries, start=1)
        ]
        self.pending_logs.append((session, rows))

    def _pain_reports(self, care: Care, *, recent_red_flag: bool) -> None:
        """About one report a week, on a random evening; low-back patients now and then tick a
        red flag, and a few report one in the last days so the dashboard has some to show."""
        rng = care.rng
        for day in history.days_from(care.start, care.end):
            if rng.random() < 1 / 7:
                codes = []
                if care.region == BodyRegion.LOWER_BACK and rng.random() < 0.01:
                    codes = [rng.choice(red_flags.RED_FLAGS).code]
                self._report_add(
                    care, day=day, score=care.course.before(rng, care.progress(day)), codes=codes
                )
        if recent_red_flag:
            day = self.today - datetime.timedelta(days=rng.randint(1, 4))
            codes = rng.sample([flag.code for flag in red_flags.RED_FLAGS], k=rng.randint(1, 2))
            self._report_add(
                care,
                day=max(day, care.start),
                score=history.pain_clamped(care.course.before(rng, 1) + 2),
                codes=codes,
            )

    def _report_add(self, care: Care, *, day: datetime.date, score: int, codes: list[str]) -> None:
        rng = care.rng
        recorded_at = (EVENING if rng.random() < 0.7 else MIDDAY).pick(rng, day, self.clinic.zone)
        if recorded_at > self.now:
            return
        self.pending_reports.append(
            PainReport(
                clinic=self.clinic,
                patient=care.patient,
                recorded_at=recorded_at,
                recorded_on=day,
                score=score,
                body_location=care.location,
                red_flags=codes,
                red_flag_severity=red_flags.severity_of(codes).value,
                client_token=history.client_token(rng),
                recorded_by=care.recorder,
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


def _entry_done(rng: random.Random, item: PlanItem, *, pain_before: int | None) -> EntryInput:
    """Mostly as prescribed; now and then skipped (for pain, more often when it is high) or
    done with half the repetitions and half the hold."""
    roll = rng.random()
    if roll < 0.04:
        if (pain_before or 0) >= 6 and rng.random() < 0.5:
            reason = SkipReason.PAIN
        else:
            reason = rng.choice([SkipReason.NO_TIME, SkipReason.TOO_HARD, SkipReason.OTHER])
        return history.entry_skipped(item, reason=reason)
    if roll < 0.10:
        return history.entry_partial(
            item,
            repetitions_done=max(item.repetitions // 2, 1),
            hold_seconds_done=item.hold_seconds // 2,
        )
    return EntryInput.as_prescribed(item)
