"""Advice for the therapist while prescribing: things worth a second look that are still
allowed (DOMAIN.md: warn, do not block). Worded for the therapist, with the figures that
triggered them; these are shown on the staff's pages only (the builder, the plan page and a
template's page). What the patient reads about an exercise is its cautions, not these."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exercises import dose

from . import schedule


@dataclass(frozen=True)
class PlanWarning:
    text: str
    exercise: str = ""


def plan_warnings(*, items, weekdays: int | None) -> list[PlanWarning]:
    """`items` are ItemInput-like objects (exercise, sets, repetitions, hold_seconds, …)."""
    warnings = []
    days = schedule.days_per_week(weekdays) if weekdays is not None else 0
    if 0 < days < dose.MINIMUM_WEEKLY_DAYS:
        warnings.append(
            PlanWarning(
                ngettext(
                    "Scheduled on %(days)d day a week, under the %(minimum)d–3 days usually "
                    "advised for stretching (ACSM; daily is best).",
                    "Scheduled on %(days)d days a week, under the %(minimum)d–3 days usually "
                    "advised for stretching (ACSM; daily is best).",
                    days,
                )
                % {"days": days, "minimum": dose.MINIMUM_WEEKLY_DAYS}
            )
        )
    for item in items:
        warnings.extend(PlanWarning(text, item.exercise.name) for text in _item_warnings(item))
    return warnings


def _item_warnings(item) -> list[str]:
    texts = [
        _("Contraindication to screen for (as the patient reads it): “%(text)s”")
        % {"text": condition}
        for condition in item.exercise.contraindication_list
    ]
    if item.exercise.is_stretch:
        total = item.hold_seconds * item.repetitions
        if total < dose.STRETCH_TARGET_TOTAL_SECONDS:
            texts.append(
                _(
                    "Hold × repetitions is %(total)d s, under the %(target)d s usually advised "
                    "for a static stretch (ACSM; e.g. 2 × 30 s)."
                )
                % {"total": total, "target": dose.STRETCH_TARGET_TOTAL_SECONDS}
            )
    for label, value, limit, unit in (
        (_("Sets"), item.sets, dose.SETS, ""),
        (_("Repetitions"), item.repetitions, dose.REPETITIONS, ""),
        (_("Hold"), item.hold_seconds, dose.HOLD_SECONDS, " s"),
    ):
        if value > limit.usual_maximum:
            texts.append(
                _(
                    "%(what)s %(value)d%(unit)s is above the usual range (up to %(usual)d%(unit)s; "
                    "the limit is %(limit)d%(unit)s)."
                )
                % {
                    "what": label,
                    "value": value,
                    "unit": unit,
                    "usual": limit.usual_maximum,
                    "limit": limit.maximum,
                }
            )
    return texts
