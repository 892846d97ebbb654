import base64
import datetime
import hashlib
import logging
import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any
from urllib.parse import urljoin

from axes.utils import reset as axes_reset
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
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from . import audit
from .images import PreparedImage, prepare_image
from .models import STAFF_ROLES, AccessLink, AccessPurpose, AuditAction, Clinic, Role, User

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


def _account_named(user: User) -> str:
    """The account acted on, as the audit trail names it: the person and their email address."""
    return _("%(name)s (%(email)s)") % {"name": user.full_name, "email": user.email}


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
    audit.record(
        action=AuditAction.STAFF_INVITED,
        clinic_id=member.clinic_id,
        actor=invited_by,
        summary=_("Invited %(account)s as %(role)s.")
        % {"account": _account_named(member), "role": member.get_role_display().lower()},
    )
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
    audit.record(
        action=AuditAction.STAFF_INVITATION_RESENT,
        clinic_id=member.clinic_id,
        actor=invited_by,
        summary=_("Invitation re-sent to %(account)s; the earlier one no longer works.")
        % {"account": _account_named(member)},
    )


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
    summary = _("Deactivated %(account)s.") % {"account": _account_named(member)}
    if moved:
        summary += " " + ngettext(
            "%(count)d patient moved to %(to)s.",
            "%(count)d patients moved to %(to)s.",
            moved,
        ) % {"count": moved, "to": _account_named(reassign_to)}
    audit.record(
        action=AuditAction.STAFF_DEACTIVATED,
        clinic_id=member.clinic_id,
        actor=deactivated_by,
        summary=summary,
    )
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
    audit.record(
        action=AuditAction.STAFF_REACTIVATED,
        clinic_id=member.clinic_id,
        actor=reactivated_by,
        summary=_("Reactivated %(account)s.") % {"account": _account_named(member)},
    )
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
    changed = {
        name for name, value in fields.items() if name != "logo" and getattr(clinic, name) != value
    }
    if "logo" in fields:
        logo = fields.pop("logo")
        if logo is None:
            if clinic.logo:
                changed.add("logo")
            clinic.logo = ""
        else:
            try:
                clinic.logo = clinic_logo_prepare(logo)
            except ValidationError as error:
                raise ValidationError({"logo": error.messages}) from error
            changed.add("logo")
    for name, value in fields.items():
        setattr(clinic, name, value)
    clinic.full_clean()
    clinic.save()
    audit.record(
        action=AuditAction.CLINIC_SETTINGS_UPDATED,
        clinic=clinic,
        actor=updated_by,
        summary=audit.changed_fields_summary(
            [str(Clinic._meta.get_field(name).verbose_name) for name in changed]
        ),
    )
    return clinic


# Two-step sign-in: after the password, a 6-digit code from an authenticator app (TOTP,
# RFC 6238), or one of ten one-time recovery codes when the phone is lost. Clinic admins must
# use it, therapists may, patients are not offered it.

TWO_FACTOR_DEVICE_NAME = "Authenticator app"
RECOVERY_CODE_COUNT = 10
# Ten characters from an alphabet without the look-alikes 0/o and 1/l/i, since people copy them
# from paper: about 49 bits each.
RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10


def recovery_code_normalize(code: str) -> str:
    """A recovery code as stored: what was typed without spaces or dashes, in lower case."""
    return "".join(code.split()).replace("-", "").lower()


def recovery_code_display(code: str) -> str:
    """A stored recovery code as shown and printed: two groups of five, "abcde-fghjk"."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def two_factor_key_new() -> str:
    """A new authenticator secret (20 random bytes, hex), to show while setting up."""
    return random_hex(20)


def two_factor_key_text(key: str) -> str:
    """The secret as people type it into an authenticator app: base32, in groups of four."""
    text = base64.b32encode(bytes.fromhex(key)).decode()
    return " ".join(text[start : start + 4] for start in range(0, len(text), 4))


def two_factor_key_from_text(text: str) -> str:
    """The hex secret for base32 text such as the demo's published one."""
    return base64.b32decode("".join(text.split()).upper()).hex()


