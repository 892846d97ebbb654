import base64
import datetime
import hashlib
import logging
import math
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import import_module
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from outbox.services import message_enqueue

from . import audit
from .languages import LANGUAGE_CODES, language_for
from .models import (
    STAFF_ROLES,
    AccessLink,
    AccessPurpose,
    ApiKey,
    AuditAction,
    Clinic,
    Role,
    SignInLinkRequest,
    User,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def clinic_create(*, name: str, time_zone: str = "UTC", **details) -> Clinic:
    clinic = Clinic(name=name.strip(), slug=slugify(name), time_zone=time_zone, **details)
    clinic.full_clean()
    clinic.save()
    return clinic


# Therapists get a short morning email of what waits for them, unless they turn it off;
# admins, who may look after no patients, only when they ask for it.
DEFAULT_DIGEST_AT = datetime.time(7, 30)


@transaction.atomic
def user_create(
    *,
    clinic: Clinic,
    email: str,
    full_name: str,
    role: str,
    password: str | None,
    language: str = "",
) -> User:
    """An account in a clinic. Without a password the account cannot sign in until one is set;
    with no `language`, it reads Rehabit in the clinic's default."""
    if role not in Role.values:
        raise ValidationError({"role": _("Choose admin, therapist or patient.")})
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": _("An account with this email address already exists.")})
    user = User(
        email=email, full_name=full_name.strip(), clinic=clinic, role=role, language=language
    )
    if role == Role.THERAPIST:
        user.digest_at = DEFAULT_DIGEST_AT
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.full_clean()
    user.save()
    return user


def email_used_elsewhere(*, email: str, clinic_id: int | None) -> bool:
    """Whether `email` already belongs to an account outside the clinic. One address holds one
    account, so such an address cannot be invited; the inviter is answered as for a new address
    and nothing is sent or changed, so an invitation never reveals, or joins, another clinic's
    account. No email goes to the address either: it would tell its owner that some clinic is
    trying to enrol them, and let anyone send mail to any address."""
    email = User.objects.normalize_email(email).strip().lower()
    return User.objects.filter(email=email).exclude(clinic_id=clinic_id).exists()


ACCESS_LINK_LIFETIME = {
    AccessPurpose.INVITATION: datetime.timedelta(days=7),
    AccessPurpose.SIGN_IN: datetime.timedelta(minutes=15),
    AccessPurpose.UNLOCK: datetime.timedelta(minutes=15),
}
ACCESS_LINK_URL_NAME = {
    AccessPurpose.INVITATION: "clinics:invitation-accept",
    AccessPurpose.SIGN_IN: "clinics:sign-in-link-use",
    AccessPurpose.UNLOCK: "clinics:unlock-link-use",
}
# token_urlsafe(32) gives 43 characters; anything much longer, or as short as a printed
# invitation code, is not one of ours.
ACCESS_TOKEN_MIN_LENGTH = 32
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
            "A newer invitation has been sent or printed since this one. Use the most recent "
            "email or handout, or ask your therapist or clinic for a new one."
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
    AccessPurpose.UNLOCK: {
        "unknown": gettext_lazy(
            "This unlock link is not valid. Check that the whole link was copied from the "
            "email, or ask for a new one on the sign-in page."
        ),
        "used": gettext_lazy(
            "This unlock link has already been used or has expired. Ask for a new one on the "
            "sign-in page."
        ),
        "revoked": gettext_lazy(
            "A newer unlock link has been sent since this one. Use the link in the most recent "
            "email."
        ),
        "expired": gettext_lazy(
            "This unlock link has already been used or has expired. Ask for a new one on the "
            "sign-in page."
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
    token = secrets.token_urlsafe(32)
    _access_link_store(
        user=user, purpose=purpose, token_hash=access_token_hash(token), created_by=created_by
    )
    return token


def _access_link_store(
    *, user: User, purpose: str, token_hash: str, created_by: User | None
) -> AccessLink:
    if purpose not in AccessPurpose.values:
        raise ValueError(f"Unknown access link purpose: {purpose!r}")
    # Locking the user makes two concurrent issues take turns, so only the later link stays live.
    User.objects.select_for_update().only("pk").get(pk=user.pk)
    now = timezone.now()
    AccessLink.objects.filter(
        user=user, purpose=purpose, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    return AccessLink.objects.create(
        user=user,
        purpose=purpose,
        token_hash=token_hash,
        created_by=created_by,
        created_at=now,
        expires_at=now + ACCESS_LINK_LIFETIME[purpose],
    )


# An invitation printed on a handout is typed from paper or scanned from its QR code, so it is
# short: 10 characters from capitals and digits that cannot be taken for one another (no 0, 1,
# I, L or O), about 50 bits, with the guessing throttled (clinics.throttling). It is an
# invitation like an emailed one, stored the same way (a hash only), so issuing either revokes
# the other: only the newest invitation works. Its hash is taken over "code:" and the code, so
# an invitation code is never accepted as an emailed link's token, only at its own short
# address, where the guessing is counted.
INVITATION_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
INVITATION_CODE_LENGTH = 10


def invitation_code_normalize(code: str) -> str:
    """The code as stored, from what a person typed: any case, with spaces or dashes."""
    return "".join(code.split()).replace("-", "").upper()


def _invitation_code_hash(code: str) -> str:
    return access_token_hash(f"code:{invitation_code_normalize(code)}")


def invitation_code_valid_form(code: str) -> bool:
    code = invitation_code_normalize(code)
    return len(code) == INVITATION_CODE_LENGTH and all(
        character in INVITATION_CODE_ALPHABET for character in code
    )


def account_in_use(user: User) -> bool:
    """Whether someone already signs in to this account (a password chosen, or a sign-in made
    by an emailed link), so an invitation to set it up has nothing left to do."""
    return user.has_usable_password() or user.last_login is not None


def invitation_code_url(*, code: str, base_url: str) -> str:
    return urljoin(base_url, reverse("clinics:invitation-code", args=[code]))


@transaction.atomic
def invitation_code_issue(*, user: User, created_by: User | None = None) -> str:
    """A new invitation for `user` as a short code, revoking their earlier invitations, emailed
    or printed. Returns the code, which exists only on the printed page from here on."""
    code = "".join(secrets.choice(INVITATION_CODE_ALPHABET) for _ in range(INVITATION_CODE_LENGTH))
    _access_link_store(
        user=user,
        purpose=AccessPurpose.INVITATION,
        token_hash=_invitation_code_hash(code),
        created_by=created_by,
    )
    return code


def invitation_code_check(*, code: str) -> User:
    """The person an invitation code is for, if it still works, without using it up."""
    return _access_link_by_hash(
        token_hash=_checked_code_hash(code), purpose=AccessPurpose.INVITATION, lock=False
    ).user


@transaction.atomic
def invitation_code_accept(*, code: str, password: str) -> User:
    """Set the invited person's password and use up the code, both or neither."""
    link = _access_link_by_hash(
        token_hash=_checked_code_hash(code), purpose=AccessPurpose.INVITATION, lock=True
    )
    return _invitation_use(link, password=password)


def _checked_code_hash(code: str) -> str:
    if not invitation_code_valid_form(code):
        raise _access_link_refusal(AccessPurpose.INVITATION, "unknown")
    return _invitation_code_hash(code)


def _access_link_refusal(purpose: str, reason: str) -> ValidationError:
    return ValidationError(ACCESS_LINK_REFUSALS[purpose][reason], code=reason)


def _access_link_live(*, token: str, purpose: str, lock: bool) -> AccessLink:
    if not token or not ACCESS_TOKEN_MIN_LENGTH <= len(token) <= ACCESS_TOKEN_MAX_LENGTH:
        raise _access_link_refusal(purpose, "unknown")
    return _access_link_by_hash(token_hash=access_token_hash(token), purpose=purpose, lock=lock)


def _access_link_by_hash(*, token_hash: str, purpose: str, lock: bool) -> AccessLink:
    links = AccessLink.objects.select_related("user")
    if lock:
        links = links.select_for_update(of=("self",))
    link = links.filter(token_hash=token_hash, purpose=purpose).first()
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
    link = _access_link_live(token=token, purpose=AccessPurpose.INVITATION, lock=True)
    return _invitation_use(link, password=password)


def _invitation_use(link: AccessLink, *, password: str) -> User:
    user = link.user
    validate_password(password, user)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


@transaction.atomic
def user_invite(*, user: User, invited_by: User, base_url: str) -> None:
    """Email `user` an invitation to set a password; their earlier invitations stop working
    when it is sent. Staff of the user's own clinic only. The email goes out from the outbox
    once this transaction commits, and the link in it is made then."""
    if invited_by.clinic_id != user.clinic_id or not invited_by.is_clinic_staff:
        raise ValidationError(_("Only staff of the same clinic can send this invitation."))
    if not user.is_active:
        raise ValidationError(_("This account is switched off, so it cannot be invited."))
    message_enqueue(
        kind="invitation",
        key=f"invitation:{user.pk}:{uuid.uuid4()}",
        recipient=user.email,
        language=language_for(user),
        clinic_id=user.clinic_id,
        context={"user_id": user.pk, "invited_by_id": invited_by.pk, "base_url": base_url},
    )


# How often one email address, and one computer, may ask for a sign-in link.
SIGN_IN_LINKS_PER_EMAIL = 3
SIGN_IN_LINKS_PER_ADDRESS = 10
SIGN_IN_LINK_WINDOW = datetime.timedelta(minutes=15)


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()


# Who may get each kind of emailed link on asking: sign-in links are for patients, who may sign
# in without a password; any active account may unlock its own sign-in.
LINK_REQUEST_KINDS = {
    AccessPurpose.SIGN_IN: "sign_in_link",
    AccessPurpose.UNLOCK: "unlock_link",
}


@transaction.atomic
def sign_in_link_request(
    *, email: str, base_url: str, client_address: str | None, purpose: str = AccessPurpose.SIGN_IN
) -> None:
    """Ask for a one-time sign-in (or unlock) link for `email`. Whether the address has an
    account is found out by the worker, so this answers alike, in the same time, for everyone;
    it is refused, saying so, when the address or the computer has asked too often lately. Both
    kinds share the count, which limits how much mail a stranger can send to one inbox."""
    if purpose not in LINK_REQUEST_KINDS:
        raise ValueError(f"Links of purpose {purpose!r} are not sent on request")
    email = User.objects.normalize_email(email).strip().lower()
    digest = _email_digest(email)
    since = timezone.now() - SIGN_IN_LINK_WINDOW
    recent = SignInLinkRequest.objects.filter(created_at__gte=since)
    minutes = int(SIGN_IN_LINK_WINDOW.total_seconds() // 60)
    if recent.filter(email_digest=digest).count() >= SIGN_IN_LINKS_PER_EMAIL or (
        client_address
        and recent.filter(client_address=client_address).count() >= SIGN_IN_LINKS_PER_ADDRESS
    ):
        raise ValidationError(
            ngettext(
                "Sign-in links were asked for several times in the last %(minutes)d minute. "
                "Check your inbox for the last one, or wait and ask again; you can also sign "
                "in with your password.",
                "Sign-in links were asked for several times in the last %(minutes)d minutes. "
                "Check your inbox for the last one, or wait and ask again; you can also sign "
                "in with your password.",
                minutes,
            )
            % {"minutes": minutes},
            code="too_often",
        )
    asked = SignInLinkRequest.objects.create(email_digest=digest, client_address=client_address)
    from .tasks import sign_in_link_deliver

    transaction.on_commit(
        lambda: sign_in_link_deliver.enqueue(
            email=email, base_url=base_url, request_id=asked.pk, purpose=purpose
        )
    )


def sign_in_link_send(
    *, email: str, base_url: str, request_id: int, purpose: str = AccessPurpose.SIGN_IN
) -> None:
    """Email a one-time link if `email` is an active account that may have one: a sign-in link
    for a patient, an unlock link for anyone; nothing otherwise."""
    accounts = User.objects.filter(email=email, is_active=True)
    if purpose == AccessPurpose.SIGN_IN:
        accounts = accounts.filter(role=Role.PATIENT, clinic__isnull=False)
    user = accounts.first()
    if user is None:
        return
    kind = LINK_REQUEST_KINDS[purpose]
    message_enqueue(
        kind=kind,
        key=f"{kind}:{request_id}",
        recipient=user.email,
        language=language_for(user),
        clinic_id=user.clinic_id,
        context={"user_id": user.pk, "base_url": base_url},
    )


# Checks and steps the clinic admin's staff pages (console.services) share with two-step
# sign-in. Nothing here deletes an account: a former colleague's name stays on the plans they
# prescribed and the logs they corrected.


def account_label(user: User) -> str:
    """The account acted on, as the audit trail names it: the person and their email address."""
    return _("%(name)s (%(email)s)") % {"name": user.full_name, "email": user.email}


def clinic_admin_check(user: User, clinic_id: int | None, message: str) -> None:
    if not (user.is_active and user.is_clinic_admin and user.clinic_id == clinic_id):
        raise ValidationError(message)


def staff_member_check(member: User, clinic_id: int | None) -> None:
    if member.clinic_id != clinic_id or member.role not in STAFF_ROLES:
        raise ValidationError(_("Only therapists and admins of this clinic are managed here."))


def staff_change_begin(*, member: User, admin: User, refusal: str) -> tuple[User, User]:
    """Begin a change an admin makes to a colleague's account, inside its transaction: lock the
    clinic's row, so staff changes in one clinic take turns (two admins cannot deactivate each
    other at once, nobody is handed patients while being switched off), then read both accounts
    again as they are now and check them. Returns (member, admin) as read."""
    Clinic.objects.select_for_update().only("pk").get(pk=member.clinic_id)
    admin = User.objects.get(pk=admin.pk)
    clinic_admin_check(admin, member.clinic_id, refusal)
    member = User.objects.get(pk=member.pk)
    staff_member_check(member, admin.clinic_id)
    return member, admin


DATABASE_SESSION_ENGINES = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


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


def user_deactivate(*, user: User) -> None:
    """Switch an account off for good: its unused links stop working, it cannot sign in, and the
    sessions it has open end. Callers check who may do it and keep the audit trail."""
    AccessLink.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    user.is_active = False
    user.save(update_fields=["is_active"])
    _sessions_end(user)


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


# Recovery codes are stored as a keyed hash (HMAC-SHA256 with the site's secret key), so a copy
# of the database holds no code that works. django-otp keeps at most 16 characters per code;
# 16 of base64 are 96 bits of the hash. Codes are found by their hash, so none is compared in
# Python, and the secret key's fallbacks are tried too, so rotating the key keeps them working.
RECOVERY_CODE_HASH_SALT = "rehabit.recovery-code"
RECOVERY_CODE_HASH_LENGTH = 16


def recovery_code_hash(code: str, *, secret: str | None = None) -> str:
    digest = salted_hmac(
        RECOVERY_CODE_HASH_SALT, recovery_code_normalize(code), secret=secret, algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest).decode()[:RECOVERY_CODE_HASH_LENGTH]


def _recovery_code_hashes(code: str) -> list[str]:
    secrets_in_use = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [recovery_code_hash(code, secret=secret) for secret in secrets_in_use]


def _recovery_code_use(device: StaticDevice, code: str) -> bool:
    """Use up the matching recovery code of `device`, as django-otp's StaticDevice.verify_token
    does with a plain one: a match is deleted, so it cannot be used again."""
    match = device.token_set.filter(token__in=_recovery_code_hashes(code)).first()
    if match is None:
        device.throttle_increment()
        return False
    match.delete()
    device.throttle_reset(commit=False)
    device.set_last_used_timestamp(commit=False)
    device.save()
    return True


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
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=recovery_code_hash(code)) for code in codes]
    )
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
        summary=_("Two-step sign-in turned on for %(account)s.") % {"account": account_label(user)},
    )
    return TwoFactorSetUp(device=device, recovery_codes=codes)


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Ten new recovery codes for someone who uses two-step sign-in; the old ones stop working.
    They are returned to be shown once; only their hashes are kept."""
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
        % {"account": account_label(user)},
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
        % {"account": account_label(user)},
    )


@transaction.atomic
def two_factor_reset(*, member: User, reset_by: User) -> None:
    """A clinic admin clears a colleague's authenticator app and recovery codes (a lost phone).
    Their open sessions end; next time their password alone signs them in, and an admin is then
    asked to set up a new app before anything else."""
    member, reset_by = staff_change_begin(
        member=member,
        admin=reset_by,
        refusal=_("Only the clinic's admins can reset two-step sign-in."),
    )
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
        summary=_("Two-step sign-in reset for %(account)s.") % {"account": account_label(member)},
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
    accepted = _recovery_code_use(device, code) if recovery else device.verify_token(code)
    return TwoFactorCheck(device=device if accepted else None, recovery_code=recovery)


@transaction.atomic
def digest_time_set(*, user: User, at: datetime.time | None) -> User:
    """When a staff member's daily digest arrives, in the clinic's time; None turns it off."""
    if not user.is_clinic_staff:
        raise ValidationError(_("Only the clinic's staff get a daily digest."))
    user.digest_at = at.replace(second=0, microsecond=0) if at is not None else None
    user.save(update_fields=["digest_at"])
    return user


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    """The language `user` reads Rehabit in, its emails included; "" for the clinic's default."""
    if language and language not in LANGUAGE_CODES:
        raise ValidationError({"language": _("Choose one of the languages in the list.")})
    user.language = language
    user.save(update_fields=["language"])
    return user


# API keys -------------------------------------------------------------------------------------
# A key reads `rhk_<prefix>_<secret>`: the prefix finds the row, the secret (32 random bytes)
# is checked against its SHA-256 digest. A fast digest is enough for a secret of that strength;
# a slow password hash would only slow every call.
API_KEY_PREFIX_BYTES = 6
API_KEY_SECRET_BYTES = 32


def api_key_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *,
    clinic: Clinic,
    name: str,
    scope: str,
    acts_as: User,
    created_by: User,
    published_text: str | None = None,
) -> tuple[ApiKey, str]:
    """Make a key for the clinic's other software. Returns the key and its whole text, which is
    shown once and never again: only a digest of the secret is kept. `published_text` is for
    demo data only, whose key is printed for anyone trying the API."""
    clinic_admin_check(created_by, clinic.pk, _("Only the clinic's admins can make API keys."))
    if acts_as.clinic_id != clinic.pk or acts_as.role not in STAFF_ROLES or not acts_as.is_active:
        raise ValidationError(
            {"acts_as": _("Choose an active therapist or admin of this clinic for the key.")}
        )
    name = " ".join(name.split())
    if ApiKey.objects.for_clinic(clinic).usable().filter(name__iexact=name).exists():
        raise ValidationError(
            {
                "name": _("A key named %(name)s is in use already. Choose another name.")
                % {"name": name}
            }
        )
    if published_text is not None:
        _rhk, prefix, secret = published_text.split("_", 2)
    else:
        prefix = secrets.token_hex(API_KEY_PREFIX_BYTES)
        secret = secrets.token_urlsafe(API_KEY_SECRET_BYTES)
    key = ApiKey(
        clinic=clinic,
        name=name,
        scope=scope,
        prefix=prefix,
        secret_digest=api_key_digest(secret),
        acts_as=acts_as,
        created_by=created_by,
    )
    key.full_clean()
    key.save()
    audit.record(
        action=AuditAction.API_KEY_CREATED,
        clinic_id=clinic.pk,
        actor=created_by,
        summary=_("Key %(name)s (%(prefix)s…), %(scope)s, acting as %(person)s.")
        % {
            "name": key.name,
            "prefix": prefix,
            "scope": key.get_scope_display().lower(),
            "person": acts_as.full_name,
        },
    )
    return key, f"rhk_{prefix}_{secret}"


