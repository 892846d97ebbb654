"""The review's timeline: sessions, pain reports and plan changes, newest first, a page at a
time."""

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
from prescriptions.models import PlanRevision

from .labels import Labels, local_midnight

TIMELINE_PAGE_SIZE = 50


SESSION, PAIN_REPORT_ENTRY, REVISION = "session", "pain", "revision"


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime.datetime
    kind: str
    item: object
    when: str = ""  # the moment as shown, in the clinic's time zone
    iso: str = ""
    # Ready-made words, so the template's loop does no translating: the plan version of a
    # session, the score of a pain report, the version and author of a plan change; a
    # session's exercise counts and its correction.
    title: str = ""
    detail: str = ""
    corrected: str = ""
    notes: tuple[str, ...] = ()  # each exercise of a session not done as prescribed, or noted


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


def timeline_page(
    *,
    patient: Patient,
    start: datetime.date,
    revisions: list[PlanRevision],
    before: datetime.datetime | None,
    labels: Labels,
) -> tuple[list[TimelineEntry], datetime.datetime | None]:
    """A page of the window's sessions, pain reports and plan revisions, newest first (three
    queries: sessions, the exercises in them not done as prescribed or with a note, pain
    reports; the revisions are already read). Each source is read one row past the page, so
    the page is right whichever source its entries come from; the second value is where the
    next page starts (None when this is the last)."""
    since = local_midnight(start, patient.clinic.zone)
    sessions = SessionLog.objects.filter(
        patient=patient, performed_at__gte=since, performed_on__gte=start
    )
    reports = PainReport.objects.filter(
        patient=patient, recorded_at__gte=since, recorded_on__gte=start
    )
    if before is not None:
        sessions = sessions.filter(performed_at__lt=before)
        reports = reports.filter(recorded_at__lt=before)
        revisions = [revision for revision in revisions if revision.changed_at < before]
    corrections = SessionLogRevision.objects.filter(session=OuterRef("pk")).order_by("-revised_at")
    size = TIMELINE_PAGE_SIZE
    # The page's sessions are picked first, through the (patient, time) index, so the counts
    # below are worked out for them alone rather than for every session in the window.
    page_ids = sessions.order_by("-performed_at", "-id").values("pk")[: size + 1]
    sessions = list(
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
    reports = list(reports.order_by("-recorded_at", "-id")[: size + 1])
    entries = [
        *((session.performed_at, SESSION, session) for session in sessions),
        *((report.recorded_at, PAIN_REPORT_ENTRY, report) for report in reports),
        *((revision.changed_at, REVISION, revision) for revision in revisions),
    ]
    entries.sort(key=lambda entry: entry[0], reverse=True)
    earlier = None
    if len(entries) > size:
        page = entries[:size]
        if entries[size][0] == page[-1][0]:
            # Never end a page inside a run of entries at the same moment: the next page
            # starts strictly before the last one shown, and would skip the rest of the run.
            page = [entry for entry in page if entry[0] != entries[size][0]] or page
        entries, earlier = page, page[-1][0]
    words = {
        "partial": _("%(exercise)s: partly done, %(done)s of %(prescribed)s"),
        "skipped": _("%(exercise)s: skipped (%(reason)s)"),
        "completed": _("%(exercise)s: completed"),
        SESSION: _("(version %(version)d)"),
        PAIN_REPORT_ENTRY: _("pain %(score)d out of 10"),
        REVISION: _("version %(number)d, by %(who)s"),
        "exercises": _("%(done)d completed, %(partly)d partly done, %(skipped)d skipped"),
        "corrected": _("Corrected %(when)s"),
    }
    page = []
    for at, kind, item in entries:
        detail = corrected = ""
        notes = ()
        if kind == SESSION:
            title = words[SESSION] % {"version": item.plan_version}
            detail = words["exercises"] % {
                "done": item.completed_count,
                "partly": item.partial_count,
                "skipped": item.skipped_count,
            }
            if item.last_corrected_at:
                corrected = words["corrected"] % {"when": labels.moment(item.last_corrected_at)}
            notes = tuple(_exercise_note(entry, words) for entry in item.off_dose_entries)
        elif kind == PAIN_REPORT_ENTRY:
            title = words[PAIN_REPORT_ENTRY] % {"score": item.score}
        else:
            title = words[REVISION] % {"number": item.number, "who": item.changed_by.full_name}
        page.append(
            TimelineEntry(
                at, kind, item, labels.moment(at), labels.iso(at), title, detail, corrected, notes
            )
        )
    return page, earlier
