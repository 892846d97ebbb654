"""Alerts that find the patients who need the therapist's attention, from the clinic's thresholds.

Alerts are worked out from the logs whenever they are read. The caseload keeps only where each
patient stands (their most pressing open alert's level and waiting time, and how many are open:
`insights.models.CaseloadTriage`), to sort and count in SQL; those rows are worked out by these
same rules, again whenever what they came from changes, and for each new day.

Each alert names the event that raised it with an `event_key`; acknowledging an alert stores
that key (`AlertAcknowledgement`), and an alert is open unless its (patient, kind, event_key)
was acknowledged. A new event gives a new key, so the alert opens again by itself.

The rules (thresholds are the clinic's `alert_*` fields; "recent" days are the clinic's
calendar days, today included):

- **Red flag**: a pain report with a red flag in the last 30 days. Key: the latest such report,
  `report:<id>`.
- **High pain**: a pain score at or above `alert_pain_at_or_above` in the last 7 days, from a
  pain report or from a session (the higher of its before and after scores). The latest such
  score raises it, so a lower score reported an hour later does not hide it before anyone saw
  it. Key: that score's `session:<id>` or `report:<id>`.
- **Session flagged**: a session flagged by the stop rule in the last 30 days. Key: the latest
  flagged session, `session:<id>`.
- **Pain rising**: the latest pain value (patients/trends.py: a report's score, or a session's
  pain after, else before) is `alert_pain_rise` or more above the average of the 7 days before
  it, and was recorded in the last 7 days. Key: that value's `session:<id>` or `report:<id>`.
- **No recent session**: a plan is active today and no session was logged for
  `alert_inactive_days` days or more, counted from the later of the last session's day and
  the first active plan's start. Key: `since:<that day>`, so a new session (then a new quiet
  spell) opens it again.
- **Low adherence**: 7-day adherence (patients/adherence.py) under
  `alert_adherence_below_percent`, once the plan prescribed something before today (a plan
  that starts today is not behind yet). Key: `week:<ISO week>`, so an acknowledgement holds
  for the rest of the calendar week (Monday to Sunday) and the alert returns the next week
  if adherence is still low.
- **Plan ending**: an active plan whose end date is today or in the next 7 days. Key:
  `plan:<id>:<end date>`, so moving the end date opens it again.

Each alert has a level, the order a therapist should deal with them in (`Level`):
**emergency** (a red flag of the emergency kind: the patient was told to go to the emergency
department), **urgent** (an urgent red flag, pain at or over the clinic's threshold, a session
stopped by the stop rule), **attention** (pain rising, no recent session, low adherence) and
**notice** (a plan ending soon). Each also has `at`, the moment it has been waiting since: the
report or session behind it, the latest pain value of a rise, the first quiet day of an
inactive spell, the Monday of a low week, and the first day a plan's end came into view. The
caseload lists the most severe first, and among equals the one waiting longest.

Evidence links point at the patient's page, at `#session-<id>` or `#pain-<id>` for one session
or pain report, or at the plan's page.

`insights.selectors.alerts.alerts_for_patients` reads a whole caseload in a fixed number of
queries (each fact a subquery on the patient's indexed logs, so no log rows reach Python) and
applies these rules (`AlertRules`).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, partial

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from clinics.models import Clinic
from patients.adherence import Adherence
from patients.models import AlertAcknowledgement, AlertKind
from patients.red_flags import RED_FLAGS_BY_CODE, Severity
from patients.trends import PainTrend

RECENT_PAIN_DAYS = 7
RECENT_FLAG_DAYS = 30
PLAN_ENDING_DAYS = 7
ADHERENCE_WINDOW = 7
# Pain rises are averages (floats): a rise of exactly the threshold must not miss by rounding.
TOLERANCE = 1e-9

# The order alerts are listed in: the most urgent first.
KIND_ORDER = [
    AlertKind.RED_FLAG,
    AlertKind.PAIN_HIGH,
    AlertKind.SESSION_FLAGGED,
    AlertKind.PAIN_RISE,
    AlertKind.INACTIVE,
    AlertKind.LOW_ADHERENCE,
    AlertKind.PLAN_ENDING,
]

SESSION_SOURCE, REPORT_SOURCE = "session", "report"


class Level(models.TextChoices):
    """How soon an alert needs the therapist, most pressing first (the order of definition is
    the order of the caseload)."""

    EMERGENCY = "emergency", gettext_lazy("Emergency")
    URGENT = "urgent", gettext_lazy("Urgent")
    ATTENTION = "attention", gettext_lazy("Needs attention")
    NOTICE = "notice", gettext_lazy("For information")


LEVEL_RANK = {level: rank for rank, level in enumerate(Level)}
KIND_LEVEL = {
    AlertKind.PAIN_HIGH: Level.URGENT,
    AlertKind.SESSION_FLAGGED: Level.URGENT,
    AlertKind.PAIN_RISE: Level.ATTENTION,
    AlertKind.INACTIVE: Level.ATTENTION,
    AlertKind.LOW_ADHERENCE: Level.ATTENTION,
    AlertKind.PLAN_ENDING: Level.NOTICE,
}


@dataclass(frozen=True)
class AlertText:
    """What an alert says: in full, in a few words (for a row of the caseload), and the link to
    the event that raised it."""

    reason: str
    summary: str
    evidence_url: str
    evidence_label: str


@dataclass(frozen=True)
class Alert:
    patient_id: int
    kind: str
    event_key: str
    # Worked out when first read: the caseload applies the rules to every patient for its
    # order and counts, but shows the words of one page of them.
    describe: Callable[[], AlertText] = field(compare=False, repr=False)
    acknowledgement: AlertAcknowledgement | None = None
    # What the alert has been waiting since (the module's docstring says what for each kind):
    # for a safety alert it decides when it is passed on to the clinic's admins, for all of them
    # their order on the caseload. A red flag's severity decides its level and the banner.
    at: datetime.datetime | None = None
    severity: str = ""

    @cached_property
    def text(self) -> AlertText:
        return self.describe()

    @property
    def reason(self) -> str:
        return self.text.reason

    @property
    def summary(self) -> str:
        """The alert in a few words; `reason` says it in full."""
        return self.text.summary

    @property
    def evidence_url(self) -> str:
        return self.text.evidence_url

    @property
    def evidence_label(self) -> str:
        return self.text.evidence_label

    @property
    def is_open(self) -> bool:
        return self.acknowledgement is None

    @property
    def is_emergency(self) -> bool:
        return self.kind == AlertKind.RED_FLAG and self.severity == Severity.EMERGENCY

    @property
    def kind_label(self) -> str:
        return AlertKind(self.kind).label

    @property
    def level(self) -> Level:
        if self.kind == AlertKind.RED_FLAG:
            return Level.EMERGENCY if self.severity == Severity.EMERGENCY else Level.URGENT
        return KIND_LEVEL[self.kind]

    @property
    def level_label(self) -> str:
        return self.level.label

    @property
    def triage_key(self) -> tuple:
        """Most severe first, then the longest waiting."""
        return (LEVEL_RANK[self.level], self.at.timestamp() if self.at else float("inf"))


@dataclass
class PatientAlerts:
    alerts: list[Alert] = field(default_factory=list)

    @property
    def open(self) -> list[Alert]:
        return [alert for alert in self.alerts if alert.is_open]

    @property
    def acknowledged(self) -> list[Alert]:
        return [alert for alert in self.alerts if not alert.is_open]

    @property
    def open_count(self) -> int:
        return len(self.open)

    @property
    def most_pressing(self) -> Alert | None:
        """The open alert to deal with first: the most severe, the longest waiting of those."""
        return min(self.open, key=lambda alert: alert.triage_key, default=None)

    def find(self, *, kind: str, event_key: str) -> Alert | None:
        for alert in self.alerts:
            if alert.kind == kind and alert.event_key == event_key:
                return alert
        return None


@dataclass(frozen=True)
class ActivePlan:
    pk: int
    title: str
    start_date: datetime.date
    end_date: datetime.date | None


def running_today(plans: Iterable, today: datetime.date) -> list:
    return [
        plan
        for plan in plans
        if plan.start_date <= today and (plan.end_date is None or plan.end_date >= today)
    ]


class AlertRules:
    """The rules for one clinic on one day; each method returns an Alert or None."""

    def __init__(self, *, clinic: Clinic, today: datetime.date):
        self.clinic = clinic
        self.today = today
        self.zone = clinic.zone
        self._urls: dict[int, str] = {}

    def _when(self, at: datetime.datetime) -> str:
        return date_format(timezone.localtime(at, self.zone), "j M, H:i")

    def _midnight(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=self.zone)

    def _patient_url(self, patient_id: int, anchor: str = "") -> str:
        if patient_id not in self._urls:
            self._urls[patient_id] = reverse("insights:patient-detail", args=[patient_id])
        url = self._urls[patient_id]
        return f"{url}#{anchor}" if anchor else url

    def _evidence(self, patient_id: int, source: str, pk: int) -> tuple[str, str]:
        if source == SESSION_SOURCE:
            return self._patient_url(patient_id, f"session-{pk}"), _("See the session")
        return self._patient_url(patient_id, f"pain-{pk}"), _("See the pain report")

    def red_flag(self, patient_id: int, facts: dict) -> Alert | None:
        if facts["red_flag_id"] is None:
            return None

        def describe() -> AlertText:
            questions = [
                str(RED_FLAGS_BY_CODE[code].question)
                for code in facts["red_flag_codes"] or []
                if code in RED_FLAGS_BY_CODE
            ]
            url, label = self._evidence(patient_id, REPORT_SOURCE, facts["red_flag_id"])
            summary = questions[0] if questions else _("A warning sign")
            if len(questions) > 1:
                summary = ngettext(
                    "%(flag)s, and %(count)d more",
                    "%(flag)s, and %(count)d more",
                    len(questions) - 1,
                ) % {"flag": summary, "count": len(questions) - 1}
            reason = _("Red flag reported on %(when)s: %(flags)s. %(severity)s.") % {
                "when": self._when(facts["red_flag_at"]),
                "flags": "; ".join(questions) or _("a warning sign"),
                "severity": Severity(facts["red_flag_severity"]).label,
            }
            return AlertText(reason, summary, url, label)

        return Alert(
            patient_id=patient_id,
            kind=AlertKind.RED_FLAG,
            event_key=f"report:{facts['red_flag_id']}",
            describe=describe,
            at=facts["red_flag_at"],
            severity=facts["red_flag_severity"],
        )

    def pain_high(self, patient_id: int, facts: dict) -> Alert | None:
        threshold = self.clinic.alert_pain_at_or_above
        candidates = []
        if facts["high_session_id"] is not None:
            peak = max(
                value
                for value in (facts["high_session_before"], facts["high_session_after"])
                if value is not None
            )
            candidates.append(
                (facts["high_session_at"], SESSION_SOURCE, facts["high_session_id"], peak)
            )
        if facts["high_report_id"] is not None:
            candidates.append(
                (
                    facts["high_report_at"],
                    REPORT_SOURCE,
                    facts["high_report_id"],
                    facts["high_report_score"],
                )
            )
        if not candidates:
            return None
        at, source, pk, score = max(candidates, key=lambda c: (c[0], c[1] == SESSION_SOURCE))

        def describe() -> AlertText:
            values = {"score": score, "when": self._when(at), "threshold": threshold}
            if source == SESSION_SOURCE:
                reason = _(
                    "Pain %(score)d/10 in a session on %(when)s, at or above the alert level "
                    "of %(threshold)d."
                )
            else:
                reason = _(
                    "Pain %(score)d/10 reported on %(when)s, at or above the alert level "
                    "of %(threshold)d."
                )
            url, label = self._evidence(patient_id, source, pk)
            summary = _("Pain %(score)d/10 on %(when)s") % values
            return AlertText(reason % values, summary, url, label)

        return Alert(
            patient_id=patient_id,
            kind=AlertKind.PAIN_HIGH,
            event_key=f"{source}:{pk}",
            describe=describe,
            at=at,
        )

    def session_flagged(self, patient_id: int, facts: dict) -> Alert | None:
        if facts["flagged_id"] is None:
            return None

        def describe() -> AlertText:
            url, label = self._evidence(patient_id, SESSION_SOURCE, facts["flagged_id"])
            when = self._when(facts["flagged_at"])
            reason = _("Session on %(when)s was flagged: %(why)s.") % {
                "when": when,
                "why": facts["flagged_reason"] or _("the patient stopped"),
            }
            summary = _("Stopped for pain on %(when)s") % {"when": when}
            return AlertText(reason, summary, url, label)

        return Alert(
            patient_id=patient_id,
            kind=AlertKind.SESSION_FLAGGED,
            event_key=f"session:{facts['flagged_id']}",
            describe=describe,
            at=facts["flagged_at"],
        )

    def pain_rise(self, patient_id: int, trend: PainTrend | None) -> Alert | None:
        threshold = self.clinic.alert_pain_rise
        if trend is None or trend.rise_vs_week is None or trend.latest is None:
            return None
        if trend.rise_vs_week < threshold - TOLERANCE:
            return None
        latest_on = trend.latest_on or _as_date(trend.latest_at)
        if latest_on is None or latest_on < self.today - datetime.timedelta(
            days=RECENT_PAIN_DAYS - 1
        ):
            return None
        # The latest value's row, as the trend selector found it.
        source, pk, at = trend.latest_source, trend.latest_id, trend.latest_at
        if pk is None or not isinstance(at, datetime.datetime):
            return None

        def describe() -> AlertText:
            url, label = self._evidence(patient_id, source, pk)
            reason = _(
                "Pain %(score)d/10 on %(when)s is %(rise)s points above the average of the "
                "week before (%(average)s); the alert level is a rise of %(threshold)d."
            ) % {
                "score": trend.latest,
                "when": self._when(at),
                "rise": _decimal(trend.rise_vs_week),
                "average": _decimal(trend.latest - trend.rise_vs_week),
                "threshold": threshold,
            }
            summary = _("Pain %(score)d/10, up %(rise)s on the week before") % {
                "score": trend.latest,
                "rise": _decimal(trend.rise_vs_week),
            }
            return AlertText(reason, summary, url, label)

        return Alert(
            patient_id=patient_id,
            kind=AlertKind.PAIN_RISE,
            event_key=f"{source}:{pk}",
            describe=describe,
            at=at,
        )

    def inactive(self, patient_id: int, facts: dict, running: list[ActivePlan]) -> Alert | None:
        if not running:
            return None
        threshold = self.clinic.alert_inactive_days
        plan_start = min(plan.start_date for plan in running)
        last_session_on = facts["last_session_on"]
        since = max(last_session_on, plan_start) if last_session_on else plan_start
        quiet_days = (self.today - since).days
        if quiet_days < threshold:
            return None

        def describe() -> AlertText:
            values = {
                "count": quiet_days,
                "day": date_format(since, "j M"),
                "threshold": threshold,
            }
            if last_session_on is not None and last_session_on >= plan_start:
                reason = ngettext(
                    "No session for %(count)d day, since %(day)s, while a plan is active "
                    "(alert level: %(threshold)d days).",
                    "No session for %(count)d days, since %(day)s, while a plan is active "
                    "(alert level: %(threshold)d days).",
                    quiet_days,
                )
            else:
                reason = ngettext(
                    "No session since the plan started on %(day)s, %(count)d day ago "
                    "(alert level: %(threshold)d days).",
                    "No session since the plan started on %(day)s, %(count)d days ago "
                    "(alert level: %(threshold)d days).",
                    quiet_days,
                )
            summary = ngettext(
                "No session for %(count)d day", "No session for %(count)d days", quiet_days
            )
            return AlertText(
                reason % values,
                summary % values,
                self._patient_url(patient_id),
                _("See the patient's sessions"),
            )

        return Alert(
            patient_id=patient_id,
            kind=AlertKind.INACTIVE,
            event_key=f"since:{since.isoformat()}",
            describe=describe,
            at=self._midnight(since),
        )

    def low_adherence(self, patient_id: int, week: Adherence | None) -> Alert | None:
        threshold = self.clinic.alert_adherence_below_percent
        if week is None or not week.prescribed:
            return None
        if week.prescribed == week.end_prescribed:  # nothing was due before today
            return None
        # Compared as whole numbers, so 49.9% is under 50% and exactly 50% is not.
        if week.done * 100 >= threshold * week.prescribed:
            return None
        year, number, _weekday = self.today.isocalendar()

        def describe() -> AlertText:
            reason = _(
                "Adherence over the last 7 days is %(percent)d%% (%(done)d of %(prescribed)d "
                "sessions), under the alert level of %(threshold)d%%."
            ) % {
                "percent": week.percent,
                "done": week.done,
                "prescribed": week.prescribed,
                "threshold": threshold,
            }
            summary = ngettext(
                "%(done)d of %(prescribed)d session in 7 days",
                "%(done)d of %(prescribed)d sessions in 7 days",
                week.prescribed,
            ) % {"done": week.done, "prescribed": week.prescribed}
            return AlertText(
                reason, summary, self._patient_url(patient_id), _("See the patient's adherence")
            )

        return Alert(
            patient_id=patient_id,
            kind=AlertKind.LOW_ADHERENCE,
            event_key=f"week:{year}-W{number:02d}",
            describe=describe,
            at=self._midnight(self.today - datetime.timedelta(days=self.today.weekday())),
        )

    def plans_ending(self, patient_id: int, running: list[ActivePlan]) -> list[Alert]:
        alerts = []
        last_day = self.today + datetime.timedelta(days=PLAN_ENDING_DAYS)
        for plan in running:
            if plan.end_date is None or not self.today <= plan.end_date <= last_day:
                continue
            alerts.append(
                Alert(
                    patient_id=patient_id,
                    kind=AlertKind.PLAN_ENDING,
                    event_key=f"plan:{plan.pk}:{plan.end_date.isoformat()}",
                    describe=partial(self._plan_ending_text, plan),
                    # In view since PLAN_ENDING_DAYS before its end: the nearest end waits longest.
                    at=self._midnight(
                        max(
                            plan.end_date - datetime.timedelta(days=PLAN_ENDING_DAYS),
                            plan.start_date,
                        )
                    ),
                )
            )
        return alerts

    def _plan_ending_text(self, plan: ActivePlan) -> AlertText:
        days_left = (plan.end_date - self.today).days
        values = {"title": plan.title, "day": date_format(plan.end_date, "j M"), "count": days_left}
        if days_left == 0:
            reason = _("“%(title)s” ends today.") % values
            summary = _("Plan ends today")
        else:
            summary = (
                ngettext("Plan ends in %(count)d day", "Plan ends in %(count)d days", days_left)
                % values
            )
            reason = (
                ngettext(
                    "“%(title)s” ends on %(day)s, in %(count)d day.",
                    "“%(title)s” ends on %(day)s, in %(count)d days.",
                    days_left,
                )
                % values
            )
        url = reverse("prescriptions:plan-detail", args=[plan.pk])
        return AlertText(reason, summary, url, _("See the plan"))


def _as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _decimal(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")
