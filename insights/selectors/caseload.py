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
from functools import cached_property

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Lower, NullIf
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from messaging.selectors import unread_messages_subquery
from outcomes.selectors import function_worsening_q
from patients.adherence import Adherence
from patients.models import Patient, PatientStatus
from patients.selectors.adherence import adherence_for_patients
from patients.trends import PainTrend

from ..alerts import ADHERENCE_WINDOW, ActivePlan, Alert, PatientAlerts
from ..sparkline import Sparkline, pain_sparkline
from .alerts import active_plans_for, alerts_for_patients
from .trends import pain_series_for_patients, pain_trends_for_patients
from .triage import MONTH_WINDOW, NO_ALERT, adherence_kept


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
# Part of every row's cache key (the template keeps a row's markup a day at most: its key
# changes with the day anyway): raise it when the row's markup or what it shows changes, so
# rows cached by the code before are not shown.
CACHE_VERSION = 1
# How many of the banner's emergencies are shown with their flag and acknowledge form.
BANNER_IN_FULL = 5
SPARKLINE_DAYS = 30
WINDOWS = (ADHERENCE_WINDOW, MONTH_WINDOW)


@dataclass(frozen=True)
class Sort:
    value: str  # a column (see `caseload_order`), `-` in front for descending
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


@dataclass(frozen=True)
class AdherenceFigure:
    """An adherence as a row shows it: the percentage, and in words over which window and how
    many sessions of how many ("7 days · 5 of 7 sessions")."""

    percent: int | None
    text: str

    @classmethod
    def of(cls, adherence: Adherence | None, *, window: str) -> "AdherenceFigure":
        if adherence is None or adherence.percent is None:
            return cls(None, gettext("%(window)s: nothing prescribed") % {"window": window})
        sessions = ngettext(
            "%(done)d of %(prescribed)d session",
            "%(done)d of %(prescribed)d sessions",
            adherence.prescribed,
        ) % {"done": adherence.done, "prescribed": adherence.prescribed}
        return cls(adherence.percent, f"{window} · {sessions}")


@dataclass
class DashboardRow:
    """One patient's row. Its figures (plans, adherence, pain trend, alerts, sparkline) are
    worked out with the other rows' when one of them is first read: a row whose markup is
    cached (`cache_key`) reads none of them."""

    patient: Patient
    figures: "RowFigures" = field(repr=False)
    today: datetime.date | None = None
    scope: str = "mine"
    # The row's markup as cached under `cache_key`, when it was.
    markup: str = field(default="", repr=False)

    @property
    def last_session_at(self) -> datetime.datetime | None:
        return self.patient.last_session_at

    @property
    def plans(self) -> list[ActivePlan]:
        return self.figures.plans.get(self.patient.pk, [])

    @property
    def adherence(self) -> dict[int, Adherence]:
        return self.figures.adherence.get(self.patient.pk, {})

    @property
    def trend(self) -> PainTrend:
        return self.figures.trends.get(self.patient.pk) or PainTrend()

    @property
    def alerts(self) -> PatientAlerts:
        return self.figures.alerts.get(self.patient.pk) or PatientAlerts()

    @property
    def sparkline(self) -> Sparkline | None:
        return self.figures.sparklines.get(self.patient.pk)

    @cached_property
    def cache_key(self) -> str | None:
        """Everything the row's markup shows comes from what this names, so the markup cached
        under it stays right while it stays the same: the patient's own fields and unread
        messages, what their triage row was worked out from (their logs through the summary's
        revision, their plans, acknowledgements, the clinic's thresholds and time zone, the
        day), how long ago their last session was in words, the language and whether the
        therapist column is shown. None when the triage row is not of today: not cached."""
        patient = self.patient
        triage = getattr(patient, "triage", None)
        if triage is None or triage.day != self.today:
            return None
        therapist = patient.primary_therapist
        return "|".join(
            str(part)
            for part in (
                CACHE_VERSION,
                get_language(),
                self.scope,
                patient.pk,
                patient.first_name,
                patient.last_name,
                patient.status,
                patient.condition,
                getattr(patient, "unread_messages", 0),
                therapist.full_name if therapist else "",
                triage.day,
                triage.thresholds,
                triage.summary_revision,
                triage.plans,
                triage.acknowledgements,
                self.last_session_at.isoformat() if self.last_session_at else "",
                self.last_session_ago,
            )
        )

    @property
    def week(self) -> Adherence | None:
        return self.adherence.get(7)

    @property
    def month(self) -> Adherence | None:
        return self.adherence.get(30)

    @property
    def week_figure(self) -> "AdherenceFigure":
        return AdherenceFigure.of(self.week, window=gettext("7 days"))

    @property
    def month_figure(self) -> "AdherenceFigure":
        return AdherenceFigure.of(self.month, window=gettext("30 days"))

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
    # The filters applied, for the empty states: what to clear to see patients again.
    query: str = ""
    status: str = PatientStatus.ACTIVE
    needs_attention: bool = False
    function_worsening: bool = False
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


def row_cache_key(row: "DashboardRow") -> str:
    """The cache key the template's `{% cache %}` keeps the row's markup under."""
    return make_template_fragment_key("caseload-row", [row.cache_key])


