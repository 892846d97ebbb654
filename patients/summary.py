"""Each patient's summary: the figures of their logs that change only when a log is written
(`PatientSummary`, `SessionDayCount`), kept here and nowhere else.

- `summary_refresh` is called by every service that writes a session log or a pain report, in
  the write's transaction: it locks the patient's summary row (so two writes for one patient
  take turns and the second sees the first's row), works the patient's figures out again from
  their logs, and recounts the day's sessions of the plan written to.
- `summaries_rebuild` throws a clinic's summaries away (or everyone's) and works them out again
  from the logs, in batches: after a bulk import, or if anything ever doubts them
  (`manage.py summaries_rebuild`).
- `summaries_for` reads them for the selectors (alerts, pain trends, the caseload). What
  depends on the day it is read (the alert windows, the clinic's thresholds, "today's" 7-day
  average) stays with the readers; a reader asking about a day before the latest stored event
  gets figures worked out from the logs as of that day instead.

The figures follow the rules of `patients.trends` (which pain values count, the baseline week,
the week before the latest value) and of `insights.alerts` (the events behind the alerts).
"""

import datetime
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.db.models import Count, F, IntegerField, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

from .models import PainDay, PainReport, Patient, PatientSummary, SessionDayCount, SessionLog
from .red_flags import Severity
from .trends import BASELINE_WEEK, BEFORE_LATEST, ONE_DAY


@dataclass(frozen=True)
class PainSource:
    """Where pain values are stored: the table, its day and time columns, and the value."""

    model: type[models.Model]
    day: str
    at: str
    value: models.Expression | F
    # The same value for raw SQL: the first of these fields that is not NULL.
    value_fields: tuple[str, ...]

    def rows(self, *, today: datetime.date | None, **lookups) -> models.QuerySet:
        rows = self.model.objects.annotate(pain=self.value).filter(pain__isnull=False)
        if today is not None:
            rows = rows.filter(**{f"{self.day}__lte": today})
        return rows.filter(**lookups).order_by()

    def edge(self, column: str, *, patient, today: datetime.date | None, first: bool) -> Subquery:
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


SESSIONS = PainSource(
    SessionLog,
    "performed_on",
    "performed_at",
    Coalesce("pain_after", "pain_before", output_field=IntegerField()),
    ("pain_after", "pain_before"),
)
REPORTS = PainSource(PainReport, "recorded_on", "recorded_at", F("score"), ("score",))
PAIN_SOURCES = {"session": SESSIONS, "report": REPORTS}
# The higher of a session's before and after scores: what the high-pain alert compares.
SESSION_PEAK = Greatest(
    Coalesce("pain_before", "pain_after"),
    Coalesce("pain_after", "pain_before"),
    output_field=IntegerField(),
)
# Patients per windows query: two rows of six parameters each, inside every supported
# database's limit on the parameters of one statement (SQLite's is 32,766).
WINDOWS_BATCH = 2000
# Patients worked out per round when rebuilding.
REBUILD_BATCH = 500


class IdIn(models.Func):
    """`field IN (ids)` as one array parameter on PostgreSQL (`= ANY(%s)`): a caseload's ids go
    into several queries, and Django prepares and psycopg binds an IN list one value at a
    time, which costs more than the queries themselves at a few thousand patients."""

    output_field = models.BooleanField()
    conditional = True

    def __init__(self, field: str, ids: Iterable[int]):
        super().__init__(F(field))
        self.ids = [int(pk) for pk in ids]

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source_expressions[0])
        if not self.ids:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s)", [*params, self.ids]
        return f"{column} IN ({', '.join(['%s'] * len(self.ids))})", [*params, *self.ids]


def utc_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), datetime.UTC)


def _pain_edges(*, patient_ids: list[int], today: datetime.date | None) -> list[dict]:
    """One row per patient with each source's first day, and its latest day, time and value:
    each a subquery that reads one entry of the patient's (patient, time) index."""
    outer = OuterRef("pk")
    annotations = {}
    for name, source in PAIN_SOURCES.items():

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


