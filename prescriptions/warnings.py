"""Advice for the therapist while prescribing: things worth a second look that are still
allowed (DOMAIN.md: warn, do not block)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from exercises import dose

from . import schedule


@dataclass(frozen=True)
class PlanWarning:
    text: str
    exercise: str = ""


def plan_warnings(*, items, weekdays: int | None) -> list[PlanWarning]:
    """`items` are ItemInput-like objects (exercise, sets, repetitions, hold_seconds, …)."""
    warnings = []
    if weekdays is not None and 0 < schedule.days_per_week(weekdays) < dose.MINIMUM_WEEKLY_DAYS:
        warnings.append(
            PlanWarning(
                _(
                    "Scheduled on one day a week. Stretching works best at least 2–3 days a "
                    "week, and daily is best (ACSM)."
                )
            )
        )
    for item in items:
        name = item.exercise.name
        for condition in item.exercise.contraindication_list:
            warnings.append(PlanWarning(_("Check first: %(text)s") % {"text": condition}, name))
        if item.exercise.is_stretch:
            total = item.hold_seconds * item.repetitions
            if total < dose.STRETCH_TARGET_TOTAL_SECONDS:
                warnings.append(
                    PlanWarning(
                        _(
                            "%(seconds)d seconds of holding in all (hold × repetitions). About "
                            "60 seconds per stretch, such as 2 × 30 seconds, is recommended."
                        )
                        % {"seconds": total},
                        name,
                    )
                )
        for label, value, limit in (
            (_("sets"), item.sets, dose.SETS),
            (_("repetitions"), item.repetitions, dose.REPETITIONS),
            (_("hold"), item.hold_seconds, dose.HOLD_SECONDS),
        ):
            if value > limit.usual_maximum:
                warnings.append(
                    PlanWarning(
                        _("%(value)d %(what)s is more than usual (up to %(usual)d).")
                        % {"value": value, "what": label, "usual": limit.usual_maximum},
                        name,
                    )
                )
    return warnings
