from django import forms
from django.utils.translation import gettext_lazy as _

from lib.web import ServiceErrorsMixin

from .models import Message


class MessageForm(ServiceErrorsMixin, forms.Form):
    """What was typed. The service decides whether it may be sent (not empty, not too long,
    the conversation open), so the refusal reads the same from every page; the text area has no
    `maxlength`, which would cut a pasted message short without saying so."""

    body = forms.CharField(
        label=_("Your message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Up to 5,000 characters."),
    )
    corrects = forms.ModelChoiceField(
        queryset=Message.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("You can only correct your own messages here.")},
    )

    def __init__(self, *args, patient, author, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corrects"].queryset = Message.objects.filter(patient=patient, author=author)
