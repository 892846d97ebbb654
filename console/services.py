"""The clinic admin's writes: inviting, deactivating and reactivating staff (handing a
therapist's patients to a colleague through the patients app), unlocking accounts, and the
clinic's settings."""

import math
from dataclasses import dataclass
from typing import Any

from axes.utils import reset as axes_reset
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clinics import audit
from clinics.models import STAFF_ROLES, AuditAction, Clinic, Role, User
from clinics.services import (
    account_label,
    clinic_admin_check,
    email_used_elsewhere,
    staff_change_begin,
    staff_member_check,
    user_create,
    user_deactivate,
    user_invite,
)
from lib.images import PreparedImage, prepare_image
from patients.selectors.records import patient_of_account, patients_of_therapist_count
from patients.services import patients_reassign
from webhooks import services as webhook_services
from webhooks.models import WebhookEndpoint


@transaction.atomic
def staff_invite(
    *, invited_by: User, email: str, full_name: str, role: str, base_url: str
) -> User | None:
    """A therapist or admin account in the inviter's clinic, with no usable password, and the
    emailed invitation to choose one: both or neither. None, with nothing done, for an address
    that belongs to an account elsewhere (clinics.services.email_used_elsewhere)."""
    clinic_admin_check(
        invited_by, invited_by.clinic_id, _("Only the clinic's admins can invite staff.")
    )
    if role not in STAFF_ROLES:
        raise ValidationError({"role": _("Choose therapist or clinic admin.")})
    if not full_name.strip():
        raise ValidationError({"full_name": _("Enter the person's full name.")})
    email = User.objects.normalize_email(email).strip().lower()
    if email_used_elsewhere(email=email, clinic_id=invited_by.clinic_id):
        return None
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
        % {"account": account_label(member), "role": member.get_role_display().lower()},
    )
    return member


@transaction.atomic
def staff_invitation_resend(*, member: User, invited_by: User, base_url: str) -> None:
    """A new invitation for a colleague who has not chosen a password yet; the earlier one stops
    working."""
    clinic_admin_check(
        invited_by, member.clinic_id, _("Only the clinic's admins can invite staff.")
    )
    member = User.objects.select_for_update().get(pk=member.pk)
    staff_member_check(member, invited_by.clinic_id)
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
        % {"account": account_label(member)},
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
    member, deactivated_by = staff_change_begin(
        member=member,
        admin=deactivated_by,
        refusal=_("Only the clinic's admins can deactivate staff."),
    )
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
    patient_count = patients_of_therapist_count(therapist=member)
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
    moved = patients_reassign(from_therapist=member, to_therapist=reassign_to)
    user_deactivate(user=member)
    summary = _("Deactivated %(account)s.") % {"account": account_label(member)}
    if moved:
        summary += " " + ngettext(
            "%(count)d patient moved to %(to)s.",
            "%(count)d patients moved to %(to)s.",
            moved,
        ) % {"count": moved, "to": account_label(reassign_to)}
    audit.record(
        action=AuditAction.STAFF_DEACTIVATED,
        clinic_id=member.clinic_id,
        actor=deactivated_by,
        summary=summary,
    )
    return StaffDeactivation(member=member, patients_moved=moved, reassigned_to=reassign_to)


@transaction.atomic
def staff_reactivate(*, member: User, reactivated_by: User) -> User:
    """Let a deactivated colleague sign in again. Their former patients stay with whoever took
    them over; one who never chose a password needs a new invitation."""
    member, reactivated_by = staff_change_begin(
        member=member,
        admin=reactivated_by,
        refusal=_("Only the clinic's admins can reactivate staff."),
    )
    if member.is_active:
        raise ValidationError(_("%(name)s is already active.") % {"name": member.full_name})
    member.is_active = True
    member.save(update_fields=["is_active"])
    audit.record(
        action=AuditAction.STAFF_REACTIVATED,
        clinic_id=member.clinic_id,
        actor=reactivated_by,
        summary=_("Reactivated %(account)s.") % {"account": account_label(member)},
    )
    return member


# A logo is printed a few centimetres wide on handouts; 2 MB is plenty for that.
LOGO_MAX_BYTES = 2 * 1024 * 1024