class RowFigures:
    """The figures of some patients' rows, worked out together (a fixed number of queries) when
    the first is read, and never if none is."""

    def __init__(self, *, clinic, patients: list[Patient], today: datetime.date):
        self.clinic = clinic
        self.patients = patients
        self.today = today

    @cached_property
    def adherence(self) -> dict[int, dict[int, Adherence]]:
        # As kept in the triage rows (read with the patients); worked out only for a patient
        # whose row is not of today (one added, or a day turned since the refresh).
        adherence = {}
        for patient in self.patients:
            triage = getattr(patient, "triage", None)
            if triage is not None and triage.day == self.today:
                adherence[patient.pk] = adherence_kept(triage, self.today)
        missing = [patient.pk for patient in self.patients if patient.pk not in adherence]
        if missing:
            adherence |= adherence_for_patients(
                patient_ids=missing, today=self.today, windows=WINDOWS, with_days=False
            )
        return adherence

    @property
    def ids(self) -> list[int]:
        return [patient.pk for patient in self.patients]

    def work_out(self) -> None:
        """Work every figure out now (none for no patients)."""
        if self.patients:
            for name in ("adherence", "trends", "plans", "alerts", "sparklines"):
                getattr(self, name)

    @cached_property
    def trends(self) -> dict[int, PainTrend]:
        return pain_trends_for_patients(patient_ids=self.ids, today=self.today, days=0)

    @cached_property
    def plans(self) -> dict[int, list[ActivePlan]]:
        return active_plans_for(patient_ids=self.ids)

    @cached_property
    def alerts(self) -> dict[int, PatientAlerts]:
        return alerts_for_patients(
            clinic=self.clinic,
            patient_ids=self.ids,
            today=self.today,
            adherence=self.adherence,
            trends=self.trends,
            plans=self.plans,
        )

    @cached_property
    def sparklines(self) -> dict[int, Sparkline]:
        series = pain_series_for_patients(
            patient_ids=self.ids, today=self.today, days=SPARKLINE_DAYS
        )
        return {
            patient_id: pain_sparkline(
                series.get(patient_id, ()), end=self.today, days=SPARKLINE_DAYS
            )
            for patient_id in self.ids
        }


def dashboard(
    *,
    user,
    scope: str = "mine",
    status: str = PatientStatus.ACTIVE,
    query: str = "",
    needs_attention: bool = False,
    function_worsening: bool = False,
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
    attention = Q(triage__open_alerts__gt=0)
    # "Function worsening" is kept per patient by outcomes' services as scores are written.
    chosen = Q(attention if needs_attention else Q()) & (
        function_worsening_q() if function_worsening else Q()
    )
    counts = listed.aggregate(
        total=Count("pk"),
        needs_attention=Count("pk", filter=attention),
        chosen=Count("pk", filter=chosen),
    )
    patients = caseload(user=user, scope=scope, status=status, query=query).select_related("triage")
    if needs_attention:
        patients = patients.filter(attention)
    if function_worsening:
        patients = patients.filter(function_worsening_q())
    paginator = Paginator(patients.order_by(*caseload_order(sort)), per_page)
    # Counted above with the filters, in one query: the paginator need not count again.
    paginator.count = counts["chosen"]
    page = paginator.get_page(page_number)
    shown = list(page.object_list)

    # Open emergencies of the patients in scope and status, whatever the search: the banner.
    in_emergency = list(
        caseload_filter(user=user, scope=scope, status=status)
        .filter(triage__emergency=True)
        .select_related("triage")
    )
    # The banner's patients have their figures worked out now (their alerts are read here),
    # apart from the page's, which only rows whose markup is not cached read.
    urgent = RowFigures(clinic=clinic, patients=in_emergency, today=today)
    emergencies = _emergencies_in(
        (patient, urgent.alerts.get(patient.pk) or PatientAlerts()) for patient in in_emergency
    )
    urgent_ids = {patient.pk for patient in in_emergency}
    figures = RowFigures(
        clinic=clinic,
        patients=[patient for patient in shown if patient.pk not in urgent_ids],
        today=today,
    )
    page_rows = [
        DashboardRow(
            patient=patient,
            figures=urgent if patient.pk in urgent_ids else figures,
            today=today,
            scope=scope,
        )
        for patient in shown
    ]
    # A row whose markup is cached needs none of its figures; the others' are worked out here,
    # together, so the template reads only what is already in memory.
    keys = [(row, row_cache_key(row)) for row in page_rows if row.cache_key]
    cached = cache.get_many([key for _row, key in keys]) if keys else {}
    for row, key in keys:
        if key in cached:
            row.markup = mark_safe(cached[key])  # markup this template rendered
    figures.patients = [row.patient for row in page_rows if not row.markup]
    figures.work_out()
    urgent.work_out()
    page.object_list = page_rows
    return Dashboard(
        today=today,
        page=page,
        sort=sort,
        scope=scope,
        total=counts["total"],
        needs_attention_count=counts["needs_attention"],
        emergencies=emergencies,
        query=query,
        status=status,
        needs_attention=needs_attention,
        function_worsening=function_worsening,
    )
