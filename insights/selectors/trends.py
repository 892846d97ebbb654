"""Pain trends for a whole caseload in a fixed number of queries, by the rules of
`patients.trends`: what changes only when pain is recorded comes from the patients' summaries
(`patients.summary`); the 7 days to today and the sparkline's points are read from the logs."""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import F, Sum

from patients.models import PainDay
from patients.summary import PAIN_FIELDS, PAIN_SOURCES, IdIn, summaries_for, utc_midnight
from patients.trends import AVERAGE_DAYS, SERIES_DAYS, PainTrend, trend_of


def _week_summaries(*, patient_ids: list[int], today: datetime.date) -> dict[int, list[dict]]:
    """The total and count of pain values per patient over the 7 days to today, in one query
    over the patients' pain days (`PainDay`, kept as pain is recorded)."""
    week_start = today - datetime.timedelta(days=AVERAGE_DAYS - 1)
    rows = (
        PainDay.objects.filter(IdIn("patient_id", patient_ids), day__range=(week_start, today))
        .order_by()
        .values("patient_id")
        .annotate(week_total=Sum("total"), week_count=Sum("count"))
        .values_list("patient_id", "week_total", "week_count")
    )
    return {patient_id: [{"total": total, "count": count}] for patient_id, total, count in rows}


def _series(
    *, patient_ids: list[int], start: datetime.date, today: datetime.date
) -> dict[int, list[tuple[datetime.date, int]]]:
    """Every value from `start` to `today` per patient, oldest first, in one query: data to
    draw."""
    parts = [
        source.rows(
            today=today,
            patient__in=patient_ids,
            **{
                f"{source.day}__gte": start,
                f"{source.at}__gte": utc_midnight(start - datetime.timedelta(days=2)),
            },
        )
        .annotate(pain_on=F(source.day), pain_at=F(source.at))
        .values_list("patient_id", "pain_on", "pain_at", "pain")
        for source in PAIN_SOURCES.values()
    ]
    rows = parts[0].union(*parts[1:], all=True).order_by("patient_id", "pain_on", "pain_at")
    series = defaultdict(list)
    for patient_id, day, _at, value in rows:
        series[patient_id].append((day, value))
    return series


def pain_series_for_patients(
    *, patient_ids: Iterable[int], today: datetime.date, days: int = SERIES_DAYS
) -> dict[int, list[tuple[datetime.date, int]]]:
    """Each patient's pain values of the last `days` days up to `today`, oldest first, as
    (day, value): `{patient_id: [...]}`, in one query (none when `days` is 0), the points of
    `PainTrend.series` without the rest of the trend."""
    patient_ids = list(dict.fromkeys(patient_ids))
    if not patient_ids or days <= 0:
        return {}
    return _series(
        patient_ids=patient_ids, start=today - datetime.timedelta(days=days - 1), today=today
    )


def _summary_average(summaries: Iterable[dict]) -> float | None:
    count = sum(summary["count"] for summary in summaries)
    return sum(summary["total"] for summary in summaries) / count if count else None


def _average(total: int, count: int) -> float | None:
    return total / count if count else None


def pain_trends_for_patients(
    *, patient_ids: Iterable[int], today: datetime.date, days: int = SERIES_DAYS
) -> dict[int, PainTrend]:
    """The pain trend of each patient as of `today` (the clinic's date, `Clinic.today()`), with
    `series` reaching `days` back: `{patient_id: PainTrend}`, an empty PainTrend for a patient
    with no pain data. Three queries whatever the caseload: the patients' summaries (first
    day, baseline week, latest value and the week before it, kept as logs are written), the
    last 7 days' totals, and the points of the last `days` days for the sparkline (none with
    `days=0`, which leaves `series` empty)."""
    patient_ids = list(dict.fromkeys(patient_ids))
    if not patient_ids:
        return {}
    summaries = summaries_for(patient_ids=patient_ids, today=today, fields=PAIN_FIELDS)
    week = _week_summaries(patient_ids=patient_ids, today=today)
    series = pain_series_for_patients(patient_ids=patient_ids, today=today, days=days)
    result = dict.fromkeys(patient_ids, PainTrend())
    for patient_id, row in summaries.items():
        if row is None or row["pain_latest"] is None:
            continue
        result[patient_id] = trend_of(
            baseline=_average(row["pain_baseline_total"], row["pain_baseline_count"]),
            baseline_from=row["pain_first_on"],
            latest=row["pain_latest"],
            latest_at=row["pain_latest_at"],
            latest_on=row["pain_latest_on"],
            seven_day_average=_summary_average(week.get(patient_id, ())),
            week_before_latest=_average(
                row["pain_week_before_total"], row["pain_week_before_count"]
            ),
            series=series.get(patient_id, ()),
            latest_source=row["pain_latest_source"],
            latest_id=row["pain_latest_id"],
        )
    return result
