"""The patient's sessions and pain reports, each newest first and a page at a time: the one
place on the page where each event is shown in full, at `#session-<id>` or `#pain-<id>` (where
alerts and emails link to)."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils.translation import gettext as _

from patients.models import (
    EntryStatus,
    PainReport,
    Patient,
    SessionLog,
    SessionLogEntry,
    SessionLogRevision,
)

from .labels import Labels

# Enough that the events an open alert points at (a flagged session or a red flag of the last
# 30 days) are on the first page for a patient logging once or twice a day.
SESSIONS_PAGE_SIZE = 40
PAIN_REPORTS_PAGE_SIZE = 20
# Shown at first; the rest of a page is folded away under a "Show earlier" summary (a browser
# opens it by itself when a link's #session-<id> or #pain-<id> points inside).
SESSIONS_SHOWN = 6
PAIN_REPORTS_SHOWN = 4


@dataclass(frozen=True)
class SessionEntry:
    item: SessionLog
    when: str  # the moment as shown, in the clinic's time zone
    iso: str
    # Ready-made words, so the template's loop does no translating: the plan version, the
    # exercise counts, the correction, and each exercise not done as prescribed, or noted.
    title: str = ""
    detail: str = ""
    corrected: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PainEntry:
    item: PainReport
    when: str
    iso: str


@dataclass(frozen=True)
class EventPage:
    entries: list
    # Where the next page starts (None when this is the last), and where this one started
    # (None for the newest page).
    earlier_before: datetime.datetime | None
    before: datetime.datetime | None
    shown: int

    @property
    def is_latest(self) -> bool:
        return self.before is None

    @property
    def first(self) -> list:
        return self.entries[: self.shown]

    @property
    def rest(self) -> list:
        return self.entries[self.shown :]


def _dose_text(sets: int, repetitions: int, hold_seconds: int, timed: bool) -> str:
    return f"{sets} × {repetitions} × {hold_seconds} s" if timed else f"{sets} × {repetitions}"


def _exercise_note(entry: SessionLogEntry, words: dict[str, str]) -> str:
    exercise = entry.exercise.name
    if entry.status == EntryStatus.PARTIAL:
        timed = bool(entry.prescribed_hold_seconds)
        text = words["partial"] % {
            "exercise": exercise,
            "done": _dose_text(
                entry.sets_done, entry.repetitions_done, entry.hold_seconds_done, timed
            ),
            "prescribed": _dose_text(
                entry.prescribed_sets,
                entry.prescribed_repetitions,
                entry.prescribed_hold_seconds,
                timed,
            ),
        }
    elif entry.status == EntryStatus.SKIPPED:
        reason = entry.get_skip_reason_display()
        text = words["skipped"] % {"exercise": exercise, "reason": str(reason).lower()}
    else:
        text = words["completed"] % {"exercise": exercise}
    return f"{text}: “{entry.note}”" if entry.note else text


def _cut(rows: list, size: int, moment) -> tuple[list, datetime.datetime | None]:
    """The first `size` of `rows` (read one past the page) and where the next page starts.
    A page never ends inside a run of rows at the same moment: the next page starts strictly
    before the last one shown, and would skip the rest of the run."""
    if len(rows) <= size:
        return rows, None
    page = rows[:size]
    if moment(rows[size]) == moment(page[-1]):
        page = [row for row in page if moment(row) != moment(rows[size])] or page
    return page, moment(page[-1])


def session_page(
    *, patient: Patient, before: datetime.datetime | None, labels: Labels
) -> EventPage:
    """A page of the patient's sessions, newest first, with their exercise counts, their last
    correction and the exercises not done as prescribed (two queries)."""
    sessions = SessionLog.objects.filter(patient=patient)
    if before is not None:
        sessions = sessions.filter(performed_at__lt=before)
    size = SESSIONS_PAGE_SIZE
    # The page's sessions are picked first, through the (patient, time) index, so the counts
    # below are worked out for them alone rather than for the whole history.
    page_ids = sessions.order_by("-performed_at", "-id").values("pk")[: size + 1]
    corrections = SessionLogRevision.objects.filter(session=OuterRef("pk")).order_by("-revised_at")
    rows = list(
        SessionLog.objects.filter(pk__in=Subquery(page_ids))
        .select_related("plan")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=SessionLogEntry.objects.filter(
                    ~Q(status=EntryStatus.COMPLETED) | ~Q(note="")
                )
                .select_related("exercise")
                .order_by("position", "id"),
                to_attr="off_dose_entries",
            )
        )
        .annotate(
            entry_count=Count("entries"),
            completed_count=Count("entries", filter=Q(entries__status=EntryStatus.COMPLETED)),
            partial_count=Count("entries", filter=Q(entries__status=EntryStatus.PARTIAL)),
            skipped_count=Count("entries", filter=Q(entries__status=EntryStatus.SKIPPED)),
            last_corrected_at=Subquery(corrections.values("revised_at")[:1]),
        )
        .order_by("-performed_at", "-id")
    )
    rows, earlier = _cut(rows, size, lambda session: session.performed_at)
    words = {
        "partial": _("%(exercise)s: partly done, %(done)s of %(prescribed)s"),
        "skipped": _("%(exercise)s: skipped (%(reason)s)"),
        "completed": _("%(exercise)s: completed"),
        "version": _("version %(version)d"),
        "exercises": _("%(done)d of %(total)d exercises done"),
        "exercises_partly": _("%(done)d of %(total)d exercises done, %(partly)d partly"),
        "corrected": _("Corrected %(when)s"),
    }
    entries = []
    for session in rows:
        counts = {
            "done": session.completed_count,
            "total": session.entry_count,
            "partly": session.partial_count,
        }
        detail = words["exercises_partly" if session.partial_count else "exercises"] % counts
        corrected = ""
        if session.last_corrected_at:
            corrected = words["corrected"] % {"when": labels.moment(session.last_corrected_at)}
        entries.append(
            SessionEntry(
                item=session,
                when=labels.moment(session.performed_at),
                iso=labels.iso(session.performed_at),
                title=words["version"] % {"version": session.plan_version},
                detail=detail,
                corrected=corrected,
                notes=tuple(_exercise_note(entry, words) for entry in session.off_dose_entries),
            )
        )
    return EventPage(entries=entries, earlier_before=earlier, before=before, shown=SESSIONS_SHOWN)


def pain_report_page(
    *, patient: Patient, before: datetime.datetime | None, labels: Labels
) -> EventPage:
    """A page of the patient's pain reports, newest first (one query)."""
    reports = PainReport.objects.filter(patient=patient)
    if before is not None:
        reports = reports.filter(recorded_at__lt=before)
    size = PAIN_REPORTS_PAGE_SIZE
    rows = list(reports.order_by("-recorded_at", "-id")[: size + 1])
    rows, earlier = _cut(rows, size, lambda report: report.recorded_at)
    entries = [
        PainEntry(
            item=report, when=labels.moment(report.recorded_at), iso=labels.iso(report.recorded_at)
        )
        for report in rows
    ]
    return EventPage(
        entries=entries, earlier_before=earlier, before=before, shown=PAIN_REPORTS_SHOWN
    )
