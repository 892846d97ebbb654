from django import forms
from django.utils.translation import gettext_lazy as _

from lib.web import ServiceErrorsMixin

from . import events


class WebhookForm(ServiceErrorsMixin, forms.Form):
    """What an admin sets on a webhook. The rules (https, public addresses, at least one event)
    are the service's; this form only reads the input."""

    url = forms.CharField(
        label=_("Address"),
        max_length=500,
        help_text=_("The https:// address your other software gave you for receiving events."),
        error_messages={"required": _("Enter the address, such as https://ehr.example.com/hooks.")},
        widget=forms.URLInput(attrs={"autocomplete": "off", "inputmode": "url"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("What it is for, such as “Practice management system”."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events to send"),
        choices=events.KIND_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one event, so the webhook has something to send."),
            "invalid_choice": _("Choose only among the events listed."),
        },
    )
    include_details = forms.BooleanField(
        label=_("Include health details"),
        required=False,
        help_text=_(
            "Only for a receiving system that is allowed to hold patients' health records."
        ),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("A webhook that is turned off is sent nothing, and keeps its log."),
    )

    @classmethod
    def initial_for(cls, endpoint) -> dict:
        return {name: getattr(endpoint, name) for name in cls.base_fields}
