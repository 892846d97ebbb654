from django import forms
from django.utils.translation import gettext_lazy as _

from .models import BodyRegion, Kind


class CatalogFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
    region = forms.ChoiceField(
        label=_("Body region"),
        required=False,
        choices=[("", _("All regions")), *BodyRegion.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices]
    )
