from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from clinics.models import (
    ALERT_ADHERENCE,
    ALERT_INACTIVE_DAYS,
    ALERT_PAIN,
    ALERT_PAIN_RISE,
    ESCALATE_EMERGENCY_HOURS,
    ESCALATE_OTHER_HOURS,
    STAFF_ROLES,
    ApiScope,
    AuditAction,
    Clinic,
    Role,
    User,
    time_zone_choices,
)
from lib.images import ACCEPT
from lib.limits import Limit
from lib.web import ServiceErrorsMixin
from patients.models import Patient

from . import services

STAFF_ROLE_CHOICES = [
    (Role.THERAPIST, _("Therapist")),
    (Role.CLINIC_ADMIN, _("Clinic admin")),
]


class StaffInviteForm(ServiceErrorsMixin, forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        error_messages={"required": _("Enter the person's full name.")},
    )
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("The invitation goes here, and it is the address they sign in with."),
        error_messages={
            "required": _("Enter the email address to send the invitation to."),
            "invalid": _("Enter an email address such as name@example.com."),
        },
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=STAFF_ROLE_CHOICES,
        initial=Role.THERAPIST,
        widget=forms.RadioSelect,
        help_text=_(
            "Therapists look after patients and prescribe. Clinic admins can also manage "
            "staff, the clinic's settings and its exercise library."
        ),
        error_messages={
            "required": _("Choose therapist or clinic admin."),
            "invalid_choice": _("Choose therapist or clinic admin."),
        },
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.get_role_display()})"