def pain_window_sums(
    windows: list[tuple[int, str, datetime.date, datetime.date]],
) -> dict[tuple[int, str], tuple[int, int]]:
    """The total and count of pain values, both sources together, per (patient, window), for
    windows given as (patient id, window name, first day, last day) in clinic-local days: one
    query, since each patient has windows of their own. PostgreSQL gets the windows as six
    arrays; other databases as a VALUES list (in batches of 2,000 patients, to stay within
    their limit on parameters)."""
    ops = connection.ops
    rows = [
        (
            patient_id,
            name,
            ops.adapt_datefield_value(first_day),
            ops.adapt_datefield_value(last_day),
            # A clinic's day never strays more than 14 hours from UTC's.
            ops.adapt_datetimefield_value(utc_midnight(first_day - datetime.timedelta(2))),
            ops.adapt_datetimefield_value(utc_midnight(last_day + datetime.timedelta(2))),
        )
        for patient_id, name, first_day, last_day in windows
    ]
    # Correlated subqueries rather than a join, so every database looks each window up in
    # the index instead of hashing the whole log table.
    aggregates = ", ".join(
        source.window_sql(aggregate)
        for source in PAIN_SOURCES.values()
        for aggregate in ("SUM", "COUNT")
    )
    select = f"SELECT w.patient_id, w.kind, {aggregates} FROM pain_windows w"
    columns = "patient_id, kind, first_day, last_day, from_at, to_at"
    statements = []
    if connection.vendor == "postgresql" and rows:
        # Six parameters however many windows: thousands of placeholders cost more to send
        # than the query costs to run.
        arrays = (
            "%s::bigint[], %s::text[], %s::date[], %s::date[], %s::timestamptz[], %s::timestamptz[]"
        )
        statements.append(
            (
                f"WITH pain_windows ({columns}) AS (SELECT * FROM unnest({arrays})) {select}",
                [list(column) for column in zip(*rows, strict=True)],
            )
        )
    elif rows:
        for start in range(0, len(rows), 2 * WINDOWS_BATCH):
            batch = rows[start : start + 2 * WINDOWS_BATCH]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(batch))
            statements.append(
                (
                    f"WITH pain_windows ({columns}) AS (VALUES {values}) {select}",
                    [value for row in batch for value in row],
                )
            )
    sums = {}
    for sql, params in statements:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for patient_id, name, *totals_and_counts in cursor.fetchall():
                totals, counts = totals_and_counts[::2], totals_and_counts[1::2]
                sums[(patient_id, name)] = (
                    sum(total or 0 for total in totals),
                    sum(count or 0 for count in counts),
                )
    return sums


def _pain_figures(*, patient_ids: list[int], today: datetime.date | None) -> dict[int, dict]:
    """The pain fields of each patient's summary (only patients with pain values)."""
    edges = _pain_edges(patient_ids=patient_ids, today=today)
    windows = []
    figures = {}
    for row in edges:
        candidates = [
            (
                row[f"{name}_last_on"],
                row[f"{name}_last_at"],
                row[f"{name}_last_value"],
                name,
                row[f"{name}_last_id"],
            )
            for name in PAIN_SOURCES
            if row[f"{name}_last_at"] is not None
        ]
        if not candidates:
            continue
        first_day = min(row[f"{name}_first_on"] for name in PAIN_SOURCES if row[f"{name}_first_on"])
        last_day = max(row[f"{name}_last_on"] for name in PAIN_SOURCES if row[f"{name}_last_on"])
        baseline_to = first_day + BASELINE_WEEK
        if today is not None:
            baseline_to = min(baseline_to, today)
        windows += [
            (row["pk"], "baseline", first_day, baseline_to),
            (row["pk"], "before_latest", last_day - BEFORE_LATEST, last_day - ONE_DAY),
        ]
        # The latest by day, then time; on a tie, the session (the first source).
        latest_on, latest_at, latest, source, source_id = max(
            candidates, key=lambda c: (c[0], c[1])
        )
        figures[row["pk"]] = {
            "pain_first_on": first_day,
            "pain_latest": latest,
            "pain_latest_at": latest_at,
            "pain_latest_on": latest_on,
            "pain_latest_source": source,
            "pain_latest_id": source_id,
            "pain_last_event_on": last_day,
        }
    sums = pain_window_sums(windows)
    for patient_id, values in figures.items():
        values["pain_baseline_total"], values["pain_baseline_count"] = sums.get(
            (patient_id, "baseline"), (0, 0)
        )
        values["pain_week_before_total"], values["pain_week_before_count"] = sums.get(
            (patient_id, "before_latest"), (0, 0)
        )
    return figures


def _latest(rows, at: str, prefix: str, columns: dict[str, str], **output) -> dict:
    """Subqueries for the latest of `rows` (by `at`, then id): one annotation per column."""
    ordered = rows.order_by(f"-{at}", "-pk")
    return {
        f"{prefix}_{name}": Subquery(ordered.values(column)[:1], **output.get(name, {}))
        for name, column in columns.items()
    }


