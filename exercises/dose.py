"""The dose limits from DOMAIN.md, defined once.

Each limit has a hard range, enforced by model validation and by a database CHECK constraint,
and a usual range; a value outside the usual range but inside the hard one is allowed with a
warning (a therapist may have reasons), a value outside the hard range is refused.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from lib.limits import Limit

SETS = Limit(_("Sets"), 1, 10, 5)
REPETITIONS = Limit(_("Repetitions"), 1, 50, 30)
HOLD_SECONDS = Limit(_("Hold (seconds)"), 0, 300, 120)
REST_SECONDS = Limit(_("Rest (seconds)"), 0, 300, 300)
TIMES_PER_DAY = Limit(_("Times per day"), 1, 6, 6)

# What a patient reports having done: zero is possible (a skipped or partial exercise),
# the upper bounds are the same hard limits, so an absurd 1,000 repetitions is refused.
SETS_DONE = Limit(_("Sets done"), 0, SETS.maximum, SETS.usual_maximum)
REPETITIONS_DONE = Limit(_("Repetitions done"), 0, REPETITIONS.maximum, REPETITIONS.usual_maximum)
HOLD_SECONDS_DONE = Limit(_("Hold done (seconds)"), 0, HOLD_SECONDS.maximum, HOLD_SECONDS.maximum)

DOSE_LIMITS = {
    "sets": SETS,
    "repetitions": REPETITIONS,
    "hold_seconds": HOLD_SECONDS,
    "rest_seconds": REST_SECONDS,
}

# ACSM: about 60 s in total per stretch (e.g. 2 x 30 s) is the target; less earns a warning.
STRETCH_TARGET_TOTAL_SECONDS = 60
# ACSM: stretch at least 2-3 days a week; fewer scheduled days earns a warning.
MINIMUM_WEEKLY_DAYS = 2


class Side(models.TextChoices):
    NONE = "none", _("Not sided")
    BOTH = "both", _("Each side")
    LEFT = "left", _("Left")
    RIGHT = "right", _("Right")


class DoseModel(models.Model):
    """Sets, repetitions, hold and rest, with the limits above, for any row that carries a dose."""

    sets = SETS.field(_("sets"), default=1)
    repetitions = REPETITIONS.field(_("repetitions"), default=1)
    hold_seconds = HOLD_SECONDS.field(_("hold (seconds)"), default=0)
    rest_seconds = REST_SECONDS.field(_("rest (seconds)"), default=0)
    side = models.CharField(_("side"), max_length=5, choices=Side.choices, default=Side.NONE)

    class Meta:
        abstract = True
        constraints = [
            SETS.constraint("sets", "%(app_label)s_%(class)s_sets_range"),
            REPETITIONS.constraint("repetitions", "%(app_label)s_%(class)s_repetitions_range"),
            HOLD_SECONDS.constraint("hold_seconds", "%(app_label)s_%(class)s_hold_range"),
            REST_SECONDS.constraint("rest_seconds", "%(app_label)s_%(class)s_rest_range"),
            models.CheckConstraint(
                condition=Q(side__in=Side.values),
                name="%(app_label)s_%(class)s_side_valid",
                violation_error_message=_("Side must be none, both, left or right."),
            ),
        ]

    @property
    def total_hold_seconds(self) -> int:
        return self.sets * self.repetitions * self.hold_seconds

    @property
    def dose_text(self) -> str:
        return describe(
            sets=self.sets,
            repetitions=self.repetitions,
            hold_seconds=self.hold_seconds,
            rest_seconds=self.rest_seconds,
            side=self.side,
        )


def _seconds(value: int) -> str:
    return ngettext("%(count)d second", "%(count)d seconds", value) % {"count": value}


def describe(
    *, sets: int, repetitions: int, hold_seconds: int, rest_seconds: int, side: str
) -> str:
    """The dose in plain words: "Hold 30 seconds, 3 times" or "2 sets of 10 repetitions"."""
    if hold_seconds:
        parts = [
            gettext("Hold %(hold)s, %(reps)s")
            % {
                "hold": _seconds(hold_seconds),
                "reps": ngettext("%(count)d time", "%(count)d times", repetitions)
                % {"count": repetitions},
            }
        ]
    else:
        parts = [
            ngettext("%(count)d repetition", "%(count)d repetitions", repetitions)
            % {"count": repetitions}
        ]
    if sets > 1 and hold_seconds:
        parts.append(ngettext("%(count)d set", "%(count)d sets", sets) % {"count": sets})
    elif sets > 1:
        parts[0] = ngettext("%(count)d set of %(what)s", "%(count)d sets of %(what)s", sets) % {
            "count": sets,
            "what": parts[0],
        }
    if side == Side.BOTH:
        parts.append(gettext("on each side"))
    elif side == Side.LEFT:
        parts.append(gettext("left side"))
    elif side == Side.RIGHT:
        parts.append(gettext("right side"))
    if rest_seconds:
        parts.append(gettext("rest %(rest)s between") % {"rest": _seconds(rest_seconds)})
    return ", ".join(parts)
