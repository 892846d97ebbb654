from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import services
from .forms import EmailAuthenticationForm, SignInLinkForm
from .models import AccessPurpose, Role

HOME_BY_ROLE = {
    Role.CLINIC_ADMIN: "exercises:library",
    Role.THERAPIST: "patients:caseload",
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


login = login_not_required(
    auth_views.LoginView.as_view(
        template_name="clinics/login.html",
        authentication_form=EmailAuthenticationForm,
        redirect_authenticated_user=True,
    )
)
logout = auth_views.LogoutView.as_view(template_name="clinics/logged_out.html")
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
    """Choose a password from an invitation. Showing the form leaves the link unused; only a
    valid password uses it up, so a typo or a weak password does not burn the invitation."""
    purpose = AccessPurpose.INVITATION
    try:
        user = services.access_link_check(token=token, purpose=purpose)
    except ValidationError as error:
        return _link_refused(request, purpose=purpose, error=error)
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            user = services.invitation_accept(
                token=token, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            # Used or replaced between showing the form and sending it.
            return _link_refused(request, purpose=purpose, error=error)
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("clinics:home")
    return render(request, "clinics/invitation_accept.html", {"form": form, "invited": user})


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in_link(request):
    """Ask for a one-time sign-in link. The answer is the same whoever asks."""
    form = SignInLinkForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        services.sign_in_link_send(
            email=form.cleaned_data["email"], base_url=request.build_absolute_uri("/")
        )
        return render(request, "clinics/sign_in_link_sent.html")
    return render(request, "clinics/sign_in_link.html", {"form": form})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_link_use(request, token: str):
    """GET only shows a button: mail scanners that open links must not use up the one go."""
    purpose = AccessPurpose.SIGN_IN
    try:
        if request.method == "POST":
            user = services.access_link_redeem(token=token, purpose=purpose)
        else:
            user = services.access_link_check(token=token, purpose=purpose)
    except ValidationError as error:
        return _link_refused(request, purpose=purpose, error=error)
    if request.method == "POST":
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("clinics:home")
    return render(request, "clinics/sign_in_link_use.html")
