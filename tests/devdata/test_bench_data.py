"""The benchmark clinic (devdata/bench.py) writes its history with bulk_create, not through the
services: its rows must hold what the services would have stored, and a seed must always give
the same history."""

import pytest
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from devdata.bench import BenchSize, BenchSizeMismatch, bench_counts, bench_data_build
from patients.models import PainReport, SessionLog, SessionLogEntry
from patients.services import session_safety_reasons

SMALL = BenchSize(patients=6, days=90, seed=7)


def build(size: BenchSize = SMALL):
    return bench_data_build(size=size, log=lambda line: None)


def test_each_entry_keeps_the_dose_its_plan_item_prescribed(db):
    clinic = build().clinic

    entries = SessionLogEntry.objects.filter(session__clinic=clinic).select_related("plan_item")
    assert entries.exists()
    for entry in entries:
        item = entry.plan_item
        assert (
            entry.exercise_id,
            entry.prescribed_sets,
            entry.prescribed_repetitions,
            entry.prescribed_hold_seconds,
            entry.prescribed_rest_seconds,
            entry.side,
        ) == (
            item.exercise_id,
            item.sets,
            item.repetitions,
            item.hold_seconds,
            item.rest_seconds,
            item.side,
        )


def test_each_session_is_dated_and_flagged_as_the_service_would(db):
    clinic = build().clinic

    sessions = SessionLog.objects.filter(clinic=clinic).prefetch_related(
        Prefetch("entries", queryset=SessionLogEntry.objects.order_by("position"))
    )
    flagged = 0
    for session in sessions:
        reasons = session_safety_reasons(
            pain_before=session.pain_before,
            pain_after=session.pain_after,
            entries=list(session.entries.all()),
        )
        assert session.is_flagged == bool(reasons)
        assert session.performed_on == timezone.localdate(session.performed_at, clinic.zone)
        assert session.created_at == session.performed_at
        flagged += session.is_flagged
    assert 0 < flagged < len(sessions)
    for report in PainReport.objects.filter(clinic=clinic):
        assert report.recorded_on == timezone.localdate(report.recorded_at, clinic.zone)
        assert report.created_at == report.recorded_at


def history_rows(clinic) -> dict[str, list[tuple]]:
    return {
        "sessions": list(
            SessionLog.objects.filter(clinic=clinic)
            .order_by("client_token")
            .values_list(
                "patient__email",
                "performed_at",
                "pain_before",
                "pain_after",
                "difficulty",
                "note",
                "client_token",
            )
        ),
        "entries": list(
            SessionLogEntry.objects.filter(session__clinic=clinic)
            .order_by("session__client_token", "position")
            .values_list("status", "sets_done", "repetitions_done", "hold_seconds_done")
        ),
        "reports": list(
            PainReport.objects.filter(clinic=clinic)
            .order_by("client_token")
            .values_list("patient__email", "recorded_at", "score", "red_flags", "client_token")
        ),
    }


def test_one_seed_always_gives_the_same_history(db, monkeypatch):
    # A session later today than now is left out, so both builds must see the same now.
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        first = history_rows(build().clinic)
        raise Rollback
    assert not SessionLog.objects.exists()

    result = build()

    assert result.status == "created"
    assert history_rows(result.clinic) == first
    assert first["sessions"] and first["entries"] and first["reports"]
    again = build()
    assert again.status == "present"
    assert again.counts == bench_counts(result.clinic) == result.counts
    with pytest.raises(BenchSizeMismatch):
        build(BenchSize(patients=SMALL.patients + 1, days=SMALL.days, seed=SMALL.seed))
