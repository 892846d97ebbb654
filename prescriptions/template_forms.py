from django import forms
from django.utils.translation import gettext_lazy as _

from exercises import dose

from .forms import WeekdaysField


class TemplateForm(forms.Form):
    """A template's own fields in the builder: what the plan form has, less the patient's dates."""

    name = forms.CharField(label=_("Template name"), max_length=120)
    times_per_day = dose.TIMES_PER_DAY.form_field(_("Times per day"))
    weekdays = WeekdaysField()
    description = forms.CharField(
        label=_("Goal and notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Becomes the goal and notes of a plan started from this template, which the "
            "patient sees."
        ),
    )
