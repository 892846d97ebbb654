"""The therapist's caseload dashboard: one row per patient with their active plans, adherence,
last session, pain against baseline, a 30-day pain sparkline, open alerts and unread messages.

Sorting by adherence, pain or alerts needs those figures for every patient the filters keep, not
just the page shown, so they are worked out for the whole filtered caseload by the fixed-query
selectors (adherence, pain trends, alerts), the rows (one per patient, never one per log) are
sorted in Python, and only then paginated. What no sort or alert needs is read for the page
alone: the sparklines' points, and the 30-day adherence unless the table is sorted by it.
The number of queries stays the same whatever the size of the caseload.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from messaging.selectors import unread_messages_subquery
from patients.adherence import Adherence
from patients.models import PainReport, Patient, PatientStatus
from patients.red_flags import Severity
from patients.selectors.adherence import adherence_for_patients
from patients.trends import PainTrend
from prescriptions.models import Plan, PlanStatus

from ..alerts import ADHERENCE_WINDOW, RECENT_FLAG_DAYS, Alert, PatientAlerts
from ..sparkline import Sparkline, pain_sparkline
from .alerts import alerts_for_patients
from .trends import pain_series_for_patients, pain_trends_for_patients


def caseload(
    *, user, scope: str = "mine", status: str = PatientStatus.ACTIVE, query: str = ""
) -> QuerySet[Patient]:
    """The clinic's patients for a staff member: their own first, each with active plans, the
    last session and how many messages the staff member has not read, in a fixed number of
    queries whatever the caseload size."""
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
        .prefetch_related(
            Prefetch(
                "plans",
                queryset=Plan.objects.filter(status=PlanStatus.ACTIVE).order_by("start_date"),
                to_attr="active_plans",
            )
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
SPARKLINE_DAYS = 30
MONTH_WINDOW = 30
WINDOWS = (ADHERENCE_WINDOW, MONTH_WINDOW)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # The first click on a header sorts this way: the end that needs attention first.
    descending_first: bool = False
    only_for_all: bool = False


# In the order the table shows them: what needs attention comes right after the name, so it
# is on screen even when the table scrolls sideways on a narrow one.
COLUMNS = [
    Column("name", _("Patient")),
    Column("alerts", _("Open alerts"), descending_first=True),
    Column("plans", _("Active plans")),
    Column("adherence_7", _("Adherence, 7 days")),
    Column("adherence_30", _("Adherence, 30 days")),
    Column("last_session", _("Last session")),
    Column("pain", _("Latest pain"), descending_first=True),
    Column("change", _("Change from baseline"), descending_first=True),
    Column("therapist", _("Primary therapist"), only_for_all=True),
]
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
SORT_KEYS = frozenset(COLUMNS_BY_KEY)


@dataclass
class DashboardRow:
    patient: Patient
    plans: list[Plan]
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
    def baseline_text(self) -> str:
        return "" if self.trend.baseline is None else _one_decimal(self.trend.baseline)

    @property
    def needs_attention(self) -> bool:
        return self.alerts.open_count > 0


def _one_decimal(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _name_key(row: DashboardRow) -> tuple:
    patient = row.patient
    return (patient.last_name.lower(), patient.first_name.lower(), patient.pk)


def _ratio(adherence: Adherence | None) -> float | None:
    return None if adherence is None else adherence.ratio


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
    "alerts": lambda row: row.alerts.open_count,
}


def sort_rows(rows: list[DashboardRow], sort: str) -> list[DashboardRow]:
    """Rows in the order `sort` asks for (a column key, `-` in front for descending); patients
    with no value for the column (nothing prescribed, no pain scores) come last either way,
    and ties go by name. No sort: patients with open alerts first, then the staff member's own
    patients, then by name."""
    rows = sorted(rows, key=_name_key)
    key = sort.removeprefix("-")
    if key not in SORT_VALUES:
        # With all of the clinic's patients shown, the staff member's own come first.
        return sorted(
            rows, key=lambda row: (not row.needs_attention, getattr(row.patient, "is_mine", 0))
        )
    if key == "name":
        return rows[::-1] if sort.startswith("-") else rows
    value_of = SORT_VALUES[key]
    with_value = [row for row in rows if value_of(row) is not None]
    without = [row for row in rows if value_of(row) is None]
    # Python's sort is stable also when reversed, so equal values keep the name order.
    with_value.sort(key=value_of, reverse=sort.startswith("-"))
    return with_value + without


@dataclass(frozen=True)
class SortHeader:
    column: Column
    url: str
    aria_sort: str  # "ascending", "descending" or "" when the table is not sorted by it
    next_direction: str  # what following the link does, for its accessible name


def sort_headers(*, params, sort: str, scope: str) -> list[SortHeader]:
    """The header of each column shown: a link that sorts by it (the other way round when the
    table is already sorted by it), keeping the other filters and going back to page 1."""
    headers = []
    for column in COLUMNS:
        if column.only_for_all and scope != "all":
            continue
        current = sort.removeprefix("-") == column.key
        if current:
            descending = not sort.startswith("-")
            aria_sort = "descending" if sort.startswith("-") else "ascending"
        else:
            descending = column.descending_first
            aria_sort = ""
        query = params.copy()
        query.pop("page", None)
        query["sort"] = f"-{column.key}" if descending else column.key
        headers.append(
            SortHeader(
                column=column,
                url=f"?{urlencode(sorted(query.items()))}",
                aria_sort=aria_sort,
                next_direction="descending" if descending else "ascending",
            )
        )
    return headers


@dataclass
class Dashboard:
    today: datetime.date
    page: Page
    sort: str
    scope: str
    total: int
    needs_attention_count: int
    rows: list[DashboardRow] = field(default_factory=list, repr=False)
    # Open emergency red flags of the patients in scope (mine or all, and status), newest
    # first, whatever the search, the page, the sort and "needs attention": the banner above
    # the table.
    emergencies: list[tuple[Patient, Alert]] = field(default_factory=list)

    @property
    def sorted_by(self) -> Column | None:
        return COLUMNS_BY_KEY.get(self.sort.removeprefix("-"))

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")


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
        clinic=user.clinic,
        patient_ids=[patient.pk for patient in patients],
        today=today,
        plans={patient.pk: patient.active_plans for patient in patients},
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
    alerts = alerts_for_patients(
        clinic=clinic,
        patient_ids=ids,
        today=today,
        adherence=adherence,
        trends=trends,
        plans={patient.pk: patient.active_plans for patient in patients},
    )
    rows = [
        DashboardRow(
            patient=patient,
            plans=patient.active_plans,
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
        sort=sort if sort.removeprefix("-") in SORT_KEYS else "",
        scope=scope,
        total=len(patients),
        needs_attention_count=needs_attention_count,
        rows=rows,
        emergencies=emergencies,
    )
