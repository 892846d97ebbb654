"""Role checks for views. One decorator per role; every object lookup then goes through the
clinic-scoped access functions in each app's `access` module, which answer 404 alike for
"does not exist" and "belongs to another clinic"."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from .models import Role


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
patient_required = _role_required(Role.PATIENT)
