"""The therapist's caseload dashboard: one row per patient with their active plans, adherence,
last session, pain against baseline, a 30-day pain sparkline, open alerts and unread messages.

Unless another order is chosen, it is a triage list: patients by their most pressing open alert
(its level, emergency first, then how long it has waited, the longest first; see
insights/alerts.py), then those without open alerts.

Sorting by adherence, pain or alerts needs those figures for every patient the filters keep, not
just the page shown, so they are worked out for the whole filtered caseload by the fixed-query
selectors (adherence, pain trends, alerts), the rows (one per patient, never one per log) are
sorted in Python, and only then paginated. What no sort or alert needs is read for the page
alone: the sparklines' points, and the 30-day adherence unless the table is sorted by it.
The number of queries stays the same whatever the size of the caseload.
"""

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from messaging.selectors import unread_messages_subquery
from patients.adherence import Adherence
from patients.models import PainReport, Patient, PatientStatus
from patients.red_flags import Severity
from patients.selectors.adherence import adherence_for_patients
from patients.trends import PainTrend

from ..alerts import (
    ADHERENCE_WINDOW,
    LEVEL_RANK,
    RECENT_FLAG_DAYS,
    ActivePlan,
    Alert,
    PatientAlerts,
)
from ..sparkline import Sparkline, pain_sparkline
from .alerts import active_plans_for, alerts_for_patients
from .trends import pain_series_for_patients, pain_trends_for_patients


