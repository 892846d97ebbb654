"""The words of the guided session player (static/js/guided.js), translated on the server
so the script needs no catalogue of its own."""

from django.utils.translation import gettext as _


def player_strings() -> dict:
    """The player's words, translated here and handed to static/js/guided.js."""
    return {
        "back": _("Back"),
        "next": _("Next"),
        "step": _("Step {n} of {total}"),
        "ready": _("Ready when you are"),
        "start": _("Start {name}"),
        "repDone": _("Repetition done"),
        "stopHere": _("Stop here: partly done"),
        "skip": _("Skip this exercise"),
        "setOf": _("Set {n} of {total}"),
        "repOf": _("Repetition {n} of {total}"),
        "left": _("Left side"),
        "right": _("Right side"),
        "hold": _("Hold"),
        "holdFor": _("Hold for {seconds} seconds. {where}."),
        "rest": _("Rest"),
        "restFor": _("Rest for {seconds} seconds."),
        "doOne": _("Do one repetition"),
        "doRep": _("Do repetition {n}, then press Repetition done. {where}."),
        "done": _("{name}: done"),
        "doneSay": _("{name} done. Go on to the next step when you are ready."),
        "stopped": _("Stopped: marked as partly done"),
        "stoppedSay": _("Stopped. {name} is marked as partly done. Say why below."),
        "carryOn": _("Carry on"),
        "paused": _("Paused."),
        "pause": _("Pause"),
        "carryingOn": _("Carrying on."),
        "skipped": _("Skipped"),
        "skippedSay": _("{name} skipped. Say why below."),
        "saving": _("Saving…"),
    }
