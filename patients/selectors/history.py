"""What the patient's own history reads: their sessions and pain reports, and the pain chart,
in a fixed number of queries however much they have logged."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from lib import charts

from ..models import EntryStatus, PainReport, Patient, SessionLog, SessionLogRevision
from ..pain import PAIN, PAIN_AFTER, PAIN_ANCHORS, PAIN_BEFORE, PAIN_REPORT, pain_chart_kinds

HISTORY_DAYS = 30


@dataclass(frozen=True)
class HistoryItem:
    at: datetime.datetime
    session: SessionLog | None = None
    pain_report: PainReport | None = None


@dataclass
class HistoryDay:
    date: datetime.date
    items: list[HistoryItem] = field(default_factory=list)


@dataclass
class History:
    today: datetime.date
    start: datetime.date
    end: datetime.date
    days: list[HistoryDay]
    chart: charts.Chart | None
    has_earlier: bool

    @property
    def is_latest(self) -> bool:
        return self.end >= self.today

    @property
    def earlier_before(self) -> datetime.date:
        """The `?before=` value of the page before this one."""
        return self.start

    @property
    def later_before(self) -> datetime.date | None:
        """The `?before=` value of the page after this one; None when that is the latest."""
        later = self.end + datetime.timedelta(days=HISTORY_DAYS + 1)
        return None if later > self.today else later


def patient_history(*, patient: Patient, before: datetime.date | None = None) -> History:
    """The patient's sessions and pain reports over the 30 days before `before` (up to today
    when it is not given), newest day first, with the pain chart for the same days."""
    today = patient.clinic.today()
    end = today if before is None or before > today else before - datetime.timedelta(days=1)
    start = end - datetime.timedelta(days=HISTORY_DAYS - 1)

    revisions = SessionLogRevision.objects.filter(session=OuterRef("pk")).order_by("-revised_at")
    sessions = list(
        SessionLog.objects.filter(patient=patient, performed_on__range=(start, end))
        .select_related("plan")
        .annotate(
            completed_count=Count("entries", filter=Q(entries__status=EntryStatus.COMPLETED)),
            partial_count=Count("entries", filter=Q(entries__status=EntryStatus.PARTIAL)),
            skipped_count=Count("entries", filter=Q(entries__status=EntryStatus.SKIPPED)),
            last_corrected_at=Subquery(revisions.values("revised_at")[:1]),
        )
        .order_by("-performed_at", "-id")
    )
    pain_reports = list(
        PainReport.objects.filter(patient=patient, recorded_on__range=(start, end)).order_by(
            "-recorded_at", "-id"
        )
    )
    has_earlier = (
        Patient.objects.filter(pk=patient.pk)
        .annotate(
            earlier=Exists(
                SessionLog.objects.filter(patient=OuterRef("pk"), performed_on__lt=start)
            )
            | Exists(PainReport.objects.filter(patient=OuterRef("pk"), recorded_on__lt=start))
        )
        .values_list("earlier", flat=True)
        .get()
    )

    days: dict[datetime.date, HistoryDay] = {}
    for session in sessions:
        day = days.setdefault(session.performed_on, HistoryDay(session.performed_on))
        day.items.append(HistoryItem(at=session.performed_at, session=session))
    for report in pain_reports:
        day = days.setdefault(report.recorded_on, HistoryDay(report.recorded_on))
        day.items.append(HistoryItem(at=report.recorded_at, pain_report=report))
    for day in days.values():
        day.items.sort(key=lambda item: item.at, reverse=True)

    return History(
        today=today,
        start=start,
        end=end,
        days=sorted(days.values(), key=lambda day: day.date, reverse=True),
        chart=pain_chart(
            sessions=sessions,
            pain_reports=pain_reports,
            start=start,
            end=end,
            zone=patient.clinic.zone,
        ),
        has_earlier=has_earlier,
    )


def pain_chart(
    *,
    sessions: list[SessionLog],
    pain_reports: list[PainReport],
    start: datetime.date,
    end: datetime.date,
    zone: datetime.tzinfo,
    id_prefix: str = "pain-chart",
) -> charts.Chart | None:
    """Pain before and after each session as two lines, and pain reported on its own as
    separate markers; None when there is no score to draw."""
    points = []
    for session in sessions:
        if session.pain_before is not None:
            points.append(charts.ChartPoint(session.performed_at, session.pain_before, PAIN_BEFORE))
        if session.pain_after is not None:
            points.append(charts.ChartPoint(session.performed_at, session.pain_after, PAIN_AFTER))
    for report in pain_reports:
        points.append(charts.ChartPoint(report.recorded_at, report.score, PAIN_REPORT))
    if not points:
        return None
    return charts.time_chart(
        points,
        kinds=pain_chart_kinds(),
        start=start,
        end=end,
        title=_("Your pain, %(start)s to %(end)s")
        % {"start": date_format(start, "j M"), "end": date_format(end, "j M Y")},
        value_label=_("Pain"),
        y_min=PAIN.minimum,
        y_max=PAIN.maximum,
        y_anchors={score: str(anchor) for score, anchor in PAIN_ANCHORS.items()},
        id_prefix=id_prefix,
        zone=zone,
    )
