import datetime

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clinics.languages import language_choices
from clinics.models import STAFF_ROLES, User
from lib.web import ServiceErrorsMixin

from ..models import Patient
from ..services import DUPLICATE_REASON_MAX_LENGTH

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
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_(
            "What the patient reads Rehabit in: their pages, emails, notifications and printed "
            "handouts. Once they sign in, they can change it on their account page."
        ),
        error_messages={"invalid_choice": _("Choose one of the languages in the list.")},
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
        self.fields["language"].choices = language_choices(user.clinic)
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
            "language": patient.language,
            "primary_therapist": patient.primary_therapist_id,
        }


class NewPatientForm(PatientForm):
    """Adding a patient: the details, and the reason for adding one who looks like a record the
    clinic already has (asked only when `patient_create` finds such records)."""

    duplicate_reason = forms.CharField(
        label=_("Why is this a different person?"),
        max_length=DUPLICATE_REASON_MAX_LENGTH,
        required=False,
        help_text=_(
            "Required to add a new record anyway, for example “Different person: same name and "
            "birthday, different address”. Kept in the audit trail."
        ),
    )

    def __init__(self, *args, asking_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not asking_reason:
            del self.fields["duplicate_reason"]

    def details(self) -> dict:
        return {
            name: value for name, value in self.cleaned_data.items() if name != "duplicate_reason"
        }
