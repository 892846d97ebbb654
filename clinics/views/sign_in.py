"""Signing in and out: the sign-in page, the code step of two-step sign-in, the admin site's
way in, and the pages reached through an emailed invitation or sign-in link."""

import functools
import time

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, SESSION_KEY
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lib.web import posted
from push.views import push_section

from .. import audit, services, throttling
from ..access import staff_required
from ..forms import (
    DigestForm,
    EmailAuthenticationForm,
    LanguageForm,
    SignInCodeForm,
    SignInLinkForm,
)
from ..languages import language_for
from ..models import AccessPurpose, AuditAction, Role, User
from ..selectors import active_user, recovery_codes_left, two_factor_device
from ..services import DEFAULT_DIGEST_AT

HOME_BY_ROLE = {
    Role.CLINIC_ADMIN: "exercises:library",
    Role.THERAPIST: "insights:caseload",
    Role.PATIENT: "patients:today",
}


def home(request):
    """Each role starts where its work is: the library, the caseload, or today's routine."""
    user = request.user
    if user.role in HOME_BY_ROLE:
        return redirect(HOME_BY_ROLE[user.role])
    if user.is_superuser:
        return redirect("admin:index")
    raise PermissionDenied


# Signing in with two steps: after the right password (or a used invitation or sign-in link),
# someone with an authenticator app is not signed in yet. The session remembers who they are
# for 5 minutes, and only the code from the app (or a recovery code) signs them in.
PENDING_SIGN_IN_SESSION_KEY = "two_factor_pending"
PENDING_SIGN_IN_SECONDS = 5 * 60
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _sign_in(request, user: User, *, redirect_to: str, backend: str = MODEL_BACKEND):
    """Sign `user` in and go on to `redirect_to` (a checked, local address), or first ask for
    their code when they use two-step sign-in."""
    if two_factor_device(user=user) is None:
        auth_login(request, user, backend=backend)
        return redirect(redirect_to)
    if SESSION_KEY in request.session:
        request.session.flush()  # someone else was signed in on this browser
    else:
        request.session.cycle_key()
    request.session[PENDING_SIGN_IN_SESSION_KEY] = {
        "user": user.pk,
        "since": int(time.time()),
        "next": redirect_to,
        "backend": backend,
    }
    return redirect("clinics:sign-in-code")


class SignInView(auth_views.LoginView):
    template_name = "clinics/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_initial(self):
        # After an unlock link, the account it unlocked is filled in.
        email = throttling.unlocked_email(self.request)
        return {"username": email} if email else {}

    def form_valid(self, form):
        user = form.get_user()
        return _sign_in(
            self.request, user, redirect_to=self.get_success_url(), backend=user.backend
        )


login = login_not_required(SignInView.as_view())


def _pending_sign_in(request):
    """Who is halfway through signing in on this browser, and where they go next; None when
    nobody is or it has been more than 5 minutes."""
    pending = request.session.get(PENDING_SIGN_IN_SESSION_KEY)
    if not pending:
        return None, None
    if time.time() - pending["since"] > PENDING_SIGN_IN_SECONDS:
        del request.session[PENDING_SIGN_IN_SESSION_KEY]
        messages.info(
            request,
            _(
                "More than 5 minutes passed between your password and the code, so please "
                "sign in again."
            ),
        )
        return None, None
    user = active_user(pk=pending["user"])
    if user is None:
        del request.session[PENDING_SIGN_IN_SESSION_KEY]
        return None, None
    return user, pending


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request):
    if request.user.is_authenticated:
        return redirect("clinics:home")
    user, pending = _pending_sign_in(request)
    if user is None:
        return redirect("clinics:login")
    credentials = {"username": user.email}
    if not AxesProxyHandler.is_allowed(request, credentials):
        del request.session[PENDING_SIGN_IN_SESSION_KEY]
        return get_lockout_response(request, credentials=credentials)
    form = SignInCodeForm(posted(request))
    if form.is_valid():
        check = services.two_factor_verify(user=user, code=form.cleaned_data["code"])
        if check.device is not None:
            del request.session[PENDING_SIGN_IN_SESSION_KEY]
            auth_login(request, user, backend=pending["backend"])
            django_otp.login(request, check.device)
            if check.recovery_code:
                _recovery_code_used_message(request, user)
            return redirect(pending["next"])
        # Counted as a failed sign-in, like a wrong password: django-axes locks the account
        # (and the address) out after 5, and the audit trail records each one.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            del request.session[PENDING_SIGN_IN_SESSION_KEY]
        if check.wait_seconds:
            form.refuse(
                ngettext(
                    "Too many wrong codes in a row: wait %(count)d second, then type the code "
                    "the app shows at that moment.",
                    "Too many wrong codes in a row: wait %(count)d seconds, then type the code "
                    "the app shows at that moment.",
                    check.wait_seconds,
                )
                % {"count": check.wait_seconds}
            )
        elif check.recovery_code:
            form.refuse(
                _(
                    "That recovery code does not work: it is mistyped, already used, or "
                    "replaced by newer ones. Try another, or the 6-digit code from the app."
                )
            )
        else:
            form.refuse(
                _(
                    "That code does not work. Type the 6 digits the app shows for Rehabit now "
                    "(a code works once), or one of your recovery codes."
                )
            )
    return render(request, "clinics/sign_in_code.html", {"form": form, "pending_user": user})