def _event_figures(*, patient_ids: list[int], today: datetime.date | None) -> dict[int, dict]:
    """The last session and the latest red flag and flagged session of each patient, each a
    subquery on the patient's indexed logs."""
    patient = OuterRef("pk")
    sessions = SessionLog.objects.filter(patient=patient)
    reports = PainReport.objects.filter(patient=patient)
    if today is not None:
        sessions = sessions.filter(performed_on__lte=today)
        reports = reports.filter(recorded_on__lte=today)
    annotations = {
        **_latest(
            reports.exclude(red_flag_severity=Severity.NONE),
            "recorded_at",
            "red_flag",
            {
                "id": "pk",
                "at": "recorded_at",
                "on": "recorded_on",
                "severity": "red_flag_severity",
                "codes": "red_flags",
            },
            codes={"output_field": models.JSONField()},
        ),
        **_latest(
            sessions.filter(is_flagged=True),
            "performed_at",
            "flagged",
            {"id": "pk", "at": "performed_at", "on": "performed_on", "reason": "flag_reason"},
        ),
        **_latest(
            sessions, "performed_at", "last_session", {"at": "performed_at", "on": "performed_on"}
        ),
        **_latest(reports, "recorded_at", "last_report", {"on": "recorded_on"}),
    }
    rows = (
        Patient.objects.filter(pk__in=patient_ids)
        .order_by()
        .annotate(threshold=F("clinic__alert_pain_at_or_above"), **annotations)
        .values("pk", "threshold", *annotations)
    )
    return {row.pop("pk"): row for row in rows}


def _high_pain(*, patient_ids: list[int], today: datetime.date | None) -> dict[int, dict]:
    """Each patient's latest session and latest pain report at each pain level (the session's
    higher score), as `{"high_sessions": {"7": {...}}, "high_reports": {...}}`: two queries
    per source, the latest time per level, then those rows."""
    sources = {
        "high_sessions": (
            SessionLog.objects.annotate(level=SESSION_PEAK),
            "performed_at",
            "performed_on",
            ("pain_before", "pain_after"),
        ),
        "high_reports": (
            PainReport.objects.annotate(level=F("score")),
            "recorded_at",
            "recorded_on",
            ("score",),
        ),
    }
    result: dict[int, dict] = defaultdict(lambda: {name: {} for name in sources})
    for name, (rows, at, day, values) in sources.items():
        rows = rows.filter(patient_id__in=patient_ids, level__isnull=False).order_by()
        if today is not None:
            rows = rows.filter(**{f"{day}__lte": today})
        latest = {
            (patient_id, level): last
            for patient_id, level, last in rows.values("patient_id", "level")
            .annotate(last=Max(at))
            .values_list("patient_id", "level", "last")
        }
        if not latest:
            continue
        found = rows.filter(**{f"{at}__in": set(latest.values())}).values(
            "pk", "patient_id", "level", at, day, *values
        )
        for row in sorted(found, key=lambda row: row["pk"]):
            if latest.get((row["patient_id"], row["level"])) != row[at]:
                continue
            result[row["patient_id"]][name][str(row["level"])] = {
                "id": row["pk"],
                "at": row[at].astimezone(datetime.UTC).isoformat(timespec="microseconds"),
                "on": row[day].isoformat(),
                **{value: row[value] for value in values},
            }
    return result


def high_latest(levels: dict, *, threshold: int) -> dict | None:
    """The latest of the events kept per pain level (`PatientSummary.high_sessions` or
    `high_reports`) at or above `threshold`."""
    found = [event for level, event in levels.items() if int(level) >= threshold]
    return max(found, key=lambda event: (event["at"], event["id"])) if found else None


HIGH_COLUMNS = {
    "high_session": ("high_sessions", ("pain_before", "pain_after")),
    "high_report": ("high_reports", ("score",)),
}


def high_columns(row: dict, *, threshold: int) -> dict:
    """The `high_session_*` and `high_report_*` fields for `threshold`, from the per-level
    events of `row`."""
    values = {"high_threshold": threshold}
    for prefix, (levels, scores) in HIGH_COLUMNS.items():
        event = high_latest(row[levels], threshold=threshold) or {}
        values[f"{prefix}_id"] = event.get("id")
        values[f"{prefix}_at"] = datetime.datetime.fromisoformat(event["at"]) if event else None
        values[f"{prefix}_on"] = datetime.date.fromisoformat(event["on"]) if event else None
        for score in scores:
            column = "score" if score == "score" else score.removeprefix("pain_")
            values[f"{prefix}_{column}"] = event.get(score)
    return values


