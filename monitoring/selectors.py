"""What the monitoring pages read: days with data per 30-day period, the month's minutes and
interactive communications, for one patient (their page) or a clinic's month (the report).
Each reads a fixed number of queries however many patients, periods or entries there are."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, Sum
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from clinics.models import Clinic, Role, User
from messaging.models import Message
from outcomes.models import OutcomeEntry, Source
from patients.models import PainReport, Patient, SessionLog

from .minutes import MinutesProgress, minutes_progress
from .models import Communication, Enrolment, TimeEntry
from .periods import Band, Period, band_for, period_number, period_of, periods_between

MONTHS_OFFERED = 24
MESSAGES_OFFERED = 30


def data_days(
    *, clinic: Clinic, patient_ids: list[int], first_day: datetime.date, last_day: datetime.date
) -> dict[int, set[datetime.date]]:
    """The clinic-local days from `first_day` to `last_day` on which each patient recorded
    something: a session, a pain report, or an outcome measure they answered themselves (a
    PSFS; a total the therapist copied from a form in the clinic is not data from home). A
    session at 23:30 counts on that evening's day, wherever the server is."""
    if not patient_ids or last_day < first_day:
        return {}
    zone = clinic.zone
    start = datetime.datetime.combine(first_day, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        last_day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    sessions = (
        SessionLog.objects.filter(
            patient_id__in=patient_ids, performed_at__gte=start, performed_at__lt=end
        )
        .annotate(day=TruncDate("performed_at", tzinfo=zone))
        .values_list("patient_id", "day")
        .order_by()
    )
    pain = (
        PainReport.objects.filter(
            patient_id__in=patient_ids, recorded_at__gte=start, recorded_at__lt=end
        )
        .annotate(day=TruncDate("recorded_at", tzinfo=zone))
        .values_list("patient_id", "day")
        .order_by()
    )
    # An outcome entry's date is already the clinic's day it was answered on.
    outcomes = (
        OutcomeEntry.objects.filter(
            patient_id__in=patient_ids,
            source=Source.PATIENT,
            assessed_on__gte=first_day,
            assessed_on__lte=last_day,
        )
        .values_list("patient_id", "assessed_on")
        .order_by()
    )
    days: dict[int, set[datetime.date]] = defaultdict(set)
    for patient_id, day in sessions.union(pain, outcomes).order_by():
        days[patient_id].add(day)
    return days


@dataclass(frozen=True)
class PeriodRow:
    period: Period
    days_with_data: int
    band: Band
    is_current: bool = False


def _period_rows(
    periods: list[Period], days: set[datetime.date], *, current: int | None = None
) -> list[PeriodRow]:
    rows = []
    for period in periods:
        count = sum(1 for day in days if period.first_day <= day <= period.last_day)
        rows.append(PeriodRow(period, count, band_for(count), period.number == current))
    return rows


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(first: datetime.date) -> datetime.date:
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def month_from(value, *, today: datetime.date) -> datetime.date:
    """The first day of the month `value` ("2026-03") names, or of the current one when it
    names none or a month not begun yet."""
    this_month = month_start(today)
    try:
        year, month = (int(part) for part in str(value or "").split("-"))
        chosen = datetime.date(year, month, 1)
    except (ValueError, TypeError):
        return this_month
    return min(chosen, this_month)


def months_offered(*, today: datetime.date) -> list[datetime.date]:
    months, first = [], month_start(today)
    for _step in range(MONTHS_OFFERED):
        months.append(first)
        first = month_start(first - datetime.timedelta(days=1))
    return months


def _month_minutes(*, patient_ids: list[int], first: datetime.date, last: datetime.date):
    standing = TimeEntry.objects.standing().filter(
        patient_id__in=patient_ids, performed_on__gte=first, performed_on__lte=last
    )
    totals = dict(
        standing.values("patient_id")
        .order_by()
        .annotate(total=Sum("minutes"))
        .values_list("patient_id", "total")
    )
    communications: dict[int, list[datetime.date]] = defaultdict(list)
    for patient_id, day in (
        standing.exclude(communication=Communication.NONE)
        .values_list("patient_id", "performed_on")
        .order_by("patient_id", "performed_on")
        .distinct()
    ):
        communications[patient_id].append(day)
    return totals, communications


@dataclass
class PatientMonitoring:
    """The monitoring section of a patient's page."""

    patient: Patient
    enrolment: Enrolment | None
    today: datetime.date
    current: PeriodRow | None = None
    earlier: list[PeriodRow] = field(default_factory=list)
    month: datetime.date | None = None
    month_last_day: datetime.date | None = None
    previous_month: datetime.date | None = None
    next_month: datetime.date | None = None
    entries: list[TimeEntry] = field(default_factory=list)
    progress: MinutesProgress | None = None
    communication_days: list[datetime.date] = field(default_factory=list)

    @property
    def is_active(self) -> bool:
        return self.enrolment is not None and (
            self.enrolment.ended_on is None or self.enrolment.ended_on >= self.today
        )

    @property
    def days_remaining(self) -> int:
        if self.current is None or not self.is_active:
            return 0
        remaining = self.current.period.days_remaining(self.today)
        if self.enrolment.ended_on is not None:
            remaining = min(remaining, (self.enrolment.ended_on - self.today).days)
        return remaining

    @property
    def days_so_far(self) -> int:
        return self.current.period.days_elapsed(self.today) if self.current else 0


def patient_monitoring(*, patient: Patient, month=None) -> PatientMonitoring:
    """The patient's monitoring: the period under way (or the last one, once ended), earlier
    periods, and the time logged in `month` (the current month by default) with its total
    against the thresholds and the days of interactive communication."""
    clinic = patient.clinic
    today = clinic.today()
    enrolment = Enrolment.objects.filter(patient=patient).first()
    section = PatientMonitoring(patient=patient, enrolment=enrolment, today=today)
    if enrolment is None or enrolment.started_on > today:
        return section
    last_day = min(today, enrolment.ended_on or today)
    current_number = period_number(started_on=enrolment.started_on, day=last_day)
    periods = [
        period_of(started_on=enrolment.started_on, number=n) for n in range(1, current_number + 1)
    ]
    days = data_days(
        clinic=clinic,
        patient_ids=[patient.pk],
        first_day=enrolment.started_on,
        last_day=periods[-1].last_day,
    ).get(patient.pk, set())
    rows = _period_rows(periods, days, current=current_number)
    section.current, section.earlier = rows[-1], rows[-2::-1]

    first = month_from(month, today=today)
    last = month_end(first)
    section.month, section.month_last_day = first, last
    section.previous_month = month_start(first - datetime.timedelta(days=1))
    if first < month_start(today):
        section.next_month = last + datetime.timedelta(days=1)
    section.entries = list(
        TimeEntry.objects.filter(patient=patient, performed_on__gte=first, performed_on__lte=last)
        .select_related("recorded_by", "message", "corrected_by", "supersedes")
        .order_by("performed_on", "id")
    )
    totals, communications = _month_minutes(patient_ids=[patient.pk], first=first, last=last)
    section.progress = minutes_progress(totals.get(patient.pk, 0))
    section.communication_days = communications.get(patient.pk, [])
    return section


def enrolment_of(*, patient: Patient) -> Enrolment | None:
    return Enrolment.objects.filter(patient=patient).first()


def own_messages_offered(*, patient: Patient, author: User):
    """The author's latest messages in the patient's conversation, newest first, to link a
    time entry to the reply it was spent on."""
    return Message.objects.filter(patient=patient, author=author).order_by("-created_at", "-id")[
        :MESSAGES_OFFERED
    ]


@dataclass(frozen=True)
class ReportRow:
    patient: Patient
    enrolment: Enrolment
    periods: list[PeriodRow]
    progress: MinutesProgress
    communication_days: list[datetime.date]


@dataclass
class MonthlyReport:
    month: datetime.date
    last_day: datetime.date
    today: datetime.date
    whole_clinic: bool
    rows: list[ReportRow]
    months: list[datetime.date]

    @property
    def patients(self) -> list[Patient]:
        return [row.patient for row in self.rows]


def monthly_report(*, user: User, month=None) -> MonthlyReport:
    """Every patient whose monitoring overlaps the month (a therapist's own patients; the
    whole clinic for an admin): their periods overlapping it with days with data and band, the
    month's minutes and the days of interactive communication."""
    clinic = user.clinic
    today = clinic.today()
    first = month_from(month, today=today)
    last = month_end(first)
    enrolments = (
        Enrolment.objects.for_clinic(clinic)
        .filter(started_on__lte=min(last, today))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .select_related("patient", "patient__primary_therapist", "patient__clinic")
        .order_by("patient__last_name", "patient__first_name", "patient_id")
    )
    whole_clinic = user.role == Role.CLINIC_ADMIN
    if not whole_clinic:
        enrolments = enrolments.filter(patient__primary_therapist=user)
    enrolments = list(enrolments)
    periods = {
        enrolment.patient_id: periods_between(
            started_on=enrolment.started_on,
            ended_on=enrolment.ended_on,
            first_day=first,
            last_day=min(last, today),
        )
        for enrolment in enrolments
    }
    ids = [enrolment.patient_id for enrolment in enrolments]
    spans = [period for patient_periods in periods.values() for period in patient_periods]
    days = (
        data_days(
            clinic=clinic,
            patient_ids=ids,
            first_day=min(period.first_day for period in spans),
            last_day=max(period.last_day for period in spans),
        )
        if spans
        else {}
    )
    totals, communications = _month_minutes(patient_ids=ids, first=first, last=last)
    current = {
        enrolment.patient_id: period_number(started_on=enrolment.started_on, day=today)
        for enrolment in enrolments
    }
    rows = [
        ReportRow(
            patient=enrolment.patient,
            enrolment=enrolment,
            periods=_period_rows(
                periods[enrolment.patient_id],
                days.get(enrolment.patient_id, set()),
                current=current[enrolment.patient_id],
            ),
            progress=minutes_progress(totals.get(enrolment.patient_id, 0)),
            communication_days=communications.get(enrolment.patient_id, []),
        )
        for enrolment in enrolments
    ]
    return MonthlyReport(
        month=first,
        last_day=last,
        today=today,
        whole_clinic=whole_clinic,
        rows=rows,
        months=months_offered(today=today),
    )


def report_csv_rows(report: MonthlyReport) -> list[list]:
    """The report as a table, one row per patient and period."""
    header = [
        _("Patient record number"),
        _("Patient"),
        _("Primary therapist"),
        _("Monitoring set up on"),
        _("Monitoring ended on"),
        _("Period"),
        _("Period first day"),
        _("Period last day"),
        _("Days with data"),
        _("Band"),
        _("Month"),
        _("Patient's minutes in the month"),
        _("Interactive communication dates in the month"),
    ]
    rows = [header]
    for row in report.rows:
        therapist = row.patient.primary_therapist
        for period_row in row.periods:
            rows.append(
                [
                    row.patient.pk,
                    row.patient.full_name,
                    therapist.full_name if therapist else "",
                    row.enrolment.started_on.isoformat(),
                    row.enrolment.ended_on.isoformat() if row.enrolment.ended_on else "",
                    period_row.period.number,
                    period_row.period.first_day.isoformat(),
                    period_row.period.last_day.isoformat(),
                    period_row.days_with_data,
                    str(period_row.band.label),
                    report.month.strftime("%Y-%m"),
                    row.progress.total,
                    " ".join(day.isoformat() for day in row.communication_days),
                ]
            )
    return rows
