from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import Clinic, Role, User


@transaction.atomic
def clinic_create(*, name: str, time_zone: str = "UTC", **details) -> Clinic:
    clinic = Clinic(name=name.strip(), slug=slugify(name), time_zone=time_zone, **details)
    clinic.full_clean()
    clinic.save()
    return clinic


@transaction.atomic
def user_create(
    *, clinic: Clinic, email: str, full_name: str, role: str, password: str | None
) -> User:
    """An account in a clinic. Without a password the account cannot sign in until one is set."""
    if role not in Role.values:
        raise ValidationError({"role": _("Choose admin, therapist or patient.")})
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": _("An account with this email address already exists.")})
    user = User(email=email, full_name=full_name.strip(), clinic=clinic, role=role)
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.full_clean()
    user.save()
    return user
