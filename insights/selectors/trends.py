"""Pain trends for a whole caseload, worked out in SQL in a fixed number of queries by the rules
of `patients.trends`."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from patients.models import PainReport, Patient, SessionLog
from patients.trends import (
    AVERAGE_DAYS,
    BASELINE_WEEK,
    BEFORE_LATEST,
    ONE_DAY,
    SERIES_DAYS,
    PainTrend,
    trend_of,
)


@dataclass(frozen=True)
class _Source:
    """Where pain values are stored: the table, its day and time columns, and the value."""

    model: type[models.Model]
    day: str
    at: str
    value: models.Expression | F
    # The same value for raw SQL: the first of these fields that is not NULL.
    value_fields: tuple[str, ...]

    def rows(self, *, today: datetime.date, **lookups) -> models.QuerySet:
        return (
            self.model.objects.annotate(pain=self.value)
            .filter(pain__isnull=False, **{f"{self.day}__lte": today})
            .filter(**lookups)
            .order_by()
        )

    def edge(self, column: str, *, patient, today: datetime.date, first: bool) -> Subquery:
        """`column` of the patient's first or latest value, read straight off the (patient,
        time) index. Two values at the very same instant are told apart by id only for the
        value itself: sorting on id as well costs a sort step in every other lookup."""
        direction = "" if first else "-"
        order = [f"{direction}{self.at}"]
        if column in ("pain", "pk"):
            order.append(f"{direction}pk")
        rows = self.rows(patient=patient, today=today).order_by(*order)
        return Subquery(rows.values(column)[:1])

    def window_sql(self, aggregate: str) -> str:
        """A subquery of `aggregate` ("SUM" or "COUNT") over the values inside the current row
        of `pain_windows` (a patient and a range of clinic-local days, with a looser range of
        times, so the database reads a few entries of the (patient, time) index for each)."""
        quote = connection.ops.quote_name

        def column(name: str) -> str:
            return f"t.{quote(self.model._meta.get_field(name).column)}"

        value = ", ".join(column(name) for name in self.value_fields)
        if len(self.value_fields) > 1:
            value = f"COALESCE({value})"
        return (
            f"(SELECT {aggregate}({value}) FROM {quote(self.model._meta.db_table)} t "
            f"WHERE {column('patient')} = w.patient_id "
            f"AND {column(self.at)} >= w.from_at AND {column(self.at)} < w.to_at "
            f"AND {column(self.day)} >= w.first_day AND {column(self.day)} <= w.last_day)"
        )


SESSIONS = _Source(
    SessionLog,
    "performed_on",
    "performed_at",
    Coalesce("pain_after", "pain_before", output_field=IntegerField()),
    ("pain_after", "pain_before"),
)
REPORTS = _Source(PainReport, "recorded_on", "recorded_at", F("score"), ("score",))
SOURCES = {"session": SESSIONS, "report": REPORTS}
# Patients per windows query: two rows of six parameters each, inside every supported
# database's limit on the parameters of one statement (SQLite's is 32,766).
WINDOWS_BATCH = 2000


def _utc_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), datetime.UTC)


def _patient_pain_edges(*, patient_ids: list[int], today: datetime.date) -> list[dict]:
    """One row per patient with each source's first day, and its latest day, time and value:
    each a subquery that reads one entry of the patient's (patient, time) index."""
    outer = OuterRef("pk")
    annotations = {}
    for name, source in SOURCES.items():

        def edge(column, *, first, source=source):
            return source.edge(column, patient=outer, today=today, first=first)

        annotations |= {
            f"{name}_first_on": edge(source.day, first=True),
            f"{name}_last_on": edge(source.day, first=False),
            f"{name}_last_at": edge(source.at, first=False),
            f"{name}_last_value": edge("pain", first=False),
            f"{name}_last_id": edge("pk", first=False),
        }
    return list(
        Patient.objects.filter(pk__in=patient_ids)
        .order_by()
        .annotate(**annotations)
        .values("pk", *annotations)
    )


def _window_summaries(
    windows: list[tuple[int, str, datetime.date, datetime.date]],
) -> dict[tuple[int, str], list[dict]]:
    """Each source's {"total", "count"} of pain values per (patient, window), for windows
    given as (patient id, window name, first day, last day) in clinic-local days: one query
    over both sources, since each patient has windows of their own. PostgreSQL gets the
    windows as six arrays; other databases as a VALUES list (in batches of 2,000 patients, to
    stay within their limit on parameters)."""
    ops = connection.ops
    rows = [
        (
            patient_id,
            name,
            ops.adapt_datefield_value(first_day),
            ops.adapt_datefield_value(last_day),
            # A clinic's day never strays more than 14 hours from UTC's.
            ops.adapt_datetimefield_value(_utc_midnight(first_day - datetime.timedelta(2))),
            ops.adapt_datetimefield_value(_utc_midnight(last_day + datetime.timedelta(2))),
        )
        for patient_id, name, first_day, last_day in windows
    ]
    # Correlated subqueries rather than a join, so every database looks each window up in
    # the index instead of hashing the whole log table.
    aggregates = ", ".join(
        source.window_sql(aggregate)
        for source in SOURCES.values()
        for aggregate in ("SUM", "COUNT")
    )
    select = f"SELECT w.patient_id, w.kind, {aggregates} FROM pain_windows w"
    columns = "patient_id, kind, first_day, last_day, from_at, to_at"
    if connection.vendor == "postgresql":
        # Six parameters however many windows: thousands of placeholders cost more to send
        # than the query costs to run.
        arrays = (
            "%s::bigint[], %s::text[], %s::date[], %s::date[], %s::timestamptz[], %s::timestamptz[]"
        )
        statements = (
            [
                (
                    f"WITH pain_windows ({columns}) AS (SELECT * FROM unnest({arrays})) {select}",
                    [list(column) for column in zip(*rows, strict=True)],
                )
            ]
            if rows
            else []
        )
    else:
        statements = []
        for start in range(0, len(rows), 2 * WINDOWS_BATCH):
            batch = rows[start : start + 2 * WINDOWS_BATCH]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(batch))
            statements.append(
                (
                    f"WITH pain_windows ({columns}) AS (VALUES {values}) {select}",
                    [value for row in batch for value in row],
                )
            )
    summaries = defaultdict(list)
    for sql, params in statements:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for patient_id, name, *totals_and_counts in cursor.fetchall():
                pairs = zip(totals_and_counts[::2], totals_and_counts[1::2], strict=True)
                summaries[(patient_id, name)] += [
                    {"total": total, "count": count} for total, count in pairs if count
                ]
    return summaries


