"""The therapist's caseload dashboard: one row per patient with their active plans, adherence,
last session, pain against baseline, a 30-day pain sparkline, open alerts and unread messages.

Unless another order is chosen, it is a triage list: patients by their most pressing open alert
(its level, emergency first, then how long it has waited, the longest first; see
insights/alerts.py), then those without open alerts.

Sorting, counting and paging happen in the database, from each patient's triage row
(`insights.models.CaseloadTriage`: their most pressing open alert's level and waiting time, how
many are open, an open emergency, adherence, latest pain and its change, first plan), which
`insights.services.caseload_triage_refresh` brings up to date before the caseload is read.
Only the page's rows (and the emergency banner's patients) have their figures, alerts and
sparklines worked out. The number of queries stays the same whatever the size of the caseload.
"""

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Lower, NullIf
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from messaging.selectors import unread_messages_subquery
from patients.adherence import Adherence
from patients.models import Patient, PatientStatus
from patients.selectors.adherence import adherence_for_patients
from patients.trends import PainTrend

from ..alerts import ADHERENCE_WINDOW, ActivePlan, Alert, PatientAlerts
from ..sparkline import Sparkline, pain_sparkline
from .alerts import active_plans_for, alerts_for_patients
from .trends import pain_series_for_patients, pain_trends_for_patients
from .triage import NO_ALERT


def caseload_filter(
    *, user, scope: str = "mine", status: str = PatientStatus.ACTIVE, query: str = ""
) -> QuerySet[Patient]:
    """The clinic's patients a staff member's caseload lists: theirs (`scope="mine"`) or all,
    of one status (every status with ""), whose first or last name holds each word of `query`."""
    patients = Patient.objects.for_clinic(user.clinic)
    if scope == "mine":
        patients = patients.filter(primary_therapist=user)
    if status:
        patients = patients.filter(status=status)
    for word in query.split():
        patients = patients.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return patients