SUMMARY_FIELDS = [
    field.name
    for field in PatientSummary._meta.concrete_fields
    if field.name not in ("patient", "revision") and not field.primary_key
]


def new_revision() -> int:
    """A summary's revision: random, so a rebuilt or re-created row never repeats one."""
    return secrets.randbits(62)


DEFAULTS = {name: PatientSummary._meta.get_field(name).get_default for name in SUMMARY_FIELDS}


def summaries_compute(
    *, patient_ids: Iterable[int], today: datetime.date | None = None
) -> dict[int, dict]:
    """The summary fields of each patient who has logged anything, worked out from the logs
    (as of `today` when given: logs dated after it are left out). A fixed number of queries
    for any number of patients."""
    patient_ids = list(dict.fromkeys(patient_ids))
    if not patient_ids:
        return {}
    events = _event_figures(patient_ids=patient_ids, today=today)
    pain = _pain_figures(patient_ids=patient_ids, today=today)
    high = _high_pain(patient_ids=patient_ids, today=today)
    result = {}
    for patient_id in patient_ids:
        row = events.get(patient_id)
        if row is None or (row["last_session_at"] is None and row["last_report_on"] is None):
            continue
        values = {name: DEFAULTS[name]() for name in SUMMARY_FIELDS}
        pain_values = pain.get(patient_id, {})
        pain_values.pop("pain_last_event_on", None)
        values.update(pain_values)
        levels = high.get(patient_id, {"high_sessions": {}, "high_reports": {}})
        values.update(levels)
        values.update(high_columns(levels, threshold=row["threshold"]))
        values.update(
            {
                "last_session_at": row["last_session_at"],
                "last_session_on": row["last_session_on"],
                "last_event_on": max(
                    day for day in (row["last_session_on"], row["last_report_on"]) if day
                ),
            }
        )
        if row["red_flag_id"] is not None:
            values.update(
                {
                    name: row[name]
                    for name in ("red_flag_id", "red_flag_at", "red_flag_on", "red_flag_severity")
                }
            )
            values["red_flag_codes"] = row["red_flag_codes"] or []
        if row["flagged_id"] is not None:
            values.update({name: row[name] for name in ("flagged_id", "flagged_at", "flagged_on")})
            values["flagged_reason"] = row["flagged_reason"] or ""
        result[patient_id] = values
    return result


def pain_days_compute(
    *, patient_ids: Iterable[int], day: datetime.date | None = None
) -> dict[tuple[int, datetime.date], tuple[int, int]]:
    """The total and count of pain values per (patient, day), both sources together (only
    `day` when given)."""
    totals: dict[tuple[int, datetime.date], tuple[int, int]] = {}
    for source in PAIN_SOURCES.values():
        rows = source.rows(today=None, patient_id__in=list(patient_ids))
        if day is not None:
            rows = rows.filter(**{source.day: day})
        rows = (
            rows.values("patient_id", source.day)
            .annotate(total=models.Sum("pain"), count=Count("pain"))
            .values_list("patient_id", source.day, "total", "count")
        )
        for patient_id, on, total, count in rows:
            before = totals.get((patient_id, on), (0, 0))
            totals[(patient_id, on)] = (before[0] + total, before[1] + count)
    return totals


def summary_refresh(
    *, patient: Patient, day: datetime.date | None = None, plan_id: int | None = None
) -> None:
    """Work the patient's summary out again after a write to their logs, in the write's
    transaction: their figures, their pain total of `day` (the day of the log written) and,
    with `plan_id`, that plan's count of sessions on `day`."""
    with transaction.atomic():
        # Lock the patient's row first: a concurrent write for the same patient waits here,
        # then reads this one's logs.
        PatientSummary.objects.bulk_create(
            [PatientSummary(patient_id=patient.pk)], ignore_conflicts=True
        )
        PatientSummary.objects.select_for_update().filter(patient_id=patient.pk).first()
        values = summaries_compute(patient_ids=[patient.pk]).get(patient.pk)
        if values is None:
            PatientSummary.objects.filter(patient_id=patient.pk).delete()
        else:
            PatientSummary.objects.filter(patient_id=patient.pk).update(
                **values, revision=new_revision()
            )
        if day is None:
            return
        pain = pain_days_compute(patient_ids=[patient.pk], day=day).get((patient.pk, day))
        if pain:
            PainDay.objects.update_or_create(
                patient_id=patient.pk, day=day, defaults={"total": pain[0], "count": pain[1]}
            )
        else:
            PainDay.objects.filter(patient_id=patient.pk, day=day).delete()
        if plan_id is None:
            return
        sessions = SessionLog.objects.filter(plan_id=plan_id, performed_on=day).count()
        if sessions:
            SessionDayCount.objects.update_or_create(
                plan_id=plan_id,
                day=day,
                defaults={"sessions": sessions},
                create_defaults={"patient_id": patient.pk, "sessions": sessions},
            )
        else:
            SessionDayCount.objects.filter(plan_id=plan_id, day=day).delete()


