import datetime

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clinics.forms import ServiceErrorsMixin
from clinics.models import STAFF_ROLES, User

from .dashboard import SORT_KEYS
from .models import AlertKind, Patient, PatientStatus


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
    sort = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
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
        return sort if sort.removeprefix("-") in SORT_KEYS else ""

    def filters(self) -> dict:
        """The filters to apply: what was chosen, or the defaults for anything not given."""
        cleaned = self.cleaned_data if self.is_valid() else {}
        return {
            "scope": cleaned.get("scope") or self.default_scope,
            "status": cleaned.get("status", PatientStatus.ACTIVE),
            "query": cleaned.get("q", ""),
            "needs_attention": cleaned.get("needs_attention", False),
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


EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)


class PatientForm(ServiceErrorsMixin, forms.Form):
    """A patient's details. It only checks what was typed; `patient_create` and `patient_update`
    own the rules and the save."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=80,
        error_messages={"required": _("Enter the patient's first name.")},
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=80,
        error_messages={"required": _("Enter the patient's last name.")},
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        help_text=_("Optional. Needed later if the patient is to sign in."),
        error_messages={"invalid": _("Enter an email address such as name@example.com.")},
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional. Any day from 1 January 1900 until today."),
        error_messages={"invalid": _("Enter a date such as 1975-03-21.")},
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    condition = forms.CharField(
        label=_("Condition or diagnosis"),
        max_length=200,
        required=False,
        help_text=_("For example: low back pain with muscle spasm."),
    )
    primary_therapist = forms.ModelChoiceField(
        label=_("Primary therapist"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No primary therapist"),
        help_text=_("The patient appears under “My patients” on this person's caseload."),
        error_messages={"invalid_choice": _("Choose a therapist of this clinic.")},
    )

    def __init__(self, *args, user: User, current_therapist: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = user.clinic.today()
        staff = Q(clinic=user.clinic, role__in=STAFF_ROLES, is_active=True)
        if current_therapist is not None:
            # A primary therapist who has since left stays choosable, so editing other details
            # does not silently move the patient.
            staff |= Q(pk=current_therapist.pk, clinic=user.clinic)
        self.fields["primary_therapist"].queryset = User.objects.filter(staff).order_by(
            "full_name", "email"
        )
        self.fields["date_of_birth"].widget.attrs.update(
            min=EARLIEST_BIRTH_DATE.isoformat(), max=self.today.isoformat()
        )
        if not self.is_bound and "primary_therapist" not in self.initial and user.is_therapist:
            self.initial["primary_therapist"] = user.pk

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born is not None and born > self.today:
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        if born is not None and born < EARLIEST_BIRTH_DATE:
            raise forms.ValidationError(_("Enter a date of birth from 1900 onwards."))
        return born

    @staticmethod
    def initial_for(patient: Patient) -> dict:
        return {
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "email": patient.email,
            "date_of_birth": patient.date_of_birth,
            "phone": patient.phone,
            "condition": patient.condition,
            "primary_therapist": patient.primary_therapist_id,
        }
