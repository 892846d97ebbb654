import datetime
import hashlib
import logging
import secrets
from urllib.parse import urljoin

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AccessLink, AccessPurpose, Clinic, Role, User

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
