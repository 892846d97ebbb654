from django.db.models import QuerySet
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import RECORD_VIEW_ACTIONS, STAFF_ROLES, AuditEvent, User


def record_views_for_patient(*, patient) -> QuerySet[AuditEvent]:
    """Clinic staff's views of one patient's record, newest first: the patient's own visits to
    their pages are left out, and so is the address each view came from."""
    return (
        AuditEvent.objects.filter(
            patient=patient, action__in=RECORD_VIEW_ACTIONS, actor_role__in=STAFF_ROLES
        )
        .only("created_at", "actor_name", "actor_role", "action")
        .order_by("-created_at", "-id")
    )


# Two-step sign-in and sign-in lockouts


def two_factor_device(*, user: User) -> TOTPDevice | None:
    """The authenticator app `user` signs in with, once set up and confirmed."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def active_user(*, pk: int) -> User | None:
    """The account with this id, if it can still sign in."""
    return User.objects.filter(pk=pk, is_active=True).first()
