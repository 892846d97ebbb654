"""The words of the guided session player (static/js/guided.js), translated on the server
so the script needs no catalogue of its own."""

from django.utils.translation import gettext as _


def player_strings() -> dict:
    """The player's words, translated here and handed to static/js/guided.js."""
    phases = {
        # What the screen shows in big letters during each phase of an exercise.
        "phase_ready": _("Get ready"),
        "phase_hold": _("Hold"),
        "phase_rest": _("Rest"),
        "phase_nextSet": _("Next set"),
        "phase_switch": _("Switch sides"),
        "phase_rep": _("Do one repetition"),
        # What a screen reader hears once as each phase begins.
        "announce_ready": _("Get ready: {name} starts in {seconds} seconds."),
        "announce_hold": _("Hold for {seconds} seconds. {where}."),
        "announce_rest": _("Rest for {seconds} seconds. {where}."),
        "announce_nextSet": _("Rest for {seconds} seconds before the next set. {where}."),
        "announce_switch": _("Switch sides: {seconds} seconds. {where}."),
        "announce_rep": _("Do repetition {n}, then press Repetition done. {where}."),
        # What the phone says aloud, when spoken cues are on.
        "sayReady": _("Get ready"),
        "sayHold": _("Hold"),
        "sayCount": "{n}",
        "sayRelax": _("Relax"),
        "sayRest": _("Rest"),
        "sayNextSet": _("Next set"),
        "saySwitch": _("Switch sides"),
        "sayRep": _("Repetition {n}"),
        "sayAllDone": _("Well done. That was the last exercise."),
    }
    answers = {
        # Why an answer cannot be sent yet (the same rules as the server's).
        "problem_status": _("Say whether you did this exercise: done, partly done or skipped."),
        "problem_reason": _("Say why you skipped it."),
        "problem_numbers": _("Enter whole numbers for what you did."),
        "problem_completedShort": _(
            "These numbers are less than the dose. Choose partly done, or correct the numbers."
        ),
        "problem_partialWhole": _(
            "These numbers are the whole dose. Choose done, or enter how much you did."
        ),
        "problem_partialNothing": _("Enter how much you did, or choose skipped."),
        "painFirst": _("First choose how much it hurts now, from 0 (no pain) to 10 (worst)."),
        "questionTitle": _("Before you save"),
        "questionHelp": _(
            "These exercises have no answer yet. For each one, say whether you did it, did part "
            "of it (and how much) or skipped it (and why)."
        ),
        "stoppedNote": _(
            "Stopped: marked as partly done, with what the player counted below. You can say why."
        ),
        "stoppedNothing": _(
            "Stopped before anything was counted, so it is marked as skipped. Say why below."
        ),
        "stoppedAsk": _("Stopped. Say below how it went: done, partly done or skipped."),
        "skipNote": _("Skipped. Say why below."),
        "skipSay": _("{name} skipped. Say why below."),
        "doneNote": _(
            "The player counted the whole dose. Change the answer below if it is not right."
        ),
        "answeredNote": _(
            "You have answered for this exercise. Change it below if it is not right."
        ),
    }
    return {
        **phases,
        **answers,
        "back": _("Back"),
        "next": _("Next"),
        "voice": _("Spoken cues"),
        "readyWord": _("Ready when you are"),
        "seconds": _("seconds"),
        "reps": _("repetitions"),
        "ofReps": _("of {total}"),
        "start": _("Start"),
        "pause": _("Pause"),
        "resume": _("Resume"),
        "paused": _("Paused"),
        "pausedSay": _("Paused."),
        "resumed": _("Carrying on."),
        "repDone": _("Repetition done"),
        "stopHere": _("Stop here: partly done"),
        "skip": _("Skip (with a reason)"),
        "setOf": _("Set {n} of {total}"),
        "repOf": _("Repetition {n} of {total}"),
        "comingUp": _("Next: {what}"),
        "left": _("Left side"),
        "right": _("Right side"),
        "done": _("✓ {name}: done"),
        "doneSay": _("{name} done."),
        "nextWord": _("Next: {name}"),
        "nextSay": _("Next: {name}. It starts in a few seconds."),
        "startNow": _("Start now"),
        "notYet": _("Not yet"),
        "allDoneWord": _("All exercises done"),
        "allDoneSay": _("All exercises are done. Continue to say how it went."),
        "continue": _("Continue"),
        "backToTimer": _("Back to the timer"),
        "withTimer": _("Do it now with the timer"),
        "saving": _("Saving…"),
    }
