from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse_lazy

from .forms import EmailAuthenticationForm
from .models import Role

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
