import time

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from .selectors import two_factor_device


class ClinicTimeZoneMiddleware:
    """Show times in the signed-in person's clinic time zone (what "today" means there)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        clinic = getattr(user, "clinic", None) if user and user.is_authenticated else None
        if clinic is not None:
            timezone.activate(clinic.zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


STAFF_IDLE_SECONDS = 30 * 60
STAFF_ABSOLUTE_SECONDS = 12 * 60 * 60
PATIENT_ABSOLUTE_SECONDS = 14 * 24 * 60 * 60


class SessionLimitsMiddleware:
    """DOMAIN.md's session rules: staff are signed out after 30 minutes idle and 12 hours in
    all; patients (on their own phones) stay signed in for up to 14 days."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._expired(request, user)
            if expired:
                logout(request)
                messages.info(request, expired)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    def _expired(self, request, user) -> str:
        now = int(time.time())
        session = request.session
        started = session.get("signed_in_at")
        if started is None:
            started = session["signed_in_at"] = now
        seen = session.get("seen_at", now)
        staff = user.is_clinic_staff or user.is_superuser
        if staff and now - started > STAFF_ABSOLUTE_SECONDS:
            return _("You were signed out after 12 hours. Please sign in again.")
        if staff and now - seen > STAFF_IDLE_SECONDS:
            return _("You were signed out after 30 minutes without activity.")
        if not staff and now - started > PATIENT_ABSOLUTE_SECONDS:
            return _("Please sign in again: it has been 14 days.")
        # Note activity (and push the cookie's expiry on) at most once a minute, so an
        # ordinary page view does not also write the session.
        if now - seen >= 60 or "seen_at" not in session:
            session["seen_at"] = now
            if staff:
                session.set_expiry(STAFF_IDLE_SECONDS)
            else:
                session.set_expiry(max(PATIENT_ABSOLUTE_SECONDS - (now - started), 1))
        return ""


def session_clock_start(sender, request, user, **kwargs):
    """Start the session's clocks at sign-in, so the first page after it writes nothing."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session["signed_in_at"] = now
        request.session["seen_at"] = now


# Set at sign-in for clinic admins: True while they still have to set up two-step sign-in.
TWO_FACTOR_SETUP_SESSION_KEY = "two_factor_setup_required"
TWO_FACTOR_SETUP_ALLOWED_VIEWS = frozenset({"clinics:two-factor-setup", "clinics:logout"})


class TwoFactorSetupMiddleware:
    """Clinic admins must sign in with a code from an authenticator app. An admin who has not
    set one up yet is sent to do it, and can open nothing else (but sign out) until it is done.
    Whether they have is noted in the session at sign-in, so a page view asks the database
    nothing; resetting someone's two-step sign-in ends their sessions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not (user.is_authenticated and user.must_use_two_factor):
            return None
        session = request.session
        required = session.get(TWO_FACTOR_SETUP_SESSION_KEY)
        if required is None:
            # A session from before two-step sign-in existed, or of someone made an admin since.
            required = session[TWO_FACTOR_SETUP_SESSION_KEY] = two_factor_setup_required(user)
        if required and request.resolver_match.view_name not in TWO_FACTOR_SETUP_ALLOWED_VIEWS:
            return redirect("clinics:two-factor-setup")
        return None


def two_factor_setup_required(user) -> bool:
    return user.must_use_two_factor and two_factor_device(user=user) is None


def two_factor_setup_note(sender, request, user, **kwargs):
    """Note at sign-in whether a clinic admin still has to set up two-step sign-in. For anyone
    else nothing is noted, so should they become an admin the middleware asks afresh."""
    if request is None or not hasattr(request, "session"):
        return
    if user.must_use_two_factor:
        request.session[TWO_FACTOR_SETUP_SESSION_KEY] = two_factor_setup_required(user)
    else:
        request.session.pop(TWO_FACTOR_SETUP_SESSION_KEY, None)
