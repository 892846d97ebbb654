"""Forms of the patient's own pages: reporting pain, the history's paging, correcting a log.
They only check what was typed; the services own the rules and the save."""

import datetime
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exercises import dose
from lib.web import ServiceErrorsMixin

from ..models import Difficulty, EntryStatus, SessionLog, SessionLogEntry, SkipReason
from ..pain import PAIN
from ..red_flags import RED_FLAG_CHOICES
from ..services import EntryCorrection
from .session import PainScaleField

PAIN_REQUIRED = _("Choose a number for your pain: 0 is no pain, 10 is the worst pain imaginable.")
NOTE_MAX_LENGTH = 2000
# How late a report made on the phone without a network may still arrive in the pain diary.
LATE_REPORT_LIMIT = datetime.timedelta(days=7)


class PainReportForm(ServiceErrorsMixin, forms.Form):
    client_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)
    score = PainScaleField(
        label=_("How much does it hurt right now?"),
        error_messages={"required": PAIN_REQUIRED, "invalid_choice": PAIN.message},
    )
    body_location = forms.CharField(
        label=_("Where does it hurt? (optional)"),
        max_length=120,
        required=False,
        help_text=_("For example: lower back, left leg."),
    )
    note = forms.CharField(
        label=_("Anything else your therapist should know? (optional)"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    red_flags = forms.MultipleChoiceField(
        label=_("Do you have any of these?"),
        choices=RED_FLAG_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None of these? Leave them all unticked: that is the usual answer."),
        error_messages={"invalid_choice": _("Tick only the warning signs listed here.")},
    )

    # Set by the phone for a report made without a network and sent later (static/js/offline.js):
    # the moment it was made, which is when the pain was.
    reported_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def clean_reported_at(self):
        reported_at = self.cleaned_data["reported_at"]
        if reported_at is None:
            return None
        now = timezone.now()
        # A minute's grace for a phone clock that runs a little ahead.
        if reported_at > now + datetime.timedelta(minutes=1):
            raise forms.ValidationError(_("A pain report cannot be made for the future."))
        if reported_at < now - LATE_REPORT_LIMIT:
            raise forms.ValidationError(
                _(
                    "This report was made more than %(days)d days ago, too long to add to your "
                    "pain diary now. Report how you are today instead."
                )
                % {"days": LATE_REPORT_LIMIT.days}
            )
        return min(reported_at, now)

    @property
    def rejected_score(self) -> str:
        """A score sent but refused (such as 11), to say back what was entered."""
        if not self.is_bound or "score" not in self.errors:
            return ""
        return str(self.data.get(self.add_prefix("score"), "")).strip()[:10]


class HistoryPageForm(forms.Form):
    EARLIEST = datetime.date(2000, 1, 1)

    before = forms.DateField(required=False)

    def clean_before(self):
        before = self.cleaned_data["before"]
        if before is not None and before < self.EARLIEST:
            raise forms.ValidationError(_("Choose a later date."))
        return before


class EntryCorrectionForm(forms.Form):
    """One exercise of a logged session, as the patient corrects it."""

    status = forms.ChoiceField(
        label=_("Did you do it?"), choices=EntryStatus.choices, widget=forms.RadioSelect
    )
    sets_done = dose.SETS_DONE.form_field(_("Sets done"))
    repetitions_done = dose.REPETITIONS_DONE.form_field(_("Repetitions done"))
    hold_seconds_done = dose.HOLD_SECONDS_DONE.form_field(_("Hold (seconds)"))
    skip_reason = forms.ChoiceField(
        label=_("Why not all of it?"), choices=SkipReason.choices, required=False
    )

    def __init__(self, *args, entry: SessionLogEntry, **kwargs):
        self.entry = entry
        kwargs.setdefault(
            "initial",
            {
                "status": entry.status,
                "sets_done": entry.sets_done,
                "repetitions_done": entry.repetitions_done,
                "hold_seconds_done": entry.hold_seconds_done,
                "skip_reason": entry.skip_reason,
            },
        )
        super().__init__(*args, prefix=f"entry-{entry.pk}", **kwargs)
        if not entry.prescribed_hold_seconds and not entry.hold_seconds_done:
            # A moving exercise has no hold to correct.
            del self.fields["hold_seconds_done"]
        for name in ("sets_done", "repetitions_done", "hold_seconds_done"):
            if name in self.fields:
                self.fields[name].widget.attrs["inputmode"] = "numeric"

    @property
    def prescribed_text(self) -> str:
        entry = self.entry
        return dose.describe(
            sets=entry.prescribed_sets,
            repetitions=entry.prescribed_repetitions,
            hold_seconds=entry.prescribed_hold_seconds,
            rest_seconds=entry.prescribed_rest_seconds,
            side=entry.side,
        )

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if status == EntryStatus.SKIPPED and not cleaned.get("skip_reason"):
            self.add_error(
                "skip_reason", _("Say why you skipped it: pain, no time, too hard or other.")
            )
        if status == EntryStatus.COMPLETED:
            cleaned["skip_reason"] = SkipReason.NONE
        return cleaned

    def correction(self) -> EntryCorrection:
        cleaned = self.cleaned_data
        return EntryCorrection(
            entry_id=self.entry.pk,
            status=cleaned["status"],
            sets_done=cleaned["sets_done"],
            repetitions_done=cleaned["repetitions_done"],
            hold_seconds_done=cleaned.get("hold_seconds_done", self.entry.hold_seconds_done),
            skip_reason=cleaned.get("skip_reason") or SkipReason.NONE,
        )


class SessionCorrectionForm(ServiceErrorsMixin, forms.Form):
    pain_before = PainScaleField(
        label=_("Pain before the session"),
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": PAIN.message},
    )
    pain_after = PainScaleField(
        label=_("Pain after the session"),
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": PAIN.message},
    )
    difficulty = forms.ChoiceField(
        label=_("How did it feel?"),
        choices=[*Difficulty.choices, ("", _("Not given"))],
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label=_("Note for your therapist (optional)"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label=_("What did you correct? (optional)"),
        max_length=300,
        required=False,
        help_text=_("For example: I pressed the wrong number."),
    )

    def __init__(self, data=None, *, session: SessionLog, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "pain_before": session.pain_before,
                "pain_after": session.pain_after,
                "difficulty": session.difficulty,
                "note": session.note,
            },
        )
        super().__init__(data, **kwargs)
        self.session = session
        self.entry_forms = [
            EntryCorrectionForm(data, entry=entry) for entry in session.entries.all()
        ]

    def is_valid(self) -> bool:
        entries_valid = all([entry_form.is_valid() for entry_form in self.entry_forms])
        return super().is_valid() and entries_valid

    @property
    def has_any_errors(self) -> bool:
        return bool(self.errors) or any(entry_form.errors for entry_form in self.entry_forms)

    def changes(self) -> dict:
        cleaned = self.cleaned_data
        return {
            "pain_before": cleaned["pain_before"],
            "pain_after": cleaned["pain_after"],
            "difficulty": cleaned["difficulty"],
            "note": cleaned["note"],
            "entries": [entry_form.correction() for entry_form in self.entry_forms],
        }


class ReminderForm(ServiceErrorsMixin, forms.Form):
    """Email reminders on or off, and one time of day per session of the plan's day."""

    is_on = forms.BooleanField(label=_("Remind me of each session"), required=False)

    def __init__(self, *args, sessions: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.sessions = sessions
        for number in range(1, sessions + 1):
            self.fields[f"time_{number}"] = forms.TimeField(
                label=(
                    _("Reminder %(number)d") % {"number": number}
                    if sessions > 1
                    else _("Reminder time")
                ),
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                error_messages={
                    "invalid": _("Enter a time of day from 00:00 to 23:59, such as 09:00.")
                },
            )

    @property
    def time_fields(self):
        return [self[f"time_{number}"] for number in range(1, self.sessions + 1)]

    @staticmethod
    def initial_for(settings_row, times: list[str]) -> dict:
        initial = {"is_on": settings_row.is_on if settings_row else True}
        for number, text in enumerate(times, start=1):
            initial[f"time_{number}"] = text
        return initial

    def clean(self):
        cleaned = super().clean()
        times = [cleaned.get(f"time_{number}") for number in range(1, self.sessions + 1)]
        cleaned["times"] = [time for time in times if time is not None]
        if cleaned.get("is_on") and not cleaned["times"]:
            self.add_error(None, _("Choose at least one time, or turn reminders off."))
        return cleaned
