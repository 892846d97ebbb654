"""The emails clinics sends through the outbox: invitations, sign-in links and unlock links.
Each is written when the worker sends it, so the one-time link in it is made then and never
stored."""

from django.utils.translation import gettext_lazy as _

from outbox.kinds import Email, email_from_templates
from outbox.models import OutboxMessage

from .models import AccessPurpose, User

INVITATION_SUBJECT = _("%(name)s invited you to Rehabit")
SIGN_IN_LINK_SUBJECT = _("Your Rehabit sign-in link")
UNLOCK_LINK_SUBJECT = _("Unlock signing in to Rehabit")


def invitation(message: OutboxMessage) -> Email:
    from .services import ACCESS_LINK_LIFETIME, access_link_issue, access_link_url

    user = User.objects.select_related("clinic").get(pk=message.context["user_id"])
    invited_by = User.objects.get(pk=message.context["invited_by_id"])
    token = access_link_issue(user=user, purpose=AccessPurpose.INVITATION, created_by=invited_by)
    return email_from_templates(
        "clinics/email/invitation",
        subject=INVITATION_SUBJECT % {"name": invited_by.full_name},
        context={
            "user": user,
            "invited_by": invited_by,
            "clinic": user.clinic,
            "link": access_link_url(
                token=token, purpose=AccessPurpose.INVITATION, base_url=message.context["base_url"]
            ),
            "days": ACCESS_LINK_LIFETIME[AccessPurpose.INVITATION].days,
        },
    )


def _emailed_link(message: OutboxMessage, *, purpose: str, template: str, subject) -> Email:
    from .services import ACCESS_LINK_LIFETIME, access_link_issue, access_link_url

    user = User.objects.select_related("clinic").get(pk=message.context["user_id"])
    token = access_link_issue(user=user, purpose=purpose)
    return email_from_templates(
        template,
        subject=subject,
        context={
            "user": user,
            "clinic": user.clinic,
            "link": access_link_url(
                token=token, purpose=purpose, base_url=message.context["base_url"]
            ),
            "minutes": int(ACCESS_LINK_LIFETIME[purpose].total_seconds() // 60),
        },
    )


def sign_in_link(message: OutboxMessage) -> Email:
    return _emailed_link(
        message,
        purpose=AccessPurpose.SIGN_IN,
        template="clinics/email/sign_in_link",
        subject=SIGN_IN_LINK_SUBJECT,
    )


def unlock_link(message: OutboxMessage) -> Email:
    return _emailed_link(
        message,
        purpose=AccessPurpose.UNLOCK,
        template="clinics/email/unlock_link",
        subject=UNLOCK_LINK_SUBJECT,
    )
