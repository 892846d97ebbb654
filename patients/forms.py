from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PatientStatus


class CaseloadFilterForm(forms.Form):
    SCOPE_CHOICES = [("mine", _("My patients")), ("all", _("All of the clinic's patients"))]

    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
    scope = forms.ChoiceField(
        label=_("Show"), choices=SCOPE_CHOICES, required=False, initial="mine"
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[*PatientStatus.choices, ("", _("Any status"))],
        required=False,
        initial=PatientStatus.ACTIVE,
    )
