"""The clinic admin's pages: the staff list, inviting, deactivating and reactivating
colleagues, resetting their two-step sign-in, unlocking accounts, the clinic's settings and
the audit trail."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from clinics import services as clinic_services
from clinics.access import (
    clinic_account_for_admin,
    clinic_admin_required,
    staff_member_for_admin,
    staff_required,
)
from lib.web import flash_outcome, posted
from outbox import kinds
from outbox.services import message_resend
from webhooks import selectors as webhook_selectors
from webhooks import services as webhook_services
from webhooks.access import delivery_for_admin, endpoint_for_admin
from webhooks.forms import WebhookForm

from . import services
from .access import api_key_for_admin, outbox_message_for_admin
from .forms import (
    ApiKeyForm,
    AuditFilterForm,
    ClinicSettingsForm,
    StaffDeactivateForm,
    StaffInviteForm,
)
from .selectors import (
    OUTBOX_PAGE_SIZE,
    api_keys_for_clinic,
    audit_events_for_clinic,
    locked_out_accounts,
    outbox_for_clinic,
    reassignment_candidates,
    staff_for_clinic,
    staff_patient_counts,
)


@clinic_admin_required
@require_GET
def staff_list(request):
    clinic = request.user.clinic
    return render(
        request,
        "console/staff_list.html",
        {
            "members": staff_for_clinic(clinic=clinic),
            "locked_out": locked_out_accounts(clinic=clinic),
        },
    )


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def staff_invite(request):
    form = StaffInviteForm(posted(request))
    if form.is_valid():
        try:
            services.staff_invite(
                invited_by=request.user,
                base_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link works once, for 7 days.")
                % {"email": form.cleaned_data["email"].strip().lower()},
            )
            return redirect("console:staff-list")
    return render(request, "console/staff_invite.html", {"form": form})


@clinic_admin_required
@require_POST
def staff_invitation_resend(request, pk: int):
    member = staff_member_for_admin(user=request.user, pk=pk)
    flash_outcome(
        request,
        lambda: services.staff_invitation_resend(
            member=member, invited_by=request.user, base_url=request.build_absolute_uri("/")
        ),
        success=_("A new invitation was sent to %(email)s; the earlier one no longer works.")
        % {"email": member.email},
    )
    return redirect("console:staff-list")


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def staff_deactivate(request, pk: int):
    member = staff_member_for_admin(user=request.user, pk=pk)
    if not member.is_active:
        messages.info(request, _("%(name)s is already deactivated.") % {"name": member.full_name})
        return redirect("console:staff-list")
    counts = staff_patient_counts(member=member)
    form = StaffDeactivateForm(
        posted(request),
        candidates=reassignment_candidates(member=member),
        has_patients=counts.total > 0,
    )
    if form.is_valid():
        try:
            outcome = services.staff_deactivate(
                member=member,
                deactivated_by=request.user,
                reassign_to=form.cleaned_data.get("reassign_to"),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            text = _("%(name)s was deactivated and can no longer sign in.") % {
                "name": member.full_name
            }
            if outcome.patients_moved:
                text += " " + ngettext(
                    "%(count)d patient moved to %(to)s.",
                    "%(count)d patients moved to %(to)s.",
                    outcome.patients_moved,
                ) % {"count": outcome.patients_moved, "to": outcome.reassigned_to.full_name}
            messages.success(request, text)
            return redirect("console:staff-list")
    return render(
        request,
        "console/staff_deactivate.html",
        {"member": member, "counts": counts, "form": form},
    )


@clinic_admin_required
@require_POST
def staff_reactivate(request, pk: int):
    member = staff_member_for_admin(user=request.user, pk=pk)
    flash_outcome(
        request,
        lambda: services.staff_reactivate(member=member, reactivated_by=request.user),
        success=_("%(name)s can sign in again.") % {"name": member.full_name},
    )
    return redirect("console:staff-list")


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def clinic_settings(request):
    clinic = request.user.clinic
    form = ClinicSettingsForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        initial=ClinicSettingsForm.initial_for(clinic),
    )
    if form.is_valid():
        try:
            services.clinic_settings_update(
                clinic=clinic, updated_by=request.user, **form.changes()
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The clinic's settings were saved."))
            return redirect("console:clinic-settings")
    return render(request, "console/clinic_settings.html", {"form": form, "clinic": clinic})


@clinic_admin_required
@require_POST
def staff_two_factor_reset(request, pk: int):
    member = staff_member_for_admin(user=request.user, pk=pk)
    if member.is_clinic_admin:
        then = _("they are asked to set up a new authenticator app before anything else.")
    else:
        then = _("they can set up a new app under Two-step sign-in.")
    flash_outcome(
        request,
        lambda: clinic_services.two_factor_reset(member=member, reset_by=request.user),
        success=_(
            "Two-step sign-in for %(name)s was reset: their authenticator app and recovery "
            "codes no longer work, and they were signed out. They sign in with their "
            "password next time, and then %(then)s"
        )
        % {"name": member.full_name, "then": then},
    )
    return redirect("console:staff-list")


@clinic_admin_required
@require_POST
def account_unlock(request, pk: int):
    """Lift a sign-in lockout now instead of after the 15-minute cool-down."""
    account = clinic_account_for_admin(user=request.user, pk=pk)
    flash_outcome(
        request,
        lambda: services.account_unlock(account=account, unlocked_by=request.user),
        success=_("%(name)s (%(email)s) is unlocked and can sign in again now.")
        % {"name": account.full_name, "email": account.email},
    )
    return redirect("console:staff-list")


AUDIT_PAGE_SIZE = 50


@clinic_admin_required
@require_safe
def audit_trail(request):
    """The clinic's audit trail for its admins: who did what to which record, newest first."""
    clinic = request.user.clinic
    form = AuditFilterForm(request.GET or None, clinic=clinic)
    events = audit_events_for_clinic(clinic=clinic, **form.filters())
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "console/audit_trail.html", {"form": form, "page": page})


