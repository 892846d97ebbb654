"""Two-step sign-in, for each member of staff on their own account: turning it on with an
authenticator app, recovery codes, and turning it off."""

import django_otp
import segno
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lib.svg import module_grid
from lib.web import flash_errors, posted

from .. import services
from ..access import (
    therapist_required,
    two_factor_user_required,
)
from ..forms import (
    TwoFactorConfirmForm,
    TwoFactorDisableForm,
)
from ..middleware import TWO_FACTOR_SETUP_SESSION_KEY
from ..selectors import (
    recovery_codes_left,
    two_factor_device,
)

SETUP_KEY_SESSION_KEY = "two_factor_setup_key"
RECOVERY_CODES_SESSION_KEY = "two_factor_recovery_codes"
# Set when two-step sign-in was just turned on: once the codes are saved, the person goes on to
# their own home page (and its first-run checklist) rather than back to the two-step page.
FIRST_SETUP_SESSION_KEY = "two_factor_first_setup"


@two_factor_user_required
@require_GET
def two_factor(request):
    device = two_factor_device(user=request.user)
    return render(
        request,
        "clinics/two_factor.html",
        {
            "device": device,
            "codes_left": recovery_codes_left(user=request.user) if device else 0,
        },
    )


@two_factor_user_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Show a new secret (as a QR code and as text) and turn two-step sign-in on once a code
    from the app proves it was saved. The secret waits in the session until then, so
    reloading the page shows the same one."""
    user = request.user
    if two_factor_device(user=user) is not None:
        messages.info(request, _("Two-step sign-in is already on for your account."))
        return redirect("clinics:two-factor")
    key = request.session.get(SETUP_KEY_SESSION_KEY)
    if key is None:
        key = request.session[SETUP_KEY_SESSION_KEY] = services.two_factor_key_new()
    form = TwoFactorConfirmForm(posted(request))
    if form.is_valid():
        try:
            setup = services.two_factor_enable(user=user, key=key, code=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_service_error(error)
        else:
            del request.session[SETUP_KEY_SESSION_KEY]
            django_otp.login(request, setup.device)
            request.session[TWO_FACTOR_SETUP_SESSION_KEY] = False
            request.session[RECOVERY_CODES_SESSION_KEY] = setup.recovery_codes
            request.session[FIRST_SETUP_SESSION_KEY] = True
            messages.success(
                request,
                _(
                    "Two-step sign-in is on. From now on you sign in with your password and "
                    "then a code from the app."
                ),
            )
            return redirect("clinics:two-factor-recovery-codes")
    # segno encodes the setup address; the template draws its dark modules as rectangles.
    qr_code = segno.make(services.two_factor_setup_url(user=user, key=key), error="m")
    return render(
        request,
        "clinics/two_factor_setup.html",
        {
            "form": form,
            "qr_code": module_grid(qr_code.matrix, border=4),
            "key_text": services.two_factor_key_text(key),
            "required": user.must_use_two_factor,
        },
    )


def _recovery_codes_gone(request):
    messages.info(
        request,
        _(
            "Recovery codes are shown only once, when they are made. If you have lost yours, "
            "make new ones here."
        ),
    )
    return redirect("clinics:two-factor")


@two_factor_user_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_recovery_codes(request):
    """GET shows the recovery codes just made (only while this session holds them); POST makes
    new ones, which replace the old."""
    if request.method == "POST":
        try:
            codes = services.recovery_codes_regenerate(user=request.user)
        except ValidationError as error:
            flash_errors(request, error)
            return redirect("clinics:two-factor")
        request.session[RECOVERY_CODES_SESSION_KEY] = codes
        messages.success(
            request, _("New recovery codes are ready; the earlier ones no longer work.")
        )
        return redirect("clinics:two-factor-recovery-codes")
    codes = request.session.get(RECOVERY_CODES_SESSION_KEY)
    if not codes:
        return _recovery_codes_gone(request)
    return render(
        request,
        "clinics/two_factor_recovery_codes.html",
        {"codes": [services.recovery_code_display(code) for code in codes]},
    )


@two_factor_user_required
@never_cache
@require_GET
def two_factor_recovery_codes_download(request):
    codes = request.session.get(RECOVERY_CODES_SESSION_KEY)
    if not codes:
        return _recovery_codes_gone(request)
    text = render_to_string(
        "clinics/two_factor_recovery_codes.txt",
        {
            "user": request.user,
            "codes": [services.recovery_code_display(code) for code in codes],
        },
    )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rehabit-recovery-codes.txt"'
    return response


@two_factor_user_required
@require_POST
def two_factor_recovery_codes_saved(request):
    """The person has their codes: stop showing them."""
    request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    messages.success(request, _("Keep your recovery codes somewhere safe, away from your phone."))
    if request.session.pop(FIRST_SETUP_SESSION_KEY, False):
        return redirect("clinics:home")
    return redirect("clinics:two-factor")


@therapist_required
@require_http_methods(["GET", "POST"])
def two_factor_disable(request):
    if two_factor_device(user=request.user) is None:
        messages.info(request, _("Two-step sign-in is already off for your account."))
        return redirect("clinics:two-factor")
    form = TwoFactorDisableForm(posted(request), user=request.user)
    if form.is_valid():
        try:
            services.two_factor_disable(user=request.user)
        except ValidationError as error:
            flash_errors(request, error)
        else:
            messages.success(
                request, _("Two-step sign-in is off: your password alone signs you in now.")
            )
        return redirect("clinics:two-factor")
    return render(request, "clinics/two_factor_disable.html", {"form": form})
