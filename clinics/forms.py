from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import services
from .images import ACCEPT
from .limits import Limit
from .models import (
    ALERT_ADHERENCE,
    ALERT_INACTIVE_DAYS,
    ALERT_PAIN,
    ALERT_PAIN_RISE,
    Clinic,
    Role,
    User,
    time_zone_choices,
)


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in by email; the address is matched without regard to case."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That email and password do not match an account. Check both and try again; "
            "the password is case-sensitive."
        ),
    }

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()


class SignInLinkForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


def posted(request):
    """What a form is bound to: the posted data, or None to show it unbound on a GET."""
    return request.POST if request.method == "POST" else None


class ServiceErrorsMixin:
    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's refusal next to the field it concerns, or above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


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


def sign_in_identifier(request, credentials) -> str:
    """The account a sign-in attempt is for, as django-axes counts failures: the email as
    typed, lower-cased, so "Pat@Example.com" and "pat@example.com" share one count."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return value.strip().lower()


# Two-step sign-in

CODE_WIDGET_ATTRS = {
    "autocomplete": "one-time-code",
    "autocapitalize": "none",
    "spellcheck": "false",
    "class": "code-input",
}


class SignInCodeForm(forms.Form):
    """The second step of signing in: a code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_(
            "The 6-digit code your authenticator app shows for Rehabit now. Lost your phone? "
            "Type one of your recovery codes instead, such as abcde-23456."
        ),
        widget=forms.TextInput(attrs={**CODE_WIDGET_ATTRS, "autofocus": True}),
        error_messages={
            "required": _("Enter the 6-digit code from your authenticator app, or a recovery code.")
        },
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        six_digits = len(code) == 6 and code.isdigit()
        recovery = len(code.replace("-", "")) == services.RECOVERY_CODE_LENGTH
        if not (six_digits or recovery):
            raise ValidationError(
                _(
                    "A code from the app is 6 digits, such as 123456; a recovery code is 10 "
                    "letters and digits, such as abcde-23456."
                ),
                code="format",
            )
        return code

    def refuse(self, message: str) -> None:
        """Show why the code was refused, with the field emptied: a used or wrong code is no
        help to type again."""
        self.add_error("code", message)
        self.data = self.data.copy()
        self.data["code"] = ""


class TwoFactorConfirmForm(ServiceErrorsMixin, forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=20,
        help_text=_(
            "The 6 digits the app shows for Rehabit now. A new code appears every 30 seconds."
        ),
        widget=forms.TextInput(attrs={**CODE_WIDGET_ATTRS, "inputmode": "numeric"}),
        error_messages={"required": _("Enter the 6 digits the app shows, such as 123456.")},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (len(code) == 6 and code.isdigit()):
            raise ValidationError(
                _("Enter the 6 digits the app shows, such as 123456."), code="format"
            )
        return code


class TwoFactorDisableForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To be sure it is you turning it off."),
        error_messages={"required": _("Enter your password to turn two-step sign-in off.")},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(
                _("That is not your password. Type the password you sign in with."),
                code="wrong_password",
            )
        return password