@clinic_admin_required
@require_safe
def outbox(request):
    """The clinic's emails: which went out, which wait for another try and which could not be
    sent, with a button to try those again."""
    page = Paginator(outbox_for_clinic(clinic=request.user.clinic), OUTBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for message in page:
        message.kind_label = kinds.label_of(message.kind)
    return render(request, "console/outbox.html", {"page": page})


@clinic_admin_required
@require_POST
def outbox_resend(request, pk: int):
    message = outbox_message_for_admin(user=request.user, pk=pk)
    flash_outcome(
        request,
        lambda: message_resend(message=message),
        success=_("The email to %(to)s will be tried again now.") % {"to": message.recipient},
    )
    return redirect("console:outbox")


@clinic_admin_required
@require_POST
def first_run_library(request):
    """The checklist's "look through the library" step: ticked on the way to the library."""
    services.first_run_library_reviewed(clinic=request.user.clinic, reviewed_by=request.user)
    return redirect("exercises:library")


@staff_required
@require_POST
def first_run_dismiss(request):
    services.first_run_dismiss(user=request.user)
    messages.info(
        request,
        _("The checklist is hidden. Everything on it stays where it was, in the menu above."),
    )
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("clinics:home")


# Webhooks: the clinic's other software told, by signed POSTs, what happens in Rehabit.


@clinic_admin_required
@require_safe
def webhook_list(request):
    endpoints = webhook_selectors.endpoints_for_clinic(clinic=request.user.clinic)
    return render(request, "console/webhook_list.html", {"endpoints": endpoints})


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def webhook_add(request):
    form = WebhookForm(posted(request))
    if form.is_valid():
        try:
            endpoint = services.webhook_add(
                clinic=request.user.clinic, added_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _(
                    "The webhook was added. Give its signing secret, below, to the system that "
                    "receives the events, then send a test event."
                ),
            )
            return redirect("console:webhook-detail", endpoint.pk)
    return render(request, "console/webhook_form.html", {"form": form, "endpoint": None})


@clinic_admin_required
@require_safe
def webhook_detail(request, pk: int):
    endpoint = endpoint_for_admin(user=request.user, pk=pk)
    page = Paginator(
        webhook_selectors.deliveries_for_endpoint(endpoint=endpoint),
        webhook_selectors.DELIVERY_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(request, "console/webhook_detail.html", {"endpoint": endpoint, "page": page})


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request, pk: int):
    endpoint = endpoint_for_admin(user=request.user, pk=pk)
    form = WebhookForm(posted(request), initial=WebhookForm.initial_for(endpoint))
    if form.is_valid():
        try:
            changed = services.webhook_update(
                endpoint=endpoint, updated_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if changed:
                messages.success(request, _("The webhook was saved."))
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("console:webhook-detail", endpoint.pk)
    return render(request, "console/webhook_form.html", {"form": form, "endpoint": endpoint})


@clinic_admin_required
@require_POST
def webhook_secret_rotate(request, pk: int):
    endpoint = endpoint_for_admin(user=request.user, pk=pk)
    flash_outcome(
        request,
        lambda: services.webhook_secret_rotate(endpoint=endpoint, rotated_by=request.user),
        success=_(
            "The webhook has a new signing secret, shown below. Events are signed with it from "
            "now on, so give it to the receiving system now: the old one no longer works."
        ),
    )
    return redirect("console:webhook-detail", endpoint.pk)


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def webhook_remove(request, pk: int):
    endpoint = endpoint_for_admin(user=request.user, pk=pk)
    if request.method == "POST":
        services.webhook_remove(endpoint=endpoint, removed_by=request.user)
        messages.success(
            request,
            _("The webhook to %(host)s was removed, with its delivery log.")
            % {"host": endpoint.host},
        )
        return redirect("console:webhook-list")
    return render(request, "console/webhook_remove.html", {"endpoint": endpoint})


@clinic_admin_required
@require_POST
def webhook_test(request, pk: int):
    endpoint = endpoint_for_admin(user=request.user, pk=pk)
    flash_outcome(
        request,
        lambda: webhook_services.endpoint_ping(endpoint=endpoint, sent_by=request.user),
        success=_(
            "A test event (ping) is on its way. Its delivery is at the top of the log below; "
            "reload the page to see how it went."
        ),
    )
    return redirect("console:webhook-detail", endpoint.pk)


@clinic_admin_required
@require_POST
def webhook_delivery_retry(request, pk: int, delivery_pk: int):
    delivery = delivery_for_admin(user=request.user, endpoint_pk=pk, pk=delivery_pk)
    flash_outcome(
        request,
        lambda: webhook_services.delivery_retry(delivery=delivery, retried_by=request.user),
        success=_("The delivery will be sent again now, with a new round of attempts."),
    )
    return redirect("console:webhook-detail", pk)


# API keys -------------------------------------------------------------------------------------


@clinic_admin_required
@require_http_methods(["GET", "POST"])
def api_keys(request):
    """The clinic's keys, and a form to make one. A new key's whole text is shown on the page
    that answers the form, once: it is kept nowhere but as a digest."""
    clinic = request.user.clinic
    form = ApiKeyForm(posted(request), clinic=clinic)
    new_key = None
    if form.is_valid():
        try:
            _key, new_key = clinic_services.api_key_create(
                clinic=clinic, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            form = ApiKeyForm(clinic=clinic)
    return render(
        request,
        "console/api_keys.html",
        {"form": form, "keys": api_keys_for_clinic(clinic=clinic), "new_key": new_key},
    )


@clinic_admin_required
@require_POST
def api_key_revoke(request, pk: int):
    key = api_key_for_admin(user=request.user, pk=pk)
    flash_outcome(
        request,
        lambda: clinic_services.api_key_revoke(key=key, revoked_by=request.user),
        success=_("The key %(name)s was revoked: calls with it are refused from now on.")
        % {"name": key.name},
    )
    return redirect("console:api-keys")
