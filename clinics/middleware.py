import time

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone
from django.utils.translation import gettext as _


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
