"""The review's pain: the course since the first score in words, and the chart's points and
table rows (each score, or weekly averages on the year chart)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lib import charts
from patients import trends
from patients.models import (
    PainReport,
    Patient,
    SessionLog,
)
from patients.pain import PAIN_AFTER, PAIN_BEFORE, PAIN_REPORT, pain_chart_kinds
from patients.selectors.pain import pain_course_trend

from .labels import Labels, local_midnight


class Verdict:
    """The summary's verdict on pain: a clinically important change either way, none, or not
    yet judged (no scores, or none after the first week, whose average is the baseline)."""

    IMPROVING = str(trends.Direction.IMPROVING)
    WORSENING = str(trends.Direction.WORSENING)
    STEADY = str(trends.Direction.STEADY)
    NO_BASELINE = "no-baseline"
    NO_SCORES = "no-scores"


@dataclass(frozen=True)
class PainSummary:
    sentence: str
    direction: str = ""
    # The page's summary: the latest score against the baseline, with the verdict, in words.
    headline: str = ""
    verdict: str = Verdict.NO_SCORES


def _span_text(days: int) -> str:
    if days < 14:
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    weeks = round(days / 7)
    return ngettext("%(count)d week", "%(count)d weeks", weeks) % {"count": weeks}


def _score(value) -> str:
    return charts.shown_number(float(value))


def pain_course(*, patient: Patient, today: datetime.date) -> PainSummary:
    """One sentence for the therapist on how pain moved from the patient's first week (the
    baseline) to their latest score, and whether that is a clinically important change."""
    trend = pain_course_trend(patient=patient, today=today)
    if trend is None:
        return PainSummary(_("No pain scores yet."), headline=_("No pain scores yet."))
    values = {"from": _score(trend.baseline), "to": _score(trend.latest)}
    days = (trend.latest_on - trend.baseline_from).days
    headline, verdict = _headline(trend)
    if days < 1:
        return PainSummary(_("Pain was %(to)s.") % values, headline=headline, verdict=verdict)
    values["span"] = _span_text(days)
    if trend.latest < trend.baseline:
        sentence = _("Pain fell from %(from)s to %(to)s over %(span)s") % values
    elif trend.latest > trend.baseline:
        sentence = _("Pain rose from %(from)s to %(to)s over %(span)s") % values
    else:
        sentence = _("Pain stayed at %(to)s over %(span)s") % values
    meaning = {
        trends.Direction.IMPROVING: _("a clinically important improvement"),
        trends.Direction.WORSENING: _("a clinically important worsening"),
        trends.Direction.STEADY: _("not a clinically important change"),
    }[trend.direction]
    note = _("from the first week's average to the latest score")
    return PainSummary(
        f"{sentence} ({note}): {meaning}.",
        str(trend.direction),
        headline=headline,
        verdict=verdict,
    )


def _headline(trend: trends.PainTrend) -> tuple[str, str]:
    """ "Pain 3/10, down 4 from 7 in the first week — a clinically important improvement." The
    baseline is the first week's average, so a latest score inside that week is not judged."""
    values = {"latest": trend.latest, "baseline": _score(trend.baseline)}
    baseline_ends = trend.baseline_from + trends.BASELINE_WEEK
    if trend.latest_on <= baseline_ends:
        values["day"] = date_format(baseline_ends, "j M")
        text = _(
            "Pain %(latest)s/10. No baseline yet: it is the average of the first week's "
            "scores, up to %(day)s."
        )
        return text % values, Verdict.NO_BASELINE
    change = trend.latest - trend.baseline
    values["amount"] = _score(abs(change))
    meaning = {
        trends.Direction.IMPROVING: _("a clinically important improvement"),
        trends.Direction.WORSENING: _("a clinically important worsening"),
        trends.Direction.STEADY: _("not a clinically important change"),
    }[trend.direction]
    if change < 0:
        text = _("Pain %(latest)s/10, down %(amount)s from %(baseline)s in the first week")
    elif change > 0:
        text = _("Pain %(latest)s/10, up %(amount)s from %(baseline)s in the first week")
    else:
        text = _("Pain %(latest)s/10, the same as in the first week")
    return f"{text % values} — {meaning}.", str(trend.direction)


@dataclass(frozen=True)
class PainRow:
    """One row of the table that stands in for the chart: a session's pain before and after,
    a pain report, or on the year chart a week's averages. Values are ready-made text."""

    when: str
    iso: str
    before: str = ""
    after: str = ""
    report: str = ""


