from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services
from .access import clinic_admin_required, staff_member_for_admin
from .forms import (
    ClinicSettingsForm,
    EmailAuthenticationForm,
    SignInLinkForm,
    StaffDeactivateForm,
    StaffInviteForm,
)
from .models import AccessPurpose, Role
from .selectors import reassignment_candidates, staff_for_clinic, staff_patient_counts

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


def _posted(request):
    return request.POST if request.method == "POST" else None


# Staff and clinic settings: the clinic's admins only.


@clinic_admin_required
@require_GET
def staff_list(request):
    members = staff_for_clinic(clinic=request.user.clinic)
    return render(request, "clinics/staff_list.html", {"members": members})


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def staff_invite(request):
    form = StaffInviteForm(_posted(request))
    if form.is_valid():
        try:
            member = services.staff_invite(
                invited_by=request.user,
                base_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link works once, for 7 days.")
                % {"email": member.email},
            )
            return redirect("clinics:staff-list")
    return render(request, "clinics/staff_invite.html", {"form": form})


@clinic_admin_required
@require_POST
def staff_invitation_resend(request, pk: int):
    member = staff_member_for_admin(user=request.user, pk=pk)
    try:
        services.staff_invitation_resend(
            member=member, invited_by=request.user, base_url=request.build_absolute_uri("/")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("A new invitation was sent to %(email)s; the earlier one no longer works.")
            % {"email": member.email},
        )
    return redirect("clinics:staff-list")


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def staff_deactivate(request, pk: int):
    member = staff_member_for_admin(user=request.user, pk=pk)
    if not member.is_active:
        messages.info(request, _("%(name)s is already deactivated.") % {"name": member.full_name})
        return redirect("clinics:staff-list")
    counts = staff_patient_counts(member=member)
    form = StaffDeactivateForm(
        _posted(request),
        candidates=reassignment_candidates(member=member),
        has_patients=counts.total > 0,
    )
    if form.is_valid():
        try:
            outcome = services.staff_deactivate(
                member=member,
                deactivated_by=request.user,
                reassign_to=form.cleaned_data.get("reassign_to"),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            text = _("%(name)s was deactivated and can no longer sign in.") % {
                "name": member.full_name
            }
            if outcome.patients_moved:
                text += " " + ngettext(
                    "%(count)d patient moved to %(to)s.",
                    "%(count)d patients moved to %(to)s.",
                    outcome.patients_moved,
                ) % {"count": outcome.patients_moved, "to": outcome.reassigned_to.full_name}
            messages.success(request, text)
            return redirect("clinics:staff-list")
    return render(
        request,
        "clinics/staff_deactivate.html",
        {"member": member, "counts": counts, "form": form},
    )


@clinic_admin_required
@require_POST
def staff_reactivate(request, pk: int):
    member = staff_member_for_admin(user=request.user, pk=pk)
    try:
        services.staff_reactivate(member=member, reactivated_by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s can sign in again.") % {"name": member.full_name})
    return redirect("clinics:staff-list")


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def clinic_settings(request):
    clinic = request.user.clinic
    form = ClinicSettingsForm(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        initial=ClinicSettingsForm.initial_for(clinic),
    )
    if form.is_valid():
        try:
            services.clinic_settings_update(
                clinic=clinic, updated_by=request.user, **form.changes()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The clinic's settings were saved."))
            return redirect("clinics:clinic-settings")
    return render(request, "clinics/clinic_settings.html", {"form": form, "clinic": clinic})