def two_factor_setup_url(*, user: User, key: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code: the secret, the
    issuer ("Rehabit") and the account's email."""
    return TOTPDevice(user=user, key=key).config_url


def _totp_step_matching(*, key: str, code: str, tolerance: int = 1) -> int | None:
    """The time step whose code `code` is for `key`, allowing the app's clock to be up to one
    step (30 seconds) out; None when it matches none."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = TOTP(bytes.fromhex(key))
    if totp.verify(int(code), tolerance=tolerance):
        return totp.t()
    return None


def _recovery_codes_replace(*, user: User, codes: Sequence[str] | None = None) -> list[str]:
    """New recovery codes for `user`; the earlier ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    if codes is None:
        codes = [
            "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
            for _ in range(RECOVERY_CODE_COUNT)
        ]
    codes = [recovery_code_normalize(code) for code in codes]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@dataclass(frozen=True)
class TwoFactorSetUp:
    device: TOTPDevice
    recovery_codes: list[str]


@transaction.atomic
def two_factor_enable(
    *, user: User, key: str, code: str, recovery_codes: Sequence[str] | None = None
) -> TwoFactorSetUp:
    """Turn on two-step sign-in with the authenticator app set up from `key`, once `code` shows
    the app has it. Returns the device and the new recovery codes, which exist in plain sight
    only on the page that shows them next. `recovery_codes` fixes them (the demo's published
    codes); otherwise they are random."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not (user.is_active and user.can_use_two_factor):
        raise ValidationError(_("Two-step sign-in is for the clinic's therapists and admins."))
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(
            _("Two-step sign-in is already on for this account, so nothing was changed.")
        )
    code = "".join(code.split())
    step = _totp_step_matching(key=key, code=code)
    if step is None:
        raise ValidationError(
            {
                "code": _(
                    "That code does not match. Type the 6 digits the app shows for Rehabit now; "
                    "if it keeps failing, check that the phone sets its clock automatically."
                )
            }
        )
    TOTPDevice.objects.filter(user=user).delete()
    # The code just typed cannot be used again to sign in.
    device = TOTPDevice.objects.create(
        user=user, name=TWO_FACTOR_DEVICE_NAME, key=key, confirmed=True, last_t=step
    )
    codes = _recovery_codes_replace(user=user, codes=recovery_codes)
    audit.record(
        action=AuditAction.TWO_FACTOR_ENABLED,
        clinic_id=user.clinic_id,
        actor=user,
        summary=_("Two-step sign-in turned on for %(account)s.")
        % {"account": _account_named(user)},
    )
    return TwoFactorSetUp(device=device, recovery_codes=codes)


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Ten new recovery codes for someone who uses two-step sign-in; the old ones stop working."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(
            _("Recovery codes come with two-step sign-in. Set it up first; the codes come with it.")
        )
    codes = _recovery_codes_replace(user=user)
    audit.record(
        action=AuditAction.RECOVERY_CODES_REGENERATED,
        clinic_id=user.clinic_id,
        actor=user,
        summary=_("New recovery codes made for %(account)s; the earlier ones no longer work.")
        % {"account": _account_named(user)},
    )
    return codes


def _two_factor_remove(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    """A therapist turns two-step sign-in off: from now on the password alone signs them in.
    Clinic admins must keep it; another admin can reset it for them instead."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.must_use_two_factor:
        raise ValidationError(
            _(
                "Clinic admins must use two-step sign-in, so it cannot be turned off. For a new "
                "phone, ask another admin of the clinic to reset it from the staff page."
            )
        )
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(_("Two-step sign-in is already off for this account."))
    _two_factor_remove(user)
    audit.record(
        action=AuditAction.TWO_FACTOR_DISABLED,
        clinic_id=user.clinic_id,
        actor=user,
        summary=_("Two-step sign-in turned off for %(account)s.")
        % {"account": _account_named(user)},
    )


@transaction.atomic
def two_factor_reset(*, member: User, reset_by: User) -> None:
    """A clinic admin clears a colleague's authenticator app and recovery codes (a lost phone).
    Their open sessions end; next time their password alone signs them in, and an admin is then
    asked to set up a new app before anything else."""
    Clinic.objects.select_for_update().only("pk").get(pk=member.clinic_id)
    reset_by = User.objects.get(pk=reset_by.pk)
    _require_clinic_admin(
        reset_by, member.clinic_id, _("Only the clinic's admins can reset two-step sign-in.")
    )
    member = User.objects.get(pk=member.pk)
    _require_staff_member(member, reset_by.clinic_id)
    if member.pk == reset_by.pk:
        raise ValidationError(
            _("You cannot reset your own two-step sign-in. Ask another admin of the clinic.")
        )
    if not TOTPDevice.objects.filter(user=member, confirmed=True).exists():
        raise ValidationError(
            _("%(name)s does not use two-step sign-in, so there is nothing to reset.")
            % {"name": member.full_name}
        )
    _two_factor_remove(member)
    _sessions_end(member)
    audit.record(
        action=AuditAction.TWO_FACTOR_RESET,
        clinic_id=member.clinic_id,
        actor=reset_by,
        summary=_("Two-step sign-in reset for %(account)s.") % {"account": _account_named(member)},
    )


@dataclass(frozen=True)
class TwoFactorCheck:
    """The outcome of a code typed at sign-in: the device that accepted it, or None. A refusal
    with `wait_seconds` came too soon after wrong codes, and the code was not even compared."""

    device: Device | None
    recovery_code: bool = False
    wait_seconds: int = 0


@transaction.atomic
def two_factor_verify(*, user: User, code: str) -> TwoFactorCheck:
    """Check a code typed at sign-in: six digits against the authenticator app, anything else as
    a recovery code (used up if it matches). The device rows are locked, so one code cannot let
    two requests in; each wrong code makes the device wait a little longer (django-otp's
    throttling, 1, 2, 4 … seconds), on top of the per-account sign-in limit."""
    code = "".join(code.split())
    recovery = not (len(code) == 6 and code.isdigit())
    model = StaticDevice if recovery else TOTPDevice
    device = model.objects.devices_for_user(user, confirmed=True).select_for_update().first()
    if device is None:
        return TwoFactorCheck(device=None, recovery_code=recovery)
    allowed, details = device.verify_is_allowed()
    if not allowed:
        locked_until = (details or {}).get("locked_until") or timezone.now()
        wait = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
        return TwoFactorCheck(device=None, recovery_code=recovery, wait_seconds=wait)
    token = recovery_code_normalize(code) if recovery else code
    accepted = device.verify_token(token)
    return TwoFactorCheck(device=device if accepted else None, recovery_code=recovery)


# Sign-in lockouts (django-axes)


@transaction.atomic
def account_unlock(*, account: User, unlocked_by: User) -> int:
    """Let a locked-out colleague or patient of the admin's clinic sign in again at once, instead
    of after the cool-down: their failed sign-ins are forgotten. Returns how many records of
    failed attempts were cleared."""
    _require_clinic_admin(
        unlocked_by, account.clinic_id, _("Only the clinic's admins can unlock accounts.")
    )
    cleared = axes_reset(username=account.email)
    # A patient's unlock goes on their record's trail too. Unlocking is a rare admin action, so
    # the one indexed lookup of the record by its account is worth it.
    patient = getattr(account, "patient_record", None) if account.role == Role.PATIENT else None
    audit.record(
        action=AuditAction.ACCOUNT_UNLOCKED,
        clinic_id=account.clinic_id,
        patient_id=getattr(patient, "pk", None),
        actor=unlocked_by,
        summary=_("Sign-in unlocked for %(account)s.") % {"account": _account_named(account)},
    )
    return cleared
