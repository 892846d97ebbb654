"""The pain scale (NPRS) and the safety thresholds that go with it, from DOMAIN.md."""

from django.utils.translation import gettext_lazy as _

from exercises.dose import Limit

PAIN = Limit(_("Pain"), 0, 10, 10)
PAIN_ANCHORS = {0: _("No pain"), 10: _("Worst pain imaginable")}

# The guide's "stop if it hurts" in numbers: a rise of 2 or more during a session, or pain of 7
# or more, means stop and tell the therapist (Farrar 2001; Medbridge Pathways alerts likewise).
STOP_PAIN_AT_OR_ABOVE = 7
STOP_PAIN_RISE = 2
# Clinically important change against baseline: 2 points or 30% (Farrar 2001; Ostelo 2008).
IMPORTANT_CHANGE_POINTS = 2
IMPORTANT_CHANGE_RATIO = 0.30
