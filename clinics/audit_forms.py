from django import forms
from django.utils.translation import gettext_lazy as _

from patients.models import Patient

from .models import AuditAction, Clinic, User


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user.full_name} ({user.get_role_display()}, {user.email})"


class AuditFilterForm(forms.Form):
    """The audit trail's filters. Every choice is limited to the admin's own clinic, so a
    patient or person of another clinic cannot even be asked for."""

    patient = forms.ModelChoiceField(
        label=_("Patient"), queryset=Patient.objects.none(), required=False, empty_label=_("Any")
    )
    actor = PersonChoiceField(
        label=_("Person"), queryset=User.objects.none(), required=False, empty_label=_("Anyone")
    )
    action = forms.ChoiceField(
        label=_("What"), choices=[("", _("Anything")), *AuditAction.choices], required=False
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, clinic: Clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["patient"].queryset = Patient.objects.for_clinic(clinic).order_by(
            "last_name", "first_name", "id"
        )
        self.fields["actor"].queryset = User.objects.filter(clinic=clinic).order_by(
            "full_name", "email"
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        return cleaned

    def filters(self) -> dict:
        """The filters to apply; an invalid form filters nothing, and shows its errors."""
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}
