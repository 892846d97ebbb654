import datetime
import hashlib
import logging
import math
import secrets
from dataclasses import dataclass
from importlib import import_module
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .images import PreparedImage, prepare_image
from .models import STAFF_ROLES, AccessLink, AccessPurpose, Clinic, Role, User

logger = logging.getLogger(__name__)


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


ACCESS_LINK_LIFETIME = {
    AccessPurpose.INVITATION: datetime.timedelta(days=7),
    AccessPurpose.SIGN_IN: datetime.timedelta(minutes=15),
}
ACCESS_LINK_URL_NAME = {
    AccessPurpose.INVITATION: "clinics:invitation-accept",
    AccessPurpose.SIGN_IN: "clinics:sign-in-link-use",
}
# token_urlsafe(32) gives 43 characters; anything much longer is not one of ours.
ACCESS_TOKEN_MAX_LENGTH = 100

# Every refusal says what to do next. None of them says whether an account exists: only the
# person holding the (secret) link learns that it was once a real one.
ACCESS_LINK_REFUSALS = {
    AccessPurpose.INVITATION: {
        "unknown": gettext_lazy(
            "This invitation link is not valid. Check that the whole link was copied from the "
            "email, or ask your therapist or clinic to send a new invitation."
        ),
        "used": gettext_lazy(
            "This invitation has already been used. Sign in with the password you chose, or "
            "ask your therapist or clinic to send a new invitation."
        ),
        "revoked": gettext_lazy(
            "A newer invitation has been sent since this one. Use the link in the most recent "
            "email."
        ),
        "expired": gettext_lazy(
            "This invitation has expired. Ask your therapist or clinic to send a new invitation."
        ),
    },
    AccessPurpose.SIGN_IN: {
        "unknown": gettext_lazy(
            "This sign-in link is not valid. Check that the whole link was copied from the "
            "email, or ask for a new one."
        ),
        "used": gettext_lazy(
            "This sign-in link has already been used or has expired. Ask for a new one."
        ),
        "revoked": gettext_lazy(
            "A newer sign-in link has been sent since this one. Use the link in the most recent "
            "email, or ask for a new one."
        ),
        "expired": gettext_lazy(
            "This sign-in link has already been used or has expired. Ask for a new one."
        ),
    },
}


def access_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def access_link_url(*, token: str, purpose: str, base_url: str) -> str:
    """The link to email: `base_url` is the site's address, e.g. request.build_absolute_uri("/")."""
    return urljoin(base_url, reverse(ACCESS_LINK_URL_NAME[purpose], args=[token]))


