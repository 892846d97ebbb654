from django import forms
from django.utils.translation import gettext_lazy as _

from patients.models import AlertKind, PatientStatus

from .selectors.caseload import SORTS, SORTS_BY_VALUE


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
    needs_attention = forms.BooleanField(
        label=_("Only patients who need attention"),
        required=False,
        help_text=_("Patients with an open alert."),
    )
    function_worsening = forms.BooleanField(
        label=_("Only function worsening"),
        required=False,
        help_text=_(
            "Latest PSFS, ODI or NDI worse than the first by a clinically important amount."
        ),
    )
    # A list rather than a choice field: an unknown sort (an old bookmark) falls back to the
    # default order instead of refusing every filter.
    sort = forms.CharField(
        label=_("Sort by"),
        required=False,
        max_length=30,
        widget=forms.Select(choices=[(sort.value, sort.label) for sort in SORTS]),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and "status" not in self.data:
            # Shown as chosen, so the next change (applied as it is made) keeps it.
            self.data = self.data.copy()
            self.data["status"] = PatientStatus.ACTIVE
        # A clinic admin usually has no caseload of their own: they start on the whole clinic.
        self.default_scope = "all" if user is not None and user.is_clinic_admin else "mine"
        self.fields["scope"].initial = self.default_scope

    def clean_status(self):
        # A link that names only some filters (a sort link, a page link) keeps the default
        # status; "Any status" is the empty value chosen on purpose.
        if "status" not in self.data:
            return PatientStatus.ACTIVE
        return self.cleaned_data["status"]

    def clean_sort(self):
        sort = self.cleaned_data["sort"]
        # An unknown sort falls back to the default order rather than refusing the filters.
        return sort if sort in SORTS_BY_VALUE else ""

    def filters(self) -> dict:
        """The filters to apply: what was chosen, or the defaults for anything not given."""
        cleaned = self.cleaned_data if self.is_valid() else {}
        return {
            "scope": cleaned.get("scope") or self.default_scope,
            "status": cleaned.get("status", PatientStatus.ACTIVE),
            "query": cleaned.get("q", ""),
            "needs_attention": cleaned.get("needs_attention", False),
            "function_worsening": cleaned.get("function_worsening", False),
            "sort": cleaned.get("sort", ""),
        }


class AlertAcknowledgeForm(forms.Form):
    kind = forms.ChoiceField(choices=AlertKind.choices, widget=forms.HiddenInput)
    event_key = forms.CharField(max_length=100, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=500,
        error_messages={"max_length": _("Keep the note to 500 characters.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
