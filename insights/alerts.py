"""Alerts that find the patients who need the therapist's attention, from the clinic's thresholds.

Alerts are worked out from the logs whenever they are read: nothing is written on a page view
and no scheduled job is needed. Each alert names the event that raised it with an `event_key`;
acknowledging an alert stores that key (`AlertAcknowledgement`), and an alert is open unless
its (patient, kind, event_key) was acknowledged. A new event gives a new key, so the alert
opens again by itself.

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
- **Low adherence**: 7-day adherence (prescriptions/adherence.py) under
  `alert_adherence_below_percent`, once the plan prescribed something before today (a plan
  that starts today is not behind yet). Key: `week:<ISO week>`, so an acknowledgement holds
  for the rest of the calendar week (Monday to Sunday) and the alert returns the next week
  if adherence is still low.
- **Plan ending**: an active plan whose end date is today or in the next 7 days. Key:
  `plan:<id>:<end date>`, so moving the end date opens it again.

Evidence links point at the patient's page, at `#session-<id>` or `#pain-<id>` for one session
or pain report, or at the plan's page.

`alerts_for_patients` reads a whole caseload in a fixed number of queries: one for the facts
per patient (each a subquery on the patient's indexed logs, so no log rows reach Python), one
for the active plans (unless given), one for the acknowledgements, plus the adherence and pain
trend selectors when their results are not passed in.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from django.db.models import IntegerField, JSONField, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinics.models import Clinic
from patients.models import AlertAcknowledgement, AlertKind, PainReport, Patient, SessionLog
from patients.red_flags import RED_FLAGS_BY_CODE, Severity
from prescriptions.models import Plan, PlanStatus

from .adherence import Adherence, adherence_for_patients
from .trends import PainTrend, pain_trends_for_patients

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


@dataclass(frozen=True)
class Alert:
    patient_id: int
    kind: str
    event_key: str
    reason: str
    evidence_url: str
    evidence_label: str
    acknowledgement: AlertAcknowledgement | None = None

    @property
    def is_open(self) -> bool:
        return self.acknowledgement is None

    @property
    def kind_label(self) -> str:
        return AlertKind(self.kind).label


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


def _latest(rows, at: str, prefix: str, columns: Mapping[str, str], **output) -> dict:
    """Subqueries for the latest of `rows` (by `at`, then id): one annotation per column."""
    ordered = rows.order_by(f"-{at}", "-pk")
    return {
        f"{prefix}_{name}": Subquery(ordered.values(column)[:1], **output.get(name, {}))
        for name, column in columns.items()
    }


def _facts(*, clinic: Clinic, patient_ids: list[int], today: datetime.date) -> dict[int, dict]:
    """One row per patient with what the pain, flag and activity rules need, each found by a
    subquery on the patient's logs."""
    patient = OuterRef("pk")
    recent = today - datetime.timedelta(days=RECENT_PAIN_DAYS - 1)
    flag_since = today - datetime.timedelta(days=RECENT_FLAG_DAYS - 1)

    def local_midnight(day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=clinic.zone)

    # The days are the clinic-local days of the times, so bounding the times as well says the
    # same thing, and lets each subquery read a short stretch of the (patient, time) index
    # instead of the patient's whole history when nothing in the window matches.
    def since(day: datetime.date) -> dict:
        return {"performed_on__gte": day, "performed_at__gte": local_midnight(day)}

    def reported_since(day: datetime.date) -> dict:
        return {"recorded_on__gte": day, "recorded_at__gte": local_midnight(day)}

    sessions = SessionLog.objects.filter(patient=patient, performed_on__lte=today)
    reports = PainReport.objects.filter(patient=patient, recorded_on__lte=today)
    session_peak = Greatest(
        Coalesce("pain_before", "pain_after"),
        Coalesce("pain_after", "pain_before"),
        output_field=IntegerField(),
    )
    high_sessions = sessions.annotate(peak=session_peak).filter(
        peak__gte=clinic.alert_pain_at_or_above, **since(recent)
    )
    high_reports = reports.filter(
        score__gte=clinic.alert_pain_at_or_above, **reported_since(recent)
    )
    red_flag_reports = reports.filter(**reported_since(flag_since)).exclude(
        red_flag_severity=Severity.NONE
    )
    flagged_sessions = sessions.filter(is_flagged=True, **since(flag_since))
    annotations = {
        **_latest(
            high_sessions,
            "performed_at",
            "high_session",
            {"id": "pk", "at": "performed_at", "before": "pain_before", "after": "pain_after"},
        ),
        **_latest(
            high_reports,
            "recorded_at",
            "high_report",
            {"id": "pk", "at": "recorded_at", "score": "score"},
        ),
        **_latest(
            red_flag_reports,
            "recorded_at",
            "red_flag",
            {
                "id": "pk",
                "at": "recorded_at",
                "severity": "red_flag_severity",
                "codes": "red_flags",
            },
            codes={"output_field": JSONField()},
        ),
        **_latest(
            flagged_sessions,
            "performed_at",
            "flagged",
            {"id": "pk", "at": "performed_at", "reason": "flag_reason"},
        ),
        **_latest(sessions, "performed_at", "last_session", {"on": "performed_on"}),
    }
    rows = (
        Patient.objects.for_clinic(clinic)
        .filter(pk__in=patient_ids)
        .order_by()
        .annotate(**annotations)
        .values("pk", *annotations)
    )
    return {row["pk"]: row for row in rows}


