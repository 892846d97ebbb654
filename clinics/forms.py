from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from lib.web import ServiceErrorsMixin

from . import services
from .languages import language_choices
from .models import (
    User,
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


class SignInLinkForm(ServiceErrorsMixin, forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


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


class DigestForm(ServiceErrorsMixin, forms.Form):
    wanted = forms.BooleanField(label=_("Email me a daily digest"), required=False)
    at = forms.TimeField(
        label=_("At"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": _("Enter a time of day from 00:00 to 23:59, such as 07:30.")},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("wanted") and cleaned.get("at") is None and "at" not in self.errors:
            self.add_error("at", _("Choose the time the digest should arrive."))
        return cleaned


class LanguageForm(ServiceErrorsMixin, forms.Form):
    """A person's own language, on their account page."""

    language = forms.ChoiceField(
        label=_("Show Rehabit in"),
        required=False,
        help_text=_("For these pages and for the emails and notifications Rehabit sends you."),
        error_messages={"invalid_choice": _("Choose one of the languages in the list.")},
    )

    def __init__(self, *args, clinic, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices(clinic)