def caseload(
    *, user, scope: str = "mine", status: str = PatientStatus.ACTIVE, query: str = ""
) -> QuerySet[Patient]:
    """The clinic's patients for a staff member: their own first, each with the last session
    and how many messages the staff member has not read, in one query whatever the caseload
    size (their active plans: `active_plans_for`)."""
    patients = (
        Patient.objects.for_clinic(user.clinic)
        .select_related("primary_therapist")
        .annotate(
            is_mine=Case(
                When(primary_therapist=user, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            # The latest session, kept in the patient's summary as sessions are logged.
            last_session_at=F("summary__last_session_at"),
            unread_messages=unread_messages_subquery(reader=user),
        )
        .order_by("is_mine", "last_name", "first_name", "id")
    )
    if scope == "mine":
        patients = patients.filter(primary_therapist=user)
    if status:
        patients = patients.filter(status=status)
    for word in query.split():
        patients = patients.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return patients


PAGE_SIZE = 25
# How many of the banner's emergencies are shown with their flag and acknowledge form.
BANNER_IN_FULL = 5
SPARKLINE_DAYS = 30
MONTH_WINDOW = 30
WINDOWS = (ADHERENCE_WINDOW, MONTH_WINDOW)


@dataclass(frozen=True)
class Sort:
    value: str  # a key of SORT_VALUES, `-` in front for descending
    label: str


# The orders the caseload can be read in, for the "Sort by" list. The first, no sort, is
# triage: the most pressing open alert first (severity, then how long it has waited).
SORTS = [
    Sort("", _("Most pressing first")),
    Sort("name", _("Name, A to Z")),
    Sort("-name", _("Name, Z to A")),
    Sort("-alerts", _("Alerts, most pressing first")),
    Sort("alerts", _("Alerts, least pressing first")),
    Sort("adherence_7", _("Adherence over 7 days, lowest first")),
    Sort("-adherence_7", _("Adherence over 7 days, highest first")),
    Sort("adherence_30", _("Adherence over 30 days, lowest first")),
    Sort("-adherence_30", _("Adherence over 30 days, highest first")),
    Sort("-pain", _("Latest pain, highest first")),
    Sort("pain", _("Latest pain, lowest first")),
    Sort("-change", _("Pain change, most worsened first")),
    Sort("change", _("Pain change, most improved first")),
    Sort("last_session", _("Last session, longest ago first")),
    Sort("-last_session", _("Last session, most recent first")),
    Sort("plans", _("Plan, A to Z")),
    Sort("-plans", _("Plan, Z to A")),
    # Offered with "My patients" too: the list of orders stays put while the scope changes
    # under it, and one therapist's patients simply keep their name order.
    Sort("therapist", _("Therapist, A to Z")),
    Sort("-therapist", _("Therapist, Z to A")),
]
SORTS_BY_VALUE = {sort.value: sort for sort in SORTS}


@dataclass
class DashboardRow:
    patient: Patient
    plans: list[ActivePlan]
    adherence: dict[int, Adherence]
    last_session_at: datetime.datetime | None
    trend: PainTrend
    alerts: PatientAlerts
    sparkline: Sparkline | None = None

    @property
    def week(self) -> Adherence | None:
        return self.adherence.get(7)

    @property
    def month(self) -> Adherence | None:
        return self.adherence.get(30)

    @property
    def change_text(self) -> str:
        """The change against baseline with its sign, e.g. "−3.5" or "+2"."""
        change = self.trend.change
        if change is None:
            return ""
        text = _one_decimal(abs(change))
        if text == "0":
            return "0"
        return f"−{text}" if change < 0 else f"+{text}"

    @property
    def last_session_ago(self) -> str:
        """How long ago, in its largest unit only: "2 days", "21 hours"."""
        return timesince(self.last_session_at, depth=1) if self.last_session_at else ""

    @property
    def baseline_text(self) -> str:
        return "" if self.trend.baseline is None else _one_decimal(self.trend.baseline)

    @property
    def needs_attention(self) -> bool:
        return self.alerts.open_count > 0

    @property
    def most_pressing(self) -> Alert | None:
        return self.alerts.most_pressing

    @property
    def other_open(self) -> list[Alert]:
        """The open alerts after the most pressing one, most pressing first."""
        top = self.most_pressing
        return sorted(
            (alert for alert in self.alerts.open if alert is not top),
            key=lambda alert: alert.triage_key,
        )


def _one_decimal(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _name_key(row: DashboardRow) -> tuple:
    patient = row.patient
    return (patient.last_name.lower(), patient.first_name.lower(), patient.pk)


def _ratio(adherence: Adherence | None) -> float | None:
    return None if adherence is None else adherence.ratio


def _pressing(row: DashboardRow) -> tuple | None:
    """Larger is more pressing: the more severe level, then the longer wait."""
    top = row.most_pressing
    if top is None:
        return None
    rank, waiting_since = top.triage_key
    return (-rank, -waiting_since, row.alerts.open_count)


SORT_VALUES = {
    "name": _name_key,
    "therapist": lambda row: (
        row.patient.primary_therapist.full_name.lower() if row.patient.primary_therapist else None
    ),
    "plans": lambda row: row.plans[0].title.lower() if row.plans else None,
    "adherence_7": lambda row: _ratio(row.week),
    "adherence_30": lambda row: _ratio(row.month),
    "last_session": lambda row: row.last_session_at,
    "pain": lambda row: row.trend.latest,
    "change": lambda row: row.trend.change,
    "alerts": _pressing,
}
SORT_KEYS = frozenset(SORT_VALUES)


def sort_rows(rows: list[DashboardRow], sort: str) -> list[DashboardRow]:
    """Rows in the order `sort` asks for (a column key, `-` in front for descending); patients
    with no value for the column (nothing prescribed, no pain scores) come last either way,
    and ties go by name. No sort: triage, the patient whose most pressing open alert is the
    most severe first, among equals the one waiting longest; then patients without open
    alerts, the staff member's own first (with all of the clinic's patients shown), by name."""
    rows = sorted(rows, key=_name_key)
    key = sort.removeprefix("-")
    if key not in SORT_VALUES:
        no_alert = (len(LEVEL_RANK), 0.0)
        return sorted(
            rows,
            key=lambda row: (
                row.most_pressing.triage_key if row.most_pressing else no_alert,
                getattr(row.patient, "is_mine", 0),
            ),
        )
    if key == "name":
        return rows[::-1] if sort.startswith("-") else rows
    value_of = SORT_VALUES[key]
    with_value = [row for row in rows if value_of(row) is not None]
    without = [row for row in rows if value_of(row) is None]
    # Python's sort is stable also when reversed, so equal values keep the name order.
    with_value.sort(key=value_of, reverse=sort.startswith("-"))
    return with_value + without


@dataclass
class Dashboard:
    today: datetime.date
    page: Page
    sort: str
    scope: str
    total: int
    needs_attention_count: int
    rows: list[DashboardRow] = field(default_factory=list, repr=False)
    # The filters applied, for the empty states: what to clear to see patients again.
    query: str = ""
    status: str = PatientStatus.ACTIVE
    needs_attention: bool = False
    # Open emergency red flags of the patients in scope (mine or all, and status), newest
    # first, whatever the search, the page, the sort and "needs attention": the banner above
    # the table.
    emergencies: list[tuple[Patient, Alert]] = field(default_factory=list)

    @property
    def emergencies_in_full(self) -> list[tuple[Patient, Alert]]:
        """The newest emergencies, each with its flag and the acknowledge form at hand."""
        return self.emergencies[:BANNER_IN_FULL]

    @property
    def emergencies_in_brief(self) -> list[tuple[Patient, Alert]]:
        """The others, one line each (name, phone, the patient's page to acknowledge on): all
        of them stay in view, and the banner stays light when many are waiting."""
        return self.emergencies[BANNER_IN_FULL:]

    @property
    def sorted_by(self) -> Sort | None:
        return SORTS_BY_VALUE.get(self.sort) if self.sort else None


def _emergencies_in(found) -> list[tuple[Patient, Alert]]:
    """The open emergency red flags among (patient, PatientAlerts) pairs, newest first."""
    emergencies = [
        (patient, alert) for patient, alerts in found for alert in alerts.open if alert.is_emergency
    ]
    return sorted(emergencies, key=lambda pair: pair[1].at, reverse=True)


def open_emergencies(
    *, user, scope: str, status: str, today: datetime.date
) -> list[tuple[Patient, Alert]]:
    """The open emergency red flags of the staff member's patients in scope and status, newest
    first, whatever name was searched for: the banner stays while the table shows a search.
    Only patients who reported an emergency red flag in the alert's window are read."""
    flag_since = today - datetime.timedelta(days=RECENT_FLAG_DAYS - 1)
    reported = PainReport.objects.filter(
        patient=OuterRef("pk"),
        red_flag_severity=Severity.EMERGENCY,
        recorded_on__gte=flag_since,
    )
    patients = list(caseload(user=user, scope=scope, status=status).filter(Exists(reported)))
    alerts = alerts_for_patients(
        clinic=user.clinic, patient_ids=[patient.pk for patient in patients], today=today
    )
    return _emergencies_in(
        (patient, alerts.get(patient.pk) or PatientAlerts()) for patient in patients
    )


def dashboard(
    *,
    user,
    scope: str = "mine",
    status: str = PatientStatus.ACTIVE,
    query: str = "",
    needs_attention: bool = False,
    sort: str = "",
    page_number=None,
    per_page: int = PAGE_SIZE,
) -> Dashboard:
    """The caseload dashboard for a staff member: their own patients (`scope="mine"`) or all
    of the clinic's, filtered by status, name and "needs attention", sorted, one page of rows.
    A fixed number of queries whatever the caseload size."""
    clinic = user.clinic
    today = clinic.today()
    patients = list(caseload(user=user, scope=scope, status=status, query=query))
    ids = [patient.pk for patient in patients]
    # The 7-day figure decides an alert, so every patient needs it; the 30-day one only for the
    # rows shown, unless the table is sorted by it.
    everyone_needs_month = sort.removeprefix("-") == "adherence_30"
    adherence = adherence_for_patients(
        patient_ids=ids,
        today=today,
        windows=WINDOWS if everyone_needs_month else (ADHERENCE_WINDOW,),
        with_days=False,
    )
    # The figures for every patient, for sorting and alerts; the sparkline's 30 days of points
    # are read below for the page alone.
    trends = pain_trends_for_patients(patient_ids=ids, today=today, days=0)
    plans = active_plans_for(patient_ids=ids)
    alerts = alerts_for_patients(
        clinic=clinic,
        patient_ids=ids,
        today=today,
        adherence=adherence,
        trends=trends,
        plans=plans,
    )
    rows = [
        DashboardRow(
            patient=patient,
            plans=plans.get(patient.pk, []),
            adherence=adherence.get(patient.pk, {}),
            last_session_at=patient.last_session_at,
            trend=trends.get(patient.pk) or PainTrend(),
            alerts=alerts.get(patient.pk) or PatientAlerts(),
        )
        for patient in patients
    ]
    needs_attention_count = sum(row.needs_attention for row in rows)
    if query:
        emergencies = open_emergencies(user=user, scope=scope, status=status, today=today)
    else:
        emergencies = _emergencies_in((row.patient, row.alerts) for row in rows)
    if needs_attention:
        rows = [row for row in rows if row.needs_attention]
    rows = sort_rows(rows, sort)
    page = Paginator(rows, per_page).get_page(page_number)

    shown = list(page.object_list)
    if not everyone_needs_month:
        month = adherence_for_patients(
            patient_ids=[row.patient.pk for row in shown],
            today=today,
            windows=(MONTH_WINDOW,),
            with_days=False,
        )
        for row in shown:
            row.adherence = {**row.adherence, **month.get(row.patient.pk, {})}
    series = pain_series_for_patients(
        patient_ids=[row.patient.pk for row in shown], today=today, days=SPARKLINE_DAYS
    )
    for row in shown:
        row.sparkline = pain_sparkline(
            series.get(row.patient.pk, ()), end=today, days=SPARKLINE_DAYS
        )
    return Dashboard(
        today=today,
        page=page,
        sort=sort if sort in SORTS_BY_VALUE else "",
        scope=scope,
        total=len(patients),
        needs_attention_count=needs_attention_count,
        rows=rows,
        emergencies=emergencies,
        query=query,
        status=status,
        needs_attention=needs_attention,
    )