def _text(value) -> str:
    return "" if value is None else charts.shown_number(float(value))


def pain_data(
    *, patient: Patient, start: datetime.date, end: datetime.date, weekly: bool, labels: Labels
) -> tuple[list[charts.ChartPoint], list[PainRow]]:
    """The chart's points and the table's rows: pain before and after each session and each
    pain report in the window (two queries), or for a long window their weekly averages from
    daily sums and counts worked out in SQL."""
    since = local_midnight(start, patient.clinic.zone)
    sessions = SessionLog.objects.filter(
        patient=patient, performed_at__gte=since, performed_on__range=(start, end)
    )
    reports = PainReport.objects.filter(
        patient=patient, recorded_at__gte=since, recorded_on__range=(start, end)
    )
    points, rows = [], []
    if not weekly:
        for performed_at, before, after in sessions.filter(
            Q(pain_before__isnull=False) | Q(pain_after__isnull=False)
        ).values_list("performed_at", "pain_before", "pain_after"):
            if before is not None:
                points.append(charts.ChartPoint(performed_at, before, PAIN_BEFORE))
            if after is not None:
                points.append(charts.ChartPoint(performed_at, after, PAIN_AFTER))
            rows.append((performed_at, _text(before), _text(after), ""))
        for recorded_at, score in reports.values_list("recorded_at", "score"):
            points.append(charts.ChartPoint(recorded_at, score, PAIN_REPORT))
            rows.append((recorded_at, "", "", _text(score)))
        rows.sort(key=lambda row: row[0])
        return points, [
            PainRow(labels.moment(at), labels.iso(at), before, after, report)
            for at, before, after, report in rows
        ]

    def middle(monday: datetime.date) -> datetime.date:
        # Drawn mid-week, kept inside the window for the first and the current week.
        return min(max(monday + datetime.timedelta(days=3), start), end)

    # Summed per day in SQL (a plain GROUP BY on the day column), then per week here: at most
    # 365 rows, where truncating each row's date to its week in SQL costs a function call per
    # session on SQLite.
    weeks: dict[datetime.date, dict[str, list[int]]] = {}

    def add(day: datetime.date, kind: str, total, count: int) -> None:
        if count:
            monday = day - datetime.timedelta(days=day.weekday())
            sums = weeks.setdefault(monday, {}).setdefault(kind, [0, 0])
            sums[0] += total
            sums[1] += count

    for day, before, before_count, after, after_count in (
        sessions.order_by()
        .values("performed_on")
        .annotate(
            before=Sum("pain_before"),
            before_count=Count("pain_before"),
            after=Sum("pain_after"),
            after_count=Count("pain_after"),
        )
        .values_list("performed_on", "before", "before_count", "after", "after_count")
    ):
        add(day, PAIN_BEFORE, before, before_count)
        add(day, PAIN_AFTER, after, after_count)
    for day, score, count in (
        reports.order_by()
        .values("recorded_on")
        .annotate(total=Sum("score"), number=Count("score"))
        .values_list("recorded_on", "total", "number")
    ):
        add(day, PAIN_REPORT, score, count)
    for monday, kinds in sorted(weeks.items()):
        averages = {kind: round(total / count, 1) for kind, (total, count) in kinds.items()}
        for kind, value in averages.items():
            points.append(charts.ChartPoint(middle(monday), value, kind))
        first = max(monday, start)
        rows.append(
            PainRow(
                _("Week of %(day)s") % {"day": labels.day(first)},
                first.isoformat(),
                before=_text(averages.get(PAIN_BEFORE)),
                after=_text(averages.get(PAIN_AFTER)),
                report=_text(averages.get(PAIN_REPORT)),
            )
        )
    return points, rows


def tick_days(days: int) -> int:
    # About five date labels whatever the window, on whole weeks.
    return 7 * max(1, -(-days // 35))


def chart_kinds(weekly: bool) -> dict[str, charts.SeriesStyle]:
    kinds = pain_chart_kinds()
    if not weekly:
        return kinds
    return {
        kind: charts.SeriesStyle(
            _("%(series)s, weekly average") % {"series": style.label},
            style.colour,
            style.marker,
            connect=style.connect,
            dashed=style.dashed,
        )
        for kind, style in kinds.items()
    }