class StaffDeactivateForm(ServiceErrorsMixin, forms.Form):
    """Only asks who takes the patients over, and only when there are patients to take over."""

    reassign_to = StaffChoiceField(
        label=_("Reassign their patients to"),
        queryset=User.objects.none(),
        empty_label=_("Choose a colleague"),
        help_text=_(
            "Their active and discharged patients move to this person, who becomes their "
            "primary therapist."
        ),
        error_messages={
            "required": _("Choose the colleague who takes over their patients."),
            "invalid_choice": _(
                "Choose an active therapist or admin of this clinic, other than the person "
                "being deactivated."
            ),
        },
    )

    def __init__(self, *args, candidates, has_patients: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if has_patients:
            self.fields["reassign_to"].queryset = candidates
        else:
            del self.fields["reassign_to"]


def _threshold_help(limit: Limit, field_name: str, purpose):
    return format_lazy(
        _("{purpose} From {minimum} to {maximum}; the default is {default}."),
        purpose=purpose,
        minimum=limit.minimum,
        maximum=limit.maximum,
        default=Clinic._meta.get_field(field_name).default,
    )


class ClinicSettingsForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        label=_("Clinic name"),
        max_length=120,
        error_messages={"required": _("Enter the clinic's name.")},
    )
    contact_email = forms.EmailField(
        label=_("Contact email"),
        required=False,
        help_text=_("Optional. Printed on handouts, so patients know where to write."),
        error_messages={"invalid": _("Enter an email address such as clinic@example.com.")},
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        help_text=_("Optional. Printed on handouts."),
    )
    address = forms.CharField(
        label=_("Address"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. Printed on handouts."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_(
            "Decides what “today” means for the clinic's patients and when the dashboard counts "
            "a day as missed. Type the first letters, e.g. “Europe/L” for Europe/London."
        ),
        error_messages={
            "required": _("Choose the clinic's time zone, such as Europe/London."),
            "invalid_choice": _(
                "“%(value)s” is not a known time zone. Choose one from the list, named by "
                "region and city, such as Europe/London or America/New_York."
            ),
        },
    )
    default_language = forms.ChoiceField(
        label=_("Default language"),
        choices=settings.LANGUAGES,
        help_text=_(
            "What staff and patients read Rehabit in, its emails and handouts included, unless "
            "they chose a language of their own."
        ),
        error_messages={
            "required": _("Choose the clinic's language."),
            "invalid_choice": _("Choose one of the languages in the list."),
        },
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("Optional. Printed at the top of handouts. JPEG, PNG or WebP, at most 2 MB."),
    )
    alert_pain_at_or_above = ALERT_PAIN.form_field(
        _("Alert when pain is at or above"),
        help_text=_threshold_help(
            ALERT_PAIN,
            "alert_pain_at_or_above",
            _("A patient who reports pain at this score or higher (0–10) is flagged."),
        ),
    )
    alert_pain_rise = ALERT_PAIN_RISE.form_field(
        _("Alert when pain rises by"),
        help_text=_threshold_help(
            ALERT_PAIN_RISE,
            "alert_pain_rise",
            _(
                "A patient whose pain goes up by this many points or more during a session is "
                "flagged. A change of 2 points is the smallest that matters clinically."
            ),
        ),
    )
    alert_inactive_days = ALERT_INACTIVE_DAYS.form_field(
        _("Alert after this many days without a session"),
        help_text=_threshold_help(
            ALERT_INACTIVE_DAYS,
            "alert_inactive_days",
            _("An active patient who has logged no session for this many days is flagged."),
        ),
    )
    alert_adherence_below_percent = ALERT_ADHERENCE.form_field(
        _("Alert when 7-day adherence is below (percent)"),
        help_text=_threshold_help(
            ALERT_ADHERENCE,
            "alert_adherence_below_percent",
            _(
                "A patient who did less than this share of their prescribed sessions over the "
                "last 7 days is flagged; 0 turns this alert off."
            ),
        ),
    )
    escalate_emergency_after_hours = ESCALATE_EMERGENCY_HOURS.form_field(
        _("Tell the admins about an emergency red flag after (hours)"),
        help_text=_threshold_help(
            ESCALATE_EMERGENCY_HOURS,
            "escalate_emergency_after_hours",
            _(
                "The patient's therapist is emailed at once. If nobody has acknowledged the "
                "alert after this many hours, the clinic's admins are emailed too."
            ),
        ),
    )
    escalate_other_after_hours = ESCALATE_OTHER_HOURS.form_field(
        _("Tell the admins about another safety alert after (hours)"),
        help_text=_threshold_help(
            ESCALATE_OTHER_HOURS,
            "escalate_other_after_hours",
            _(
                "For a session stopped because it hurt: the therapist is emailed at once, and "
                "the admins after this many hours if nobody has acknowledged it."
            ),
        ),
    )

    def clean_logo(self):
        logo = self.cleaned_data["logo"]
        if isinstance(logo, UploadedFile):
            # Checked here too, so a bad logo is reported with any other mistake at once.
            return services.clinic_logo_prepare(logo)
        return logo

    @staticmethod
    def initial_for(clinic: Clinic) -> dict:
        return {name: getattr(clinic, name) for name in ClinicSettingsForm.base_fields}

    def changes(self) -> dict:
        """The service's fields: a new logo only when one was uploaded, None when it was
        cleared, and no `logo` at all when it stays as it was."""
        fields = dict(self.cleaned_data)
        logo = fields.pop("logo")
        if "logo" in self.changed_data:
            fields["logo"] = None if logo is False else logo
        return fields


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


class ApiKeyForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("What the key is for, so you recognise it later, e.g. “EHR sync”."),
        error_messages={"required": _("Give the key a name, such as “EHR sync”.")},
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=ApiScope.choices,
        initial=ApiScope.READ,
        widget=forms.RadioSelect,
        help_text=_(
            "Read only suits reports and exports. Read and write lets the other system add "
            "patients, prescribe plans and record sessions."
        ),
    )
    acts_as = StaffChoiceField(
        label=_("Acts as"),
        queryset=User.objects.none(),
        empty_label=_("Choose a staff member"),
        help_text=_(
            "What the key writes is written for this person, with their rights; the audit trail "
            "names the key beside them. The key stops working if they are deactivated."
        ),
        error_messages={
            "required": _("Choose the staff member the key acts as."),
            "invalid_choice": _("Choose an active therapist or admin of this clinic."),
        },
    )

    def __init__(self, *args, clinic: Clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acts_as"].queryset = User.objects.filter(
            clinic=clinic, role__in=STAFF_ROLES, is_active=True
        ).order_by("full_name", "email")