def clinic_logo_prepare(upload: UploadedFile | PreparedImage) -> PreparedImage:
    """The logo to store: at most 2 MB, then checked by content and re-encoded as every picture
    in the app is (`lib.images.prepare_image`: JPEG, PNG or WebP only, metadata dropped,
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
        "default_language",
        "logo",
        "alert_pain_at_or_above",
        "alert_pain_rise",
        "alert_inactive_days",
        "alert_adherence_below_percent",
        "escalate_emergency_after_hours",
        "escalate_other_after_hours",
    }
)


ALERT_THRESHOLD_FIELDS = frozenset(
    {
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
    clinic_admin_check(
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
    if fields.keys() >= ALERT_THRESHOLD_FIELDS:
        # Saved from the settings page, defaults kept or not: the first-run checklist's step.
        clinic.alert_thresholds_saved_at = timezone.now()
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


@transaction.atomic
def account_unlock(*, account: User, unlocked_by: User) -> int:
    """Let a locked-out colleague or patient of the admin's clinic sign in again at once, instead
    of after the cool-down: their failed sign-ins are forgotten. Returns how many records of
    failed attempts were cleared."""
    clinic_admin_check(
        unlocked_by, account.clinic_id, _("Only the clinic's admins can unlock accounts.")
    )
    cleared = axes_reset(username=account.email)
    # A patient's unlock goes on their record's trail too. Unlocking is a rare admin action, so
    # the one indexed lookup of the record by its account is worth it.
    patient = patient_of_account(account=account) if account.role == Role.PATIENT else None
    audit.record(
        action=AuditAction.ACCOUNT_UNLOCKED,
        clinic_id=account.clinic_id,
        patient_id=getattr(patient, "pk", None),
        actor=unlocked_by,
        summary=_("Sign-in unlocked for %(account)s.") % {"account": account_label(account)},
    )
    return cleared


@transaction.atomic
def first_run_library_reviewed(*, clinic: Clinic, reviewed_by: User) -> None:
    """An admin went to look through the library from the first-run checklist."""
    clinic_admin_check(
        reviewed_by, clinic.pk, _("Only the clinic's admins can tick off the clinic's checklist.")
    )
    Clinic.objects.filter(pk=clinic.pk, library_reviewed_at__isnull=True).update(
        library_reviewed_at=timezone.now()
    )


@transaction.atomic
def first_run_dismiss(*, user: User) -> None:
    """Hide the first-run checklist for `user` from now on; their colleagues still see theirs."""
    if not user.is_clinic_staff:
        raise ValidationError(_("Only clinic staff have a first-run checklist."))
    user.first_run_dismissed_at = timezone.now()
    User.objects.filter(pk=user.pk).update(first_run_dismissed_at=user.first_run_dismissed_at)


# Webhooks: the webhook app sits below clinics, so the audit rows of its changes are written
# here, in the same transaction as the change.


@transaction.atomic
def webhook_add(*, clinic: Clinic, added_by: User, **fields: Any) -> WebhookEndpoint:
    endpoint = webhook_services.endpoint_create(clinic_id=clinic.pk, created_by=added_by, **fields)
    # The host only: some receivers put a token in the path of their address.
    audit.record(
        action=AuditAction.WEBHOOK_ADDED,
        clinic=clinic,
        actor=added_by,
        summary=_("Webhook #%(pk)d to %(host)s.") % {"pk": endpoint.pk, "host": endpoint.host},
    )
    return endpoint


@transaction.atomic
def webhook_update(*, endpoint: WebhookEndpoint, updated_by: User, **fields: Any) -> list[str]:
    """Change a webhook; returns the names of the fields that changed."""
    endpoint, changed = webhook_services.endpoint_update(
        endpoint=endpoint, updated_by=updated_by, **fields
    )
    if changed:
        labels = ", ".join(
            str(WebhookEndpoint._meta.get_field(name).verbose_name) for name in changed
        )
        audit.record(
            action=AuditAction.WEBHOOK_CHANGED,
            clinic_id=endpoint.clinic_id,
            actor=updated_by,
            summary=_("Webhook #%(pk)d: %(fields)s changed.")
            % {"pk": endpoint.pk, "fields": labels},
        )
    return changed


@transaction.atomic
def webhook_secret_rotate(*, endpoint: WebhookEndpoint, rotated_by: User) -> WebhookEndpoint:
    endpoint = webhook_services.endpoint_secret_rotate(endpoint=endpoint, rotated_by=rotated_by)
    audit.record(
        action=AuditAction.WEBHOOK_CHANGED,
        clinic_id=endpoint.clinic_id,
        actor=rotated_by,
        summary=_("Webhook #%(pk)d: new signing secret.") % {"pk": endpoint.pk},
    )
    return endpoint


@transaction.atomic
def webhook_remove(*, endpoint: WebhookEndpoint, removed_by: User) -> None:
    audit.record(
        action=AuditAction.WEBHOOK_REMOVED,
        clinic_id=endpoint.clinic_id,
        actor=removed_by,
        summary=_("Webhook #%(pk)d to %(host)s.") % {"pk": endpoint.pk, "host": endpoint.host},
    )
    webhook_services.endpoint_remove(endpoint=endpoint, removed_by=removed_by)
