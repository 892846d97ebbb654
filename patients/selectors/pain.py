"""A patient's pain course: their first week (the baseline) against their latest score, read
for one patient in two small queries and judged by the rules of `patients.trends`, so the
patient's history and the therapist's review tell the same story."""

import datetime

from django.db.models import F, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .. import trends
from ..models import PainReport, Patient, SessionLog


def pain_values(patient: Patient, today: datetime.date):
    """The patient's pain values as patients.trends defines them: a session's pain after, else
    its pain before; a pain report's score; nothing dated after today."""
    sessions = (
        SessionLog.objects.filter(patient=patient, performed_on__lte=today)
        .annotate(pain=Coalesce("pain_after", "pain_before"))
        .filter(pain__isnull=False)
        .order_by()
    )
    reports = (
        PainReport.objects.filter(patient=patient, recorded_on__lte=today)
        .annotate(pain=F("score"))
        .order_by()
    )
    return sessions, reports


def pain_course_trend(*, patient: Patient, today: datetime.date) -> trends.PainTrend | None:
    """How pain moved from the patient's first week (the baseline) to their latest score, by the
    rules of `patients.trends` (`pain_trend`); None before the first score. Two small queries
    feed it: the first day and the latest value, then the first week's values. (The caseload's
    `pain_trends_for_patients` gives the same numbers but is built for many patients.)"""
    sessions, reports = pain_values(patient, today)
    edges = {}
    for name, rows, at, on in (
        ("session", sessions, "performed_at", "performed_on"),
        ("report", reports, "recorded_at", "recorded_on"),
    ):
        edges[f"{name}_first_on"] = rows.order_by(at, "pk").values(on)[:1]
        latest = rows.order_by(f"-{at}", "-pk")
        edges[f"{name}_last_at"] = latest.values(at)[:1]
        edges[f"{name}_last_value"] = latest.values("pain")[:1]
    row = (
        Patient.objects.filter(pk=patient.pk)
        .values(**{name: Subquery(query) for name, query in edges.items()})
        .get()
    )
    firsts = [row[f"{name}_first_on"] for name in ("session", "report")]
    firsts = [day for day in firsts if day is not None]
    if not firsts:
        return None
    baseline_from = min(firsts)
    first_week = (baseline_from, baseline_from + datetime.timedelta(days=trends.BASELINE_DAYS - 1))
    points = list(
        sessions.filter(performed_on__range=first_week)
        .values_list("performed_at", "pain")
        .union(
            reports.filter(recorded_on__range=first_week).values_list("recorded_at", "pain"),
            all=True,
        )
        .order_by()  # SessionLog's default ordering would otherwise reach the union
    )
    zone = patient.clinic.zone
    # A latest value inside the first week is among that week's values already.
    points += [
        (row[f"{name}_last_at"], row[f"{name}_last_value"])
        for name in ("session", "report")
        if row[f"{name}_last_at"] is not None
        and timezone.localtime(row[f"{name}_last_at"], zone).date() > first_week[1]
    ]
    return trends.pain_trend(
        [(timezone.localtime(at, zone), value) for at, value in points], today=today, days=1
    )