def _summary_average(summaries: Iterable[dict | None]) -> float | None:
    summaries = [summary for summary in summaries if summary]
    count = sum(summary["count"] for summary in summaries)
    return sum(summary["total"] for summary in summaries) / count if count else None


def _week_summaries(*, patient_ids: list[int], today: datetime.date) -> dict[int, list[dict]]:
    """Each source's total and count of pain values per patient over the 7 days to today, in
    one query: the same days for everyone, so a plain GROUP BY."""
    week_start = today - datetime.timedelta(days=AVERAGE_DAYS - 1)
    parts = [
        source.rows(
            today=today,
            patient__in=patient_ids,
            **{
                f"{source.day}__gte": week_start,
                f"{source.at}__gte": _utc_midnight(week_start - datetime.timedelta(days=2)),
            },
        )
        .values("patient_id")
        .annotate(total=Sum("pain"), count=Count("pain"))
        .values_list("patient_id", "total", "count")
        for source in SOURCES.values()
    ]
    summaries = defaultdict(list)
    for patient_id, total, count in parts[0].union(*parts[1:], all=True).order_by():
        summaries[patient_id].append({"total": total, "count": count})
    return summaries


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
                f"{source.at}__gte": _utc_midnight(start - datetime.timedelta(days=2)),
            },
        )
        .annotate(pain_on=F(source.day), pain_at=F(source.at))
        .values_list("patient_id", "pain_on", "pain_at", "pain")
        for source in SOURCES.values()
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


def pain_trends_for_patients(
    *, patient_ids: Iterable[int], today: datetime.date, days: int = SERIES_DAYS
) -> dict[int, PainTrend]:
    """The pain trend of each patient as of `today` (the clinic's date, `Clinic.today()`), with
    `series` reaching `days` back: `{patient_id: PainTrend}`, an empty PainTrend for a patient
    with no pain data. Four queries whatever the caseload (up to 2,000 patients): each
    patient's first and latest values; the totals of the windows that depend on each patient's
    own days (the baseline week, the week before the latest value); the last 7 days' totals;
    and the points of the last `days` days for the sparkline (none with `days=0`, which leaves
    `series` empty). Every average is summed and counted in SQL; Python only picks the windows
    and adds the two sources together."""
    patient_ids = list(dict.fromkeys(patient_ids))
    if not patient_ids:
        return {}
    edges = _patient_pain_edges(patient_ids=patient_ids, today=today)
    windows = []
    for row in edges:
        first_days = [row[f"{name}_first_on"] for name in SOURCES if row[f"{name}_first_on"]]
        if not first_days:
            continue
        first_day = min(first_days)
        last_day = max(row[f"{name}_last_on"] for name in SOURCES if row[f"{name}_last_on"])
        row["first_day"] = first_day
        windows += [
            (row["pk"], "baseline", first_day, min(first_day + BASELINE_WEEK, today)),
            (row["pk"], "before_latest", last_day - BEFORE_LATEST, last_day - ONE_DAY),
        ]
    sums = _window_summaries(windows)
    week = _week_summaries(patient_ids=patient_ids, today=today)
    series = pain_series_for_patients(patient_ids=patient_ids, today=today, days=days)
    result = dict.fromkeys(patient_ids, PainTrend())
    for row in edges:
        # The latest by day, then time; on a tie, the session (the first source).
        candidates = [
            (
                row[f"{name}_last_on"],
                row[f"{name}_last_at"],
                row[f"{name}_last_value"],
                name,
                row[f"{name}_last_id"],
            )
            for name in SOURCES
            if row[f"{name}_last_at"] is not None
        ]
        if not candidates:
            continue
        latest_on, latest_at, latest, source, source_id = max(
            candidates, key=lambda c: (c[0], c[1])
        )
        result[row["pk"]] = trend_of(
            baseline=_summary_average(sums.get((row["pk"], "baseline"), ())),
            baseline_from=row["first_day"],
            latest=latest,
            latest_at=latest_at,
            latest_on=latest_on,
            seven_day_average=_summary_average(week.get(row["pk"], ())),
            week_before_latest=_summary_average(sums.get((row["pk"], "before_latest"), ())),
            series=series.get(row["pk"], ()),
            latest_source=source,
            latest_id=source_id,
        )
    return result