def _active_plans(*, patient_ids: list[int]) -> dict[int, list[ActivePlan]]:
    plans = defaultdict(list)
    rows = (
        Plan.objects.filter(patient_id__in=patient_ids, status=PlanStatus.ACTIVE)
        .order_by("patient_id", "start_date", "id")
        .values_list("pk", "patient_id", "title", "start_date", "end_date")
    )
    for pk, patient_id, title, start_date, end_date in rows:
        plans[patient_id].append(ActivePlan(pk, title, start_date, end_date))
    return plans


def _running_today(plans: Iterable, today: datetime.date) -> list:
    return [
        plan
        for plan in plans
        if plan.start_date <= today and (plan.end_date is None or plan.end_date >= today)
    ]


class _Rules:
    """The rules for one clinic on one day; each method returns an Alert or None."""

    def __init__(self, *, clinic: Clinic, today: datetime.date):
        self.clinic = clinic
        self.today = today
        self.zone = clinic.zone
        self._urls: dict[int, str] = {}

    def _when(self, at: datetime.datetime) -> str:
        return date_format(timezone.localtime(at, self.zone), "j M, H:i")

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
        questions = [
            str(RED_FLAGS_BY_CODE[code].question)
            for code in facts["red_flag_codes"] or []
            if code in RED_FLAGS_BY_CODE
        ]
        url, label = self._evidence(patient_id, REPORT_SOURCE, facts["red_flag_id"])
        return Alert(
            patient_id=patient_id,
            kind=AlertKind.RED_FLAG,
            event_key=f"report:{facts['red_flag_id']}",
            reason=_("Red flag reported on %(when)s: %(flags)s. %(severity)s.")
            % {
                "when": self._when(facts["red_flag_at"]),
                "flags": "; ".join(questions) or _("a warning sign"),
                "severity": Severity(facts["red_flag_severity"]).label,
            },
            evidence_url=url,
            evidence_label=label,
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
        return Alert(
            patient_id=patient_id,
            kind=AlertKind.PAIN_HIGH,
            event_key=f"{source}:{pk}",
            reason=reason % values,
            evidence_url=url,
            evidence_label=label,
        )

    def session_flagged(self, patient_id: int, facts: dict) -> Alert | None:
        if facts["flagged_id"] is None:
            return None
        url, label = self._evidence(patient_id, SESSION_SOURCE, facts["flagged_id"])
        return Alert(
            patient_id=patient_id,
            kind=AlertKind.SESSION_FLAGGED,
            event_key=f"session:{facts['flagged_id']}",
            reason=_("Session on %(when)s was flagged: %(why)s.")
            % {
                "when": self._when(facts["flagged_at"]),
                "why": facts["flagged_reason"] or _("the patient stopped"),
            },
            evidence_url=url,
            evidence_label=label,
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
        url, label = self._evidence(patient_id, source, pk)
        return Alert(
            patient_id=patient_id,
            kind=AlertKind.PAIN_RISE,
            event_key=f"{source}:{pk}",
            reason=_(
                "Pain %(score)d/10 on %(when)s is %(rise)s points above the average of the "
                "week before (%(average)s); the alert level is a rise of %(threshold)d."
            )
            % {
                "score": trend.latest,
                "when": self._when(at),
                "rise": _decimal(trend.rise_vs_week),
                "average": _decimal(trend.latest - trend.rise_vs_week),
                "threshold": threshold,
            },
            evidence_url=url,
            evidence_label=label,
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
        values = {"count": quiet_days, "day": date_format(since, "j M"), "threshold": threshold}
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
        return Alert(
            patient_id=patient_id,
            kind=AlertKind.INACTIVE,
            event_key=f"since:{since.isoformat()}",
            reason=reason % values,
            evidence_url=self._patient_url(patient_id),
            evidence_label=_("See the patient's sessions"),
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
        return Alert(
            patient_id=patient_id,
            kind=AlertKind.LOW_ADHERENCE,
            event_key=f"week:{year}-W{number:02d}",
            reason=_(
                "Adherence over the last 7 days is %(percent)d%% (%(done)d of %(prescribed)d "
                "sessions), under the alert level of %(threshold)d%%."
            )
            % {
                "percent": week.percent,
                "done": week.done,
                "prescribed": week.prescribed,
                "threshold": threshold,
            },
            evidence_url=self._patient_url(patient_id),
            evidence_label=_("See the patient's adherence"),
        )

    def plans_ending(self, patient_id: int, running: list[ActivePlan]) -> list[Alert]:
        alerts = []
        last_day = self.today + datetime.timedelta(days=PLAN_ENDING_DAYS)
        for plan in running:
            if plan.end_date is None or not self.today <= plan.end_date <= last_day:
                continue
            days_left = (plan.end_date - self.today).days
            values = {
                "title": plan.title,
                "day": date_format(plan.end_date, "j M"),
                "count": days_left,
            }
            if days_left == 0:
                reason = _("“%(title)s” ends today.") % values
            else:
                reason = (
                    ngettext(
                        "“%(title)s” ends on %(day)s, in %(count)d day.",
                        "“%(title)s” ends on %(day)s, in %(count)d days.",
                        days_left,
                    )
                    % values
                )
            alerts.append(
                Alert(
                    patient_id=patient_id,
                    kind=AlertKind.PLAN_ENDING,
                    event_key=f"plan:{plan.pk}:{plan.end_date.isoformat()}",
                    reason=reason,
                    evidence_url=reverse("prescriptions:plan-detail", args=[plan.pk]),
                    evidence_label=_("See the plan"),
                )
            )
        return alerts


def _as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    return value


def _decimal(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def alerts_for_patients(
    *,
    clinic: Clinic,
    patient_ids: Iterable[int],
    today: datetime.date | None = None,
    adherence: Mapping[int, Mapping[int, Adherence]] | None = None,
    trends: Mapping[int, PainTrend] | None = None,
    plans: Mapping[int, Iterable] | None = None,
) -> dict[int, PatientAlerts]:
    """Every alert of each of the clinic's patients as of `today` (the clinic's date), the
    acknowledged ones included: `{patient_id: PatientAlerts}`, most urgent first.

    Pass what the caller already read to save its queries: `adherence` from
    `adherence_for_patients` (with the 7-day window), `trends` from `pain_trends_for_patients`,
    and `plans` as each patient's active plans (anything with pk, title, start_date and
    end_date; plans not running today are skipped). Patients of other clinics are ignored."""
    patient_ids = list(dict.fromkeys(patient_ids))
    if not patient_ids:
        return {}
    today = today or clinic.today()
    facts = _facts(clinic=clinic, patient_ids=patient_ids, today=today)
    patient_ids = [patient_id for patient_id in patient_ids if patient_id in facts]
    if adherence is None:
        adherence = adherence_for_patients(
            patient_ids=patient_ids, today=today, windows=(ADHERENCE_WINDOW,), with_days=False
        )
    if trends is None:
        trends = pain_trends_for_patients(patient_ids=patient_ids, today=today, days=0)
    if plans is None:
        plans = _active_plans(patient_ids=patient_ids)

    rules = _Rules(clinic=clinic, today=today)
    derived: dict[int, list[Alert]] = {}
    for patient_id in patient_ids:
        row = facts[patient_id]
        running = _running_today(plans.get(patient_id, ()), today)
        found = [
            rules.red_flag(patient_id, row),
            rules.pain_high(patient_id, row),
            rules.session_flagged(patient_id, row),
            rules.pain_rise(patient_id, trends.get(patient_id)),
            rules.inactive(patient_id, row, running),
            rules.low_adherence(patient_id, adherence.get(patient_id, {}).get(ADHERENCE_WINDOW)),
            *rules.plans_ending(patient_id, running),
        ]
        derived[patient_id] = [alert for alert in found if alert is not None]

    acknowledgements = {}
    keys = {alert.event_key for alerts in derived.values() for alert in alerts}
    if keys:
        rows = AlertAcknowledgement.objects.for_clinic(clinic).filter(
            patient_id__in=[patient_id for patient_id, alerts in derived.items() if alerts],
            event_key__in=keys,
        )
        for acknowledgement in rows.select_related("acknowledged_by"):
            key = (acknowledgement.patient_id, acknowledgement.kind, acknowledgement.event_key)
            acknowledgements[key] = acknowledgement

    order = {kind: position for position, kind in enumerate(KIND_ORDER)}
    result = {}
    for patient_id, alerts in derived.items():
        alerts = [
            replace(
                alert,
                acknowledgement=acknowledgements.get((patient_id, alert.kind, alert.event_key)),
            )
            for alert in alerts
        ]
        alerts.sort(key=lambda alert: order[alert.kind])
        result[patient_id] = PatientAlerts(alerts)
    return result