def caseload(
    *, user, scope: str = "mine", status: str = PatientStatus.ACTIVE, query: str = ""
) -> QuerySet[Patient]:
    """The caseload's patients with their therapist, whether they are the staff member's own,
    their last session and how many messages the staff member has not read, in one query
    whatever the caseload size (their active plans: `active_plans_for`)."""
    return (
        caseload_filter(user=user, scope=scope, status=status, query=query)
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


NAME_ORDER = (Lower("last_name").asc(), Lower("first_name").asc(), F("pk").asc())

# The column each sort reads: kept in the patients' triage rows (`insights.models`), their
# summaries or their own row, so the database sorts and pages.
SORT_COLUMNS = {
    "therapist": Lower("primary_therapist__full_name"),
    "plans": Lower(NullIf("triage__plan_title", Value(""))),
    "adherence_7": F("triage__adherence_week"),
    "adherence_30": F("triage__adherence_month"),
    "last_session": F("summary__last_session_at"),
    "pain": F("triage__pain_latest"),
    "change": F("triage__pain_change"),
}
WITH_ALERTS = Q(triage__rank__lt=NO_ALERT)


def caseload_order(sort: str) -> list:
    """The ORDER BY of the caseload for `sort` (a key of SORTS_BY_VALUE, `-` in front for
    descending): patients with no value for the column (nothing prescribed, no pain scores)
    come last either way, and ties go by name. No sort: triage, the patient whose most
    pressing open alert is the most severe first, among equals the one waiting longest; then
    patients without open alerts, the staff member's own first (with all of the clinic's
    patients shown), by name."""
    key, descending = sort.removeprefix("-"), sort.startswith("-")
    if key == "name":
        if descending:
            return [Lower("last_name").desc(), Lower("first_name").desc(), F("pk").desc()]
        return list(NAME_ORDER)
    if key == "alerts":
        if descending:
            # Most pressing first: the most severe, the longest waiting, the most alerts.
            return [
                F("triage__rank").asc(nulls_last=True),
                F("triage__waiting_since").asc(nulls_last=True),
                F("triage__open_alerts").desc(),
                *NAME_ORDER,
            ]
        return [
            Case(When(WITH_ALERTS, then=Value(0)), default=Value(1)).asc(),
            F("triage__rank").desc(),
            F("triage__waiting_since").desc(nulls_first=True),
            F("triage__open_alerts").asc(),
            *NAME_ORDER,
        ]
    if key in SORT_COLUMNS:
        column = SORT_COLUMNS[key]
        if descending:
            return [column.desc(nulls_last=True), *NAME_ORDER]
        return [column.asc(nulls_last=True), *NAME_ORDER]
    return [
        F("triage__rank").asc(nulls_last=True),
        F("triage__waiting_since").asc(nulls_last=True),
        F("is_mine").asc(),
        *NAME_ORDER,
    ]


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


def _rows(*, clinic, patients: list[Patient], today: datetime.date) -> list[DashboardRow]:
    """The rows of these patients, with every figure a row shows: a fixed number of queries."""
    ids = [patient.pk for patient in patients]
    adherence = adherence_for_patients(
        patient_ids=ids, today=today, windows=WINDOWS, with_days=False
    )
    trends = pain_trends_for_patients(patient_ids=ids, today=today, days=0)
    plans = active_plans_for(patient_ids=ids)
    alerts = alerts_for_patients(
        clinic=clinic, patient_ids=ids, today=today, adherence=adherence, trends=trends, plans=plans
    )
    return [
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

    The order, the counts and the emergency banner come from the patients' triage rows
    (`insights.models.CaseloadTriage`; `insights.services.caseload_triage_refresh` brings them
    up to date first), so the database sorts and pages; the rows' figures, alerts and
    sparklines are worked out for the page (and the banner's patients) alone. A fixed number of
    queries whatever the caseload size."""
    clinic = user.clinic
    today = clinic.today()
    sort = sort if sort in SORTS_BY_VALUE else ""
    listed = caseload_filter(user=user, scope=scope, status=status, query=query)
    counts = listed.aggregate(
        total=Count("pk"), needs_attention=Count("pk", filter=Q(triage__open_alerts__gt=0))
    )
    patients = caseload(user=user, scope=scope, status=status, query=query)
    if needs_attention:
        patients = patients.filter(triage__open_alerts__gt=0)
    paginator = Paginator(patients.order_by(*caseload_order(sort)), per_page)
    # Counted above with "needs attention", in one query: the paginator need not count again.
    paginator.count = counts["needs_attention" if needs_attention else "total"]
    page = paginator.get_page(page_number)
    shown = list(page.object_list)
    page.object_list = shown

    # Open emergencies of the patients in scope and status, whatever the search: the banner.
    in_emergency = [
        patient
        for patient in caseload(user=user, scope=scope, status=status).filter(
            triage__emergency=True
        )
    ]
    page_ids = {patient.pk for patient in shown}
    rows = _rows(
        clinic=clinic,
        patients=shown + [patient for patient in in_emergency if patient.pk not in page_ids],
        today=today,
    )
    by_patient = {row.patient.pk: row for row in rows}
    emergencies = _emergencies_in(
        (patient, by_patient[patient.pk].alerts) for patient in in_emergency
    )
    page_rows = [by_patient[patient.pk] for patient in shown]
    page.object_list = page_rows
    series = pain_series_for_patients(patient_ids=list(page_ids), today=today, days=SPARKLINE_DAYS)
    for row in page_rows:
        row.sparkline = pain_sparkline(
            series.get(row.patient.pk, ()), end=today, days=SPARKLINE_DAYS
        )
    return Dashboard(
        today=today,
        page=page,
        sort=sort,
        scope=scope,
        total=counts["total"],
        needs_attention_count=counts["needs_attention"],
        rows=page_rows,
        emergencies=emergencies,
        query=query,
        status=status,
        needs_attention=needs_attention,
    )