def _recovery_code_used_message(request, user: User) -> None:
    left = recovery_codes_left(user=user)
    messages.warning(
        request,
        ngettext(
            "You signed in with a recovery code, which now no longer works. %(count)d recovery "
            "code is left; make new ones under Two-step sign-in.",
            "You signed in with a recovery code, which now no longer works. %(count)d recovery "
            "codes are left; make new ones under Two-step sign-in if you are running short.",
            left,
        )
        % {"count": left},
    )


@login_not_required
@require_GET
def admin_sign_in(request):
    """The technical admin site signs in through the app's own sign-in page, so the sign-in
    limits and two-step sign-in apply there too."""
    if request.user.is_authenticated:
        # Signed in, but not someone the admin site lets in.
        raise PermissionDenied
    return redirect_to_login(request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index"))


_logout = auth_views.LogoutView.as_view(template_name="clinics/logged_out.html")


@functools.wraps(_logout)
def logout(request):
    """Sign out. A patient's phone keeps pages and logs not yet sent (the app on their phone);
    the page asked before losing unsent ones, and nothing stays for the next person who uses
    the phone, even when the page's own clearing did not run. Staff keep their browser's
    storage (it holds no patient data, and their notifications live in it)."""
    patient = request.user.is_authenticated and request.user.is_patient
    response = _logout(request)
    if request.method == "POST":
        response["Clear-Site-Data"] = '"cache", "storage"' if patient else '"cache"'
    return response


password_change = auth_views.PasswordChangeView.as_view(
    template_name="clinics/password_change.html",
    success_url=reverse_lazy("clinics:password-change-done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="clinics/password_change_done.html"
)


# Pages reached through an emailed link. The token in the address is the secret, so these
# pages are never cached, and the sitewide same-origin Referrer-Policy keeps it from leaking.


def _link_refused(request, *, purpose: str, error: ValidationError):
    return render(
        request,
        "clinics/access_link_invalid.html",
        {"message": error.messages[0], "purpose": purpose},
        status=410,
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    return _invitation_page(
        request,
        check=lambda: services.access_link_check(token=token, purpose=AccessPurpose.INVITATION),
        accept=lambda password: services.invitation_accept(token=token, password=password),
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_code(request, token: str):
    """The short address printed on a handout (and in its QR code): the same page as an emailed
    invitation. Codes are short enough to guess at, so wrong ones are counted per address and,
    past the limit, none is checked for an hour (clinics.throttling)."""
    if throttling.invitation_code_guesses_blocked(request):
        return render(
            request,
            "clinics/access_link_invalid.html",
            {
                "message": _(
                    "Too many wrong codes were tried from this connection. Wait an hour and "
                    "try again, or ask your therapist or clinic to email you an invitation."
                ),
                "purpose": AccessPurpose.INVITATION,
            },
            status=429,
        )

    def check():
        try:
            return services.invitation_code_check(code=token)
        except ValidationError as error:
            if error.code != "unknown":
                raise
            throttling.invitation_code_failure_record(request)
            raise ValidationError(
                _(
                    "This code is not valid. Check it against the handout: it has 10 letters "
                    "and digits. If it still does not work, ask your therapist or clinic for a "
                    "new invitation."
                ),
                code="unknown",
            ) from error

    return _invitation_page(
        request,
        check=check,
        accept=lambda password: services.invitation_code_accept(code=token, password=password),
    )


def _invitation_page(request, *, check, accept):
    """Choose a password from an invitation. Showing the form leaves the invitation unused;
    only a valid password uses it up, so a typo or a weak password does not burn it."""
    purpose = AccessPurpose.INVITATION
    try:
        user = check()
    except ValidationError as error:
        return _link_refused(request, purpose=purpose, error=error)
    form = SetPasswordForm(user, posted(request))
    if form.is_valid():
        try:
            user = accept(form.cleaned_data["new_password1"])
        except ValidationError as error:
            # Used or replaced between showing the form and sending it.
            return _link_refused(request, purpose=purpose, error=error)
        return _sign_in(request, user, redirect_to=reverse("clinics:home"))
    return render(request, "clinics/invitation_accept.html", {"form": form, "invited": user})


def _link_user(request, *, token: str, purpose: str) -> User:
    """The account an emailed link is for. Only a POST uses the link up: mail scanners that
    open links must not use up the one go."""
    if request.method == "POST":
        return services.access_link_redeem(token=token, purpose=purpose)
    return services.access_link_check(token=token, purpose=purpose)


LINK_REQUEST_TEMPLATES = {
    AccessPurpose.SIGN_IN: "clinics/sign_in_link.html",
    AccessPurpose.UNLOCK: "clinics/unlock_link.html",
}


def _link_request(request, *, purpose: str):
    """Ask for an emailed link. The answer is the same whoever asks."""
    form = SignInLinkForm(posted(request), initial={"email": request.GET.get("email", "")})
    if form.is_valid():
        try:
            services.sign_in_link_request(
                email=form.cleaned_data["email"],
                base_url=request.build_absolute_uri("/"),
                client_address=audit.client_address(request),
                purpose=purpose,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return render(request, "clinics/link_sent.html", {"purpose": purpose})
    return render(request, LINK_REQUEST_TEMPLATES[purpose], {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in_link(request):
    return _link_request(request, purpose=AccessPurpose.SIGN_IN)


@login_not_required
@require_http_methods(["GET", "POST"])
def unlock_link(request):
    """Ask for a link that unlocks signing in to an account locked after failed sign-ins."""
    return _link_request(request, purpose=AccessPurpose.UNLOCK)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def unlock_link_use(request, token: str):
    """GET only shows a button, as for sign-in links. Using the link unlocks the account in
    this browser only (clinics.throttling); the password, and the two-step code, still follow."""
    purpose = AccessPurpose.UNLOCK
    try:
        user = _link_user(request, token=token, purpose=purpose)
    except ValidationError as error:
        return _link_refused(request, purpose=purpose, error=error)
    if request.method == "GET":
        return render(request, "clinics/unlock_link_use.html")
    throttling.unlock_here(request, email=user.email)
    audit.record(
        action=AuditAction.ACCOUNT_UNLOCKED,
        actor=user,
        clinic_id=user.clinic_id,
        summary=_("Sign-in unlocked on one browser for %(account)s by the emailed link.")
        % {"account": services.account_label(user)},
        request=request,
    )
    messages.success(
        request,
        _("Signing in is unlocked on this browser for 15 minutes. Sign in with your password."),
    )
    return redirect("clinics:login")


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_link_use(request, token: str):
    """GET only shows a button; POST signs in."""
    purpose = AccessPurpose.SIGN_IN
    try:
        user = _link_user(request, token=token, purpose=purpose)
    except ValidationError as error:
        return _link_refused(request, purpose=purpose, error=error)
    if request.method == "POST":
        return _sign_in(request, user, redirect_to=reverse("clinics:home"))
    return render(request, "clinics/sign_in_link_use.html")


@staff_required
@require_http_methods(["GET", "POST"])
def email_settings(request):
    """How a member of staff hears from Rehabit: the daily digest (on or off, and when),
    notifications on this browser, and whether alerts come by email, notification or both."""
    user = request.user
    form = DigestForm(
        posted(request),
        initial={"wanted": user.digest_at is not None, "at": user.digest_at or DEFAULT_DIGEST_AT},
    )
    if form.is_valid():
        at = form.cleaned_data["at"] if form.cleaned_data["wanted"] else None
        try:
            services.digest_time_set(user=user, at=at)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your email settings were saved."))
            return redirect("clinics:email-settings")
    return render(
        request,
        "clinics/email_settings.html",
        {
            "form": form,
            "push": push_section(
                user=user, back=reverse("clinics:email-settings") + "#notifications"
            ),
            "language_form": LanguageForm(initial={"language": user.language}, clinic=user.clinic),
        },
    )


@staff_required
@require_POST
def language_set(request):
    """A member of staff's own language, from their emails and notifications page."""
    form = LanguageForm(request.POST, clinic=request.user.clinic)
    if form.is_valid():
        services.user_language_set(user=request.user, language=form.cleaned_data["language"])
        # Said in the language just chosen, the first sign that it took.
        with translation.override(language_for(request.user)):
            messages.success(request, _("Your language was saved."))
    else:
        messages.error(request, _("Choose one of the languages in the list."))
    return redirect(reverse("clinics:email-settings") + "#language")
