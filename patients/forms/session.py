import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exercises import dose

from ..models import Difficulty, EntryStatus, SkipReason
from ..pain import PAIN, PAIN_ANCHORS


def pain_choices():
    choices = []
    for score in range(PAIN.minimum, PAIN.maximum + 1):
        anchor = PAIN_ANCHORS.get(score)
        choices.append((score, f"{score} – {anchor}" if anchor else str(score)))
    return choices


class PainScaleField(forms.TypedChoiceField):
    """The 0–10 pain scale as eleven large buttons, with its anchors."""

    widget = forms.RadioSelect

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("Choose how much it hurts, from 0 (no pain) to 10 (worst)."),
                "invalid_choice": PAIN.message,
            },
        )
        super().__init__(choices=pain_choices(), coerce=int, **kwargs)


class SessionForm(forms.Form):
    client_token = forms.UUIDField(widget=forms.HiddenInput)
    plan_version = forms.IntegerField(widget=forms.HiddenInput)
    pain_before = PainScaleField(label=_("How much does it hurt now, before you start?"))
    pain_after = PainScaleField(label=_("How much does it hurt now, after the session?"))
    difficulty = forms.ChoiceField(
        label=_("How did it feel?"),
        choices=Difficulty.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label=_("Anything your therapist should know? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    performed_at = forms.DateTimeField(
        label=_("When did you do it?"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_("Now, earlier today or yesterday."),
        error_messages={"invalid": _("Enter a date and time, for example today at 08:30.")},
    )

    def __init__(self, *args, clinic, **kwargs):
        self.clinic = clinic
        super().__init__(*args, **kwargs)

    def clean_performed_at(self):
        value = self.cleaned_data["performed_at"]
        now = timezone.now()
        local_now = timezone.localtime(now, self.clinic.zone)
        earliest = datetime.datetime.combine(
            local_now.date() - datetime.timedelta(days=1), datetime.time.min, self.clinic.zone
        )
        # A minute's grace for a phone clock that runs a little ahead.
        if value > now + datetime.timedelta(minutes=1):
            raise forms.ValidationError(_("A session cannot be logged for the future."))
        if value < earliest:
            raise forms.ValidationError(
                _("Sessions can be logged for today or yesterday only."),
            )
        return min(value, now)


class EntryForm(forms.Form):
    plan_item = forms.IntegerField(widget=forms.HiddenInput)
    # No answer is chosen in advance: an exercise counts as done only when the patient, or the
    # guided player that ran its whole dose, says so.
    status = forms.ChoiceField(
        label=_("Did you do it?"),
        choices=EntryStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say whether you did this exercise: done, partly done or skipped."),
        },
    )
    sets_done = dose.SETS_DONE.form_field(_("Sets done"))
    repetitions_done = dose.REPETITIONS_DONE.form_field(_("Repetitions done"))
    hold_seconds_done = dose.HOLD_SECONDS_DONE.form_field(_("Hold (seconds)"))
    skip_reason = forms.ChoiceField(
        label=_("Why not, or why not all of it?"),
        choices=SkipReason.choices,
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == EntryStatus.SKIPPED and not cleaned.get("skip_reason"):
            self.add_error(
                "skip_reason", _("Say why you skipped it: pain, no time, too hard or other.")
            )
        return cleaned


EntryFormSet = forms.formset_factory(EntryForm, extra=0, max_num=40, absolute_max=40)