@transaction.atomic
def api_key_revoke(*, key: ApiKey, revoked_by: User) -> ApiKey:
    """Stop a key for good: the next call with it is refused. Revoking twice keeps the first."""
    clinic_admin_check(
        revoked_by, key.clinic_id, _("Only the clinic's admins can revoke API keys.")
    )
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is not None:
        return key
    key.revoked_at = timezone.now()
    key.revoked_by = revoked_by
    key.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        action=AuditAction.API_KEY_REVOKED,
        clinic_id=key.clinic_id,
        actor=revoked_by,
        summary=_("Key %(name)s (%(prefix)s…).") % {"name": key.name, "prefix": key.prefix},
    )
    return key


def api_key_authenticate(raw: str) -> ApiKey | None:
    """The usable key a request's text names, with the clinic and the staff member it acts as;
    None for anything else (malformed, unknown, wrong secret, revoked, or a person who can no
    longer act). Marks when it was last used, at most once a minute."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != "rhk":
        return None
    _, prefix, secret = parts
    key = ApiKey.objects.usable().select_related("clinic", "acts_as").filter(prefix=prefix).first()
    if key is None or not secrets.compare_digest(key.secret_digest, api_key_digest(secret)):
        return None
    acting = key.acts_as
    if not acting.is_active or acting.clinic_id != key.clinic_id or acting.role not in STAFF_ROLES:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > datetime.timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key