@transaction.atomic
def access_link_issue(*, user: User, purpose: str, created_by: User | None = None) -> str:
    """A new link for `user`, cancelling their earlier unused links of the same purpose. Returns
    the raw token, which exists only in the email from here on."""
    if purpose not in AccessPurpose.values:
        raise ValueError(f"Unknown access link purpose: {purpose!r}")
    # Locking the user makes two concurrent issues take turns, so only the later link stays live.
    User.objects.select_for_update().only("pk").get(pk=user.pk)
    now = timezone.now()
    AccessLink.objects.filter(
        user=user, purpose=purpose, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    AccessLink.objects.create(
        user=user,
        purpose=purpose,
        token_hash=access_token_hash(token),
        created_by=created_by,
        created_at=now,
        expires_at=now + ACCESS_LINK_LIFETIME[purpose],
    )
    return token


def _access_link_refusal(purpose: str, reason: str) -> ValidationError:
    return ValidationError(ACCESS_LINK_REFUSALS[purpose][reason], code=reason)


def _access_link_live(*, token: str, purpose: str, lock: bool) -> AccessLink:
    if not token or len(token) > ACCESS_TOKEN_MAX_LENGTH:
        raise _access_link_refusal(purpose, "unknown")
    links = AccessLink.objects.select_related("user")
    if lock:
        links = links.select_for_update(of=("self",))
    link = links.filter(token_hash=access_token_hash(token), purpose=purpose).first()
    # A deactivated account reads as an unknown link, as if it had never been sent.
    if link is None or not link.user.is_active:
        raise _access_link_refusal(purpose, "unknown")
    if link.used_at is not None:
        raise _access_link_refusal(purpose, "used")
    if link.revoked_at is not None:
        raise _access_link_refusal(purpose, "revoked")
    if link.expires_at <= timezone.now():
        raise _access_link_refusal(purpose, "expired")
    return link


def access_link_check(*, token: str, purpose: str) -> User:
    """The user a link is for, if it still works, without using it up (for showing a form or a
    confirm button before the real request)."""
    return _access_link_live(token=token, purpose=purpose, lock=False).user


@transaction.atomic
def access_link_redeem(*, token: str, purpose: str) -> User:
    """Use a link up and return its user. The row lock makes two requests with the same link
    take turns, so only the first one gets in."""
    link = _access_link_live(token=token, purpose=purpose, lock=True)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return link.user


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Set the invited person's password and use up the invitation, both or neither."""
    user = access_link_redeem(token=token, purpose=AccessPurpose.INVITATION)
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


INVITATION_EMAIL_SUBJECT = gettext_lazy("%(name)s invited you to Rehabit")


@transaction.atomic
def user_invite(*, user: User, invited_by: User, base_url: str) -> None:
    """Email `user` an invitation to set a password (their earlier invitations stop working).
    Staff of the user's own clinic only."""
    if invited_by.clinic_id != user.clinic_id or not invited_by.is_clinic_staff:
        raise ValidationError(_("Only staff of the same clinic can send this invitation."))
    if not user.is_active:
        raise ValidationError(_("This account is switched off, so it cannot be invited."))
    token = access_link_issue(user=user, purpose=AccessPurpose.INVITATION, created_by=invited_by)
    context = {
        "user": user,
        "invited_by": invited_by,
        "clinic": user.clinic,
        "link": access_link_url(token=token, purpose=AccessPurpose.INVITATION, base_url=base_url),
        "days": ACCESS_LINK_LIFETIME[AccessPurpose.INVITATION].days,
    }
    # Sent inside the transaction on purpose: if the mail server refuses, the link and anything
    # the caller created roll back, and the person inviting sees why instead of a dead invite.
    try:
        send_mail(
            INVITATION_EMAIL_SUBJECT % {"name": invited_by.full_name},
            render_to_string("clinics/email/invitation.txt", context),
            None,
            [user.email],
        )
    except OSError as error:
        logger.exception("Invitation email to user %s could not be sent", user.pk)
        raise ValidationError(
            _("The invitation email could not be sent just now. Nothing was changed; try again.")
        ) from error


SIGN_IN_LINK_EMAIL_SUBJECT = gettext_lazy("Your Rehabit sign-in link")


def sign_in_link_send(*, email: str, base_url: str) -> None:
    """Email a one-time sign-in link if `email` is an active patient's. Says nothing either way,
    so the page that calls it cannot be used to find out who is a patient."""
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(
        email=email, is_active=True, role=Role.PATIENT, clinic__isnull=False
    ).first()
    if user is None:
        return
    token = access_link_issue(user=user, purpose=AccessPurpose.SIGN_IN)
    context = {
        "user": user,
        "link": access_link_url(token=token, purpose=AccessPurpose.SIGN_IN, base_url=base_url),
        "minutes": int(ACCESS_LINK_LIFETIME[AccessPurpose.SIGN_IN].total_seconds() // 60),
    }
    try:
        send_mail(
            str(SIGN_IN_LINK_EMAIL_SUBJECT),
            render_to_string("clinics/email/sign_in_link.txt", context),
            None,
            [user.email],
        )
    except OSError:
        # The page must read the same for everyone, so a failed send is logged, not shown.
        logger.exception("Sign-in link email to user %s could not be sent", user.pk)


# Staff: invitations, deactivation and reactivation. Nothing here deletes an account: a former
# colleague's name stays on the plans they prescribed and the logs they corrected.


def _require_clinic_admin(user: User, clinic_id: int | None, message: str) -> None:
    if not (user.is_active and user.is_clinic_admin and user.clinic_id == clinic_id):
        raise ValidationError(message)


def _require_staff_member(member: User, clinic_id: int | None) -> None:
    if member.clinic_id != clinic_id or member.role not in STAFF_ROLES:
        raise ValidationError(_("Only therapists and admins of this clinic are managed here."))


@transaction.atomic
def staff_invite(*, invited_by: User, email: str, full_name: str, role: str, base_url: str) -> User:
    """A therapist or admin account in the inviter's clinic, with no usable password, and the
    emailed invitation to choose one: both or neither."""
    _require_clinic_admin(
        invited_by, invited_by.clinic_id, _("Only the clinic's admins can invite staff.")
    )
    if role not in STAFF_ROLES:
        raise ValidationError({"role": _("Choose therapist or clinic admin.")})
    if not full_name.strip():
        raise ValidationError({"full_name": _("Enter the person's full name.")})
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError(
            {
                "email": _(
                    "An account with this email address already exists, so it cannot be "
                    "invited again. If it is a colleague on the staff list, re-send their "
                    "invitation or reactivate them there; otherwise use another address."
                )
            }
        )
    member = user_create(
        clinic=invited_by.clinic, email=email, full_name=full_name, role=role, password=None
    )
    user_invite(user=member, invited_by=invited_by, base_url=base_url)
    return member


@transaction.atomic
def staff_invitation_resend(*, member: User, invited_by: User, base_url: str) -> None:
    """A new invitation for a colleague who has not chosen a password yet; the earlier one stops
    working."""
    _require_clinic_admin(
        invited_by, member.clinic_id, _("Only the clinic's admins can invite staff.")
    )
    member = User.objects.select_for_update().get(pk=member.pk)
    _require_staff_member(member, invited_by.clinic_id)
    if not member.is_active:
        raise ValidationError(
            _("%(name)s is deactivated. Reactivate them before sending an invitation.")
            % {"name": member.full_name}
        )
    if member.has_usable_password():
        raise ValidationError(
            _("%(name)s has already chosen a password, so there is no invitation to send again.")
            % {"name": member.full_name}
        )
    user_invite(user=member, invited_by=invited_by, base_url=base_url)


DATABASE_SESSION_ENGINES = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


@dataclass(frozen=True)
class StaffDeactivation:
    member: User
    patients_moved: int
    reassigned_to: User | None


@transaction.atomic
def staff_deactivate(
    *, member: User, deactivated_by: User, reassign_to: User | None
) -> StaffDeactivation:
    """Switch a therapist or admin off: every patient whose primary therapist they are (active
    and discharged alike, so no record points at an account nobody can use) moves to
    `reassign_to`, their unused links stop working, they cannot sign in, and the sessions they
    have open end."""
    # Locking the clinic row makes staff changes in one clinic take turns, so two admins cannot
    # deactivate each other at once, and nobody is reassigned patients while being switched off.
    Clinic.objects.select_for_update().only("pk").get(pk=member.clinic_id)
    deactivated_by = User.objects.get(pk=deactivated_by.pk)
    _require_clinic_admin(
        deactivated_by, member.clinic_id, _("Only the clinic's admins can deactivate staff.")
    )
    member = User.objects.get(pk=member.pk)
    _require_staff_member(member, deactivated_by.clinic_id)
    if not member.is_active:
        raise ValidationError(_("%(name)s is already deactivated.") % {"name": member.full_name})
    other_admins = User.objects.filter(
        clinic_id=member.clinic_id, role=Role.CLINIC_ADMIN, is_active=True
    ).exclude(pk=member.pk)
    if member.is_clinic_admin and not other_admins.exists():
        raise ValidationError(
            _(
                "%(name)s is the clinic's only active admin. Invite or reactivate another "
                "admin first, so someone can still manage the clinic."
            )
            % {"name": member.full_name}
        )
    if member.pk == deactivated_by.pk:
        raise ValidationError(
            _("You cannot deactivate your own account. Ask another admin of the clinic to do it.")
        )
    if reassign_to is not None:
        reassign_to = User.objects.filter(pk=reassign_to.pk).first()
        if (
            reassign_to is None
            or reassign_to.pk == member.pk
            or reassign_to.clinic_id != member.clinic_id
            or reassign_to.role not in STAFF_ROLES
            or not reassign_to.is_active
        ):
            raise ValidationError(
                {
                    "reassign_to": _(
                        "Choose an active therapist or admin of this clinic, other than the "
                        "person being deactivated."
                    )
                }
            )
    patient_count = member.primary_patients.count()
    if patient_count and reassign_to is None:
        raise ValidationError(
            {
                "reassign_to": ngettext(
                    "%(name)s is the primary therapist of %(count)d patient. Choose who takes "
                    "them over.",
                    "%(name)s is the primary therapist of %(count)d patients. Choose who takes "
                    "them over.",
                    patient_count,
                )
                % {"name": member.full_name, "count": patient_count}
            }
        )
    now = timezone.now()
    moved = member.primary_patients.update(primary_therapist=reassign_to, updated_at=now)
    AccessLink.objects.filter(user=member, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    member.is_active = False
    member.save(update_fields=["is_active"])
    _sessions_end(member)
    return StaffDeactivation(member=member, patients_moved=moved, reassigned_to=reassign_to)


def _sessions_end(user: User) -> None:
    """Delete the user's sessions. An inactive user's session already stops working (the auth
    backend refuses inactive users), but it would work again after a reactivation; deleting it
    makes "deactivate" end it for good. Sessions store the user id in signed data, so each live
    one is decoded: fine for a clinic's few thousand, and deactivating is rare."""
    if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES:
        return
    now = timezone.now()
    user_id = str(user.pk)
    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=now).iterator()
        if session.get_decoded().get(SESSION_KEY) == user_id
    ]
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session_key in ended:
        # Through the store, so a cached copy (cached_db) goes too.
        store(session_key=session_key).delete()


@transaction.atomic
def staff_reactivate(*, member: User, reactivated_by: User) -> User:
    """Let a deactivated colleague sign in again. Their former patients stay with whoever took
    them over; one who never chose a password needs a new invitation."""
    Clinic.objects.select_for_update().only("pk").get(pk=member.clinic_id)
    _require_clinic_admin(
        reactivated_by, member.clinic_id, _("Only the clinic's admins can reactivate staff.")
    )
    member = User.objects.get(pk=member.pk)
    _require_staff_member(member, reactivated_by.clinic_id)
    if member.is_active:
        raise ValidationError(_("%(name)s is already active.") % {"name": member.full_name})
    member.is_active = True
    member.save(update_fields=["is_active"])
    return member


# Clinic settings

# A logo is printed a few centimetres wide on handouts; 2 MB is plenty for that.
LOGO_MAX_BYTES = 2 * 1024 * 1024


def clinic_logo_prepare(upload) -> PreparedImage:
    """The logo to store: at most 2 MB, then checked by content and re-encoded as every picture
    in the app is (`clinics.images.prepare_image`: JPEG, PNG or WebP only, metadata dropped,
    a generated file name). Raises ValidationError saying what is allowed."""
    if not isinstance(upload, PreparedImage) and (upload.size or 0) > LOGO_MAX_BYTES:
        raise ValidationError(
            _(
                "A logo can be a JPEG, PNG or WebP image of at most 2 MB; this file is "
                "%(size)s MB. Save it smaller and upload it again."
            )
            % {"size": f"{math.ceil(upload.size * 10 / (1024 * 1024)) / 10:.1f}"},
            code="too_large",
        )
    return prepare_image(upload)


CLINIC_SETTINGS_FIELDS = frozenset(
    {
        "name",
        "contact_email",
        "phone",
        "address",
        "time_zone",
        "logo",
        "alert_pain_at_or_above",
        "alert_pain_rise",
        "alert_inactive_days",
        "alert_adherence_below_percent",
    }
)


@transaction.atomic
def clinic_settings_update(*, clinic: Clinic, updated_by: User, **fields: Any) -> Clinic:
    """Change the clinic's details and alert thresholds. Only the fields passed change; `logo`
    is an uploaded image to use from now on, or None to print handouts without one. The slug
    stays, so addresses that contain it keep working after a rename."""
    unknown = set(fields) - CLINIC_SETTINGS_FIELDS
    if unknown:
        raise TypeError(f"clinic_settings_update() cannot change {', '.join(sorted(unknown))}")
    clinic = Clinic.objects.select_for_update().get(pk=clinic.pk)
    _require_clinic_admin(
        updated_by, clinic.pk, _("Only the clinic's admins can change its settings.")
    )
    for name in ("name", "phone", "address", "time_zone"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    if "contact_email" in fields:
        fields["contact_email"] = (fields["contact_email"] or "").strip().lower()
    if "logo" in fields:
        logo = fields.pop("logo")
        if logo is None:
            clinic.logo = ""
        else:
            try:
                clinic.logo = clinic_logo_prepare(logo)
            except ValidationError as error:
                raise ValidationError({"logo": error.messages}) from error
    for name, value in fields.items():
        setattr(clinic, name, value)
    clinic.full_clean()
    clinic.save()
    return clinic
