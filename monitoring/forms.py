from django import forms
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from lib.web import ServiceErrorsMixin
from messaging.models import Message

from .models import ENTRY_MINUTES, Communication

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("Enter a date, for example 2026-03-14.")}


class EnrolmentForm(ServiceErrorsMixin, forms.Form):
    started_on = forms.DateField(
        label=_("Monitoring set up on"),
        widget=DATE_INPUT,
        help_text=_("The first day of period 1. Periods run 30 days each from this day."),
        error_messages={**DATE_ERRORS, "required": _("Enter the day monitoring was set up.")},
    )
    ended_on = forms.DateField(
        label=_("Monitoring ended on (optional)"),
        widget=DATE_INPUT,
        required=False,
        help_text=_("Leave empty while monitoring goes on."),
        error_messages=DATE_ERRORS,
    )


class TimeEntryForm(ServiceErrorsMixin, forms.Form):
    """What was typed; the service decides whether it may be saved (a date in monitoring and
    not in the future, a reply of the author's own sent that day), so its refusals read the
    same from every page."""

    performed_on = forms.DateField(
        label=_("Date"),
        widget=DATE_INPUT,
        error_messages={**DATE_ERRORS, "required": _("Enter the date the time was spent.")},
    )
    minutes = ENTRY_MINUTES.form_field(
        _("Minutes"),
        help_text=_("Whole minutes, 1 to 120. Log a longer stretch as several entries."),
    )
    activity = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: reviewed this week's sessions and pain; changed the dose."),
        error_messages={"required": _("Say what was done, for example “Reviewed pain reports”.")},
    )
    communication = forms.ChoiceField(
        label=_("Interactive communication with the patient"),
        choices=Communication.choices,
        widget=forms.RadioSelect,
        initial=Communication.NONE,
    )
    message = forms.ModelChoiceField(
        label=_("Your reply in the patient's messages"),
        queryset=Message.objects.none(),
        required=False,
        empty_label=_("Choose a message"),
        help_text=_("Only for a reply in the messages: the entry links to it."),
        error_messages={"invalid_choice": _("Choose one of your own messages to this patient.")},
    )

    def __init__(self, *args, patient, author, offered, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["minutes"].error_messages["required"] = _(
            "Enter the minutes, a whole number from 1 to 120."
        )
        field = self.fields["message"]
        field.queryset = Message.objects.filter(patient=patient, author=author)
        zone = patient.clinic.zone
        field.choices = [
            ("", field.empty_label),
            *(
                (
                    message.pk,
                    f"{timezone.localtime(message.created_at, zone):%Y-%m-%d %H:%M} – "
                    f"{Truncator(message.body).chars(60)}",
                )
                for message in offered
            ),
        ]
