"""Role checks for views. One decorator per role; every object lookup then goes through the
clinic-scoped access functions in each app's `access` module, which answer 404 alike for
"does not exist" and "belongs to another clinic"."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import STAFF_ROLES, Role, User


def _role_required(*roles):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                # LoginRequiredMiddleware already sends anonymous visitors to sign in.
                raise PermissionDenied
            if user.role not in roles or user.clinic_id is None:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


clinic_admin_required = _role_required(Role.CLINIC_ADMIN)
staff_required = _role_required(Role.CLINIC_ADMIN, Role.THERAPIST)
therapist_required = _role_required(Role.THERAPIST)
patient_required = _role_required(Role.PATIENT)


def two_factor_user_required(view):
    """Clinic staff, and the site's superusers, who must sign in with two steps too."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            raise PermissionDenied
        if not (user.is_superuser or (user.is_clinic_staff and user.clinic_id is not None)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def staff_member_for_admin(*, user, pk: int) -> User:
    """A therapist or admin of the admin's own clinic; a patient's account or another clinic's
    staff member answers 404 alike."""
    return get_object_or_404(
        User.objects.filter(clinic_id=user.clinic_id, role__in=STAFF_ROLES), pk=pk
    )


def clinic_account_for_admin(*, user, pk: int) -> User:
    """Any account of the admin's own clinic, staff or patient (to unlock a sign-in); another
    clinic's account answers 404 as a missing one does."""
    return get_object_or_404(User.objects.filter(clinic_id=user.clinic_id), pk=pk)
