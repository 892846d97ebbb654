"""How django-axes throttles signing in (the AXES_* settings point here).

- Per account: 10 wrong passwords or two-step codes for one email within 15 minutes, from
  wherever they come, and no more are even checked until the failures are 15 minutes old.
  A right password clears only that account's failures, so signing in to an account of one's
  own does not buy more guesses at someone else's.
- Per address: 100 failed sign-ins from one address within an hour, whatever accounts they
  name, stop that address spraying guesses across many accounts. One person's typos on a
  shared clinic network lock only their own account.
- Unlock link: an attacker guessing from many addresses can keep an account locked, so its
  owner can always ask for a single-use link by email. Opening it marks that browser's session:
  for the next 15 minutes there the account counts only the failures from that browser's own
  address (the account and address together), and the address ceiling does not apply to it.
  The password, and the two-step code after it, are still needed.
"""

import datetime
import time

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessFailureLog
from django.utils import timezone

from .audit import client_address
from .forms import sign_in_identifier

ADDRESS_FAILURE_LIMIT = 100
ADDRESS_FAILURE_WINDOW = datetime.timedelta(hours=1)
UNLOCKED_SESSION_KEY = "sign_in_unlocked"
UNLOCKED_SECONDS = 15 * 60


def unlock_here(request, *, email: str) -> None:
    """Let this browser try `email`'s password past the account-wide lock for 15 minutes."""
    unlocked = request.session.get(UNLOCKED_SESSION_KEY, {})
    unlocked[email] = int(time.time()) + UNLOCKED_SECONDS
    request.session[UNLOCKED_SESSION_KEY] = unlocked


def _unlocked(request) -> list[str]:
    """The accounts this browser has unlocked by an emailed link in the last 15 minutes."""
    session = getattr(request, "session", None)
    now = time.time()
    return [
        email
        for email, until in (session.get(UNLOCKED_SESSION_KEY, {}) if session else {}).items()
        if until > now
    ]


def unlocked_email(request) -> str | None:
    """The account this browser has unlocked by an emailed link lately, if any."""
    return next(iter(_unlocked(request)), None)


def _unlocked_for(request, credentials) -> bool:
    return sign_in_identifier(request, credentials) in _unlocked(request)


def lockout_parameters(request, credentials) -> list:
    """AXES_LOCKOUT_PARAMETERS: failures count per account, or per account and address in a
    browser that has unlocked the account with an emailed link."""
    if _unlocked_for(request, credentials):
        return [["username", "ip_address"]]
    return ["username"]


def address_failures(ip_address: str | None) -> int:
    if not ip_address:
        return 0
    since = timezone.now() - ADDRESS_FAILURE_WINDOW
    return AccessFailureLog.objects.filter(ip_address=ip_address, attempt_time__gte=since).count()


class SignInThrottle(AxesDatabaseHandler):
    """django-axes' database handler with the per-address ceiling added. The ceiling counts
    axes' own failure log (AXES_ENABLE_ACCESS_FAILURE_LOG), which a success does not clear,
    and which keeps only the last hour."""

    def is_locked(self, request, credentials=None) -> bool:
        if super().is_locked(request, credentials):
            return True
        if _unlocked_for(request, credentials):
            return False
        return address_failures(request.axes_ip_address) >= ADDRESS_FAILURE_LIMIT

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        AccessFailureLog.objects.filter(
            attempt_time__lt=timezone.now() - ADDRESS_FAILURE_WINDOW
        ).delete()
        if request is None or request.axes_locked_out or _unlocked_for(request, credentials):
            return
        if address_failures(request.axes_ip_address) >= ADDRESS_FAILURE_LIMIT:
            # The lockout page, as for an account over its limit.
            request.axes_locked_out = True
            request.axes_credentials = credentials


# Invitation codes printed on handouts are short enough to type, so guessing them is throttled:
# each wrong code is a row in axes' failure log, the same log as failed sign-ins, so an address
# that guesses codes also spends its sign-in allowance. A person mistyping a code from paper
# gets it wrong a few times, not twenty.
INVITATION_CODE_FAILURE_LIMIT = 20
INVITATION_CODE_FAILURE_NAME = "(invitation code)"


def invitation_code_guesses_blocked(request) -> bool:
    """Whether this address has guessed too many wrong invitation codes lately (or failed too
    many sign-ins), so no code from it is checked for now."""
    address = client_address(request)
    if not address:
        return False
    since = timezone.now() - ADDRESS_FAILURE_WINDOW
    recent = AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=since)
    if recent.count() >= ADDRESS_FAILURE_LIMIT:
        return True
    codes = recent.filter(username=INVITATION_CODE_FAILURE_NAME)
    return codes.count() >= INVITATION_CODE_FAILURE_LIMIT


def invitation_code_failure_record(request) -> None:
    AccessFailureLog.objects.filter(
        attempt_time__lt=timezone.now() - ADDRESS_FAILURE_WINDOW
    ).delete()
    AccessFailureLog.objects.create(
        username=INVITATION_CODE_FAILURE_NAME,
        ip_address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
        http_accept=request.META.get("HTTP_ACCEPT", "")[:1025],
        path_info="/j/",  # never the code that was tried
        locked_out=False,
    )
