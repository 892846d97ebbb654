"""The pain scale (NPRS) and the safety thresholds that go with it, from DOMAIN.md."""

from django.utils.translation import gettext_lazy as _

from lib.charts import SeriesStyle
from lib.limits import Limit

PAIN = Limit(_("Pain"), 0, 10, 10)
PAIN_ANCHORS = {0: _("No pain"), 10: _("Worst pain imaginable")}

# The guide's "stop if it hurts" in numbers: a rise of 2 or more during a session, or pain of 7
# or more, means stop and tell the therapist (Farrar 2001; Medbridge Pathways alerts likewise).
STOP_PAIN_AT_OR_ABOVE = 7
STOP_PAIN_RISE = 2
# Clinically important change against baseline: 2 points or 30% (Farrar 2001; Ostelo 2008).
IMPORTANT_CHANGE_POINTS = 2
IMPORTANT_CHANGE_RATIO = 0.30


# The pain chart's series, alike on the patient's history and the therapist's review.
PAIN_BEFORE, PAIN_AFTER, PAIN_REPORT = "before", "after", "report"


def pain_chart_kinds() -> dict[str, SeriesStyle]:
    return {
        PAIN_BEFORE: SeriesStyle(_("Before session"), "#0b6e4f", "circle"),
        PAIN_AFTER: SeriesStyle(_("After session"), "#1d4ed8", "square", dashed=True),
        PAIN_REPORT: SeriesStyle(_("Pain report"), "#9a3412", "diamond", connect=False),
    }