@transaction.atomic
def summaries_rebuild(*, clinic=None) -> tuple[int, int]:
    """Throw away the summaries, pain days and session counts of the clinic's patients (every
    clinic's without `clinic`) and work them out again from the logs. Returns how many
    summaries and day rows (pain days and session counts) were written."""
    patients = Patient.objects.all() if clinic is None else Patient.objects.filter(clinic=clinic)
    patient_ids = list(patients.order_by("pk").values_list("pk", flat=True))
    for model in (PatientSummary, PainDay, SessionDayCount):
        model.objects.filter(patient_id__in=patients.values("pk")).delete()
    summaries = day_counts = 0
    for start in range(0, len(patient_ids), REBUILD_BATCH):
        batch = patient_ids[start : start + REBUILD_BATCH]
        computed = summaries_compute(patient_ids=batch)
        PatientSummary.objects.bulk_create(
            [
                PatientSummary(patient_id=pk, revision=new_revision(), **values)
                for pk, values in computed.items()
            ],
            batch_size=1000,
        )
        counts = (
            SessionLog.objects.filter(patient_id__in=batch)
            .order_by()
            .values("patient_id", "plan_id", "performed_on")
            .annotate(sessions=Count("pk"))
            .values_list("patient_id", "plan_id", "performed_on", "sessions")
        )
        rows = [
            SessionDayCount(patient_id=patient_id, plan_id=plan_id, day=day, sessions=sessions)
            for patient_id, plan_id, day, sessions in counts
        ]
        SessionDayCount.objects.bulk_create(rows, batch_size=2000)
        pain_days = [
            PainDay(patient_id=patient_id, day=day, total=total, count=count)
            for (patient_id, day), (total, count) in pain_days_compute(patient_ids=batch).items()
        ]
        PainDay.objects.bulk_create(pain_days, batch_size=2000)
        summaries += len(computed)
        day_counts += len(rows) + len(pain_days)
    return summaries, day_counts


PAIN_FIELDS = [name for name in SUMMARY_FIELDS if name.startswith("pain_")]
# Without the events per pain level, which are read only after a clinic changed its threshold.
EVENT_FIELDS = [
    name
    for name in SUMMARY_FIELDS
    if not name.startswith("pain_") and name not in ("high_sessions", "high_reports")
]


def summaries_for(
    *,
    patient_ids: Iterable[int],
    today: datetime.date,
    clinic=None,
    fields: Iterable[str] = SUMMARY_FIELDS,
) -> dict[int, dict | None]:
    """The summary fields of each patient as of `today` (only the clinic's patients when
    `clinic` is given), None for a patient who has logged nothing: one query, plus one round
    of working out from the logs for patients whose latest stored event is dated after `today`
    (a reader looking at an earlier day). `fields` limits what is read (`PAIN_FIELDS` for the
    pain trend, `EVENT_FIELDS` for the alerts)."""
    patient_ids = list(dict.fromkeys(patient_ids))
    if not patient_ids:
        return {}
    patients = Patient.objects.filter(IdIn("pk", patient_ids)).order_by()
    if clinic is not None:
        patients = patients.filter(clinic=clinic)
    fields = ["last_event_on", *(name for name in fields if name != "last_event_on")]
    rows = {}
    for row in patients.values_list("pk", *(f"summary__{name}" for name in fields)):
        values = dict(zip(fields, row[1:], strict=True))
        rows[row[0]] = None if values["last_event_on"] is None else values
    later = [pk for pk, row in rows.items() if row is not None and row["last_event_on"] > today]
    if later:
        computed = summaries_compute(patient_ids=later, today=today)
        rows.update({pk: computed.get(pk) for pk in later})
    return rows
