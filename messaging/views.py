"""The conversation between a patient and their care team: the patient's own page, and the
staff's page for one patient. Both show the latest messages, newest at the bottom beside the
form, and work as a plain form post."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from clinics import audit
from clinics.access import patient_required, staff_required
from clinics.models import AuditAction
from lib.web import posted
from patients.access import patient_for_self, patient_for_staff
from patients.models import Patient, PatientStatus

from . import services
from .access import own_message_in_conversation
from .forms import MessageForm
from .selectors import conversation_page


def _message_id(value) -> int | None:
    return int(value) if value and str(value).isdigit() and len(str(value)) < 19 else None


def _conversation(request, *, patient: Patient, here: str, template: str):
    correcting = None
    correct_id = _message_id(request.GET.get("correct"))
    if request.method == "GET" and correct_id is not None:
        correcting = own_message_in_conversation(
            patient=patient, author=request.user, pk=correct_id
        )
    form = MessageForm(
        posted(request),
        patient=patient,
        author=request.user,
        initial={"corrects": correcting},
    )
    if form.is_valid():
        correcting = form.cleaned_data["corrects"]
        try:
            message = services.message_send(
                patient=patient,
                author=request.user,
                body=form.cleaned_data["body"],
                corrects=correcting,
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return redirect(f"{here}#message-{message.pk}")
    conversation = conversation_page(
        patient=patient, reader=request.user, before=_message_id(request.GET.get("before"))
    )
    newest = conversation.newest
    if conversation.is_latest and newest is not None and newest.pk > conversation.last_read_id:
        # Opening the conversation is reading it. Like the audit row of a view, the mark
        # records that the person has seen it and changes nothing the conversation holds.
        services.conversation_mark_read(patient=patient, reader=request.user, up_to=newest)
    audit.record(action=AuditAction.MESSAGES_VIEWED, patient=patient)
    return render(
        request,
        template,
        {
            "patient": patient,
            "conversation": conversation,
            "form": form,
            "correcting": correcting,
            "is_open": patient.status != PatientStatus.DISCHARGED,
            "here": here,
        },
    )


@patient_required
@require_http_methods(["GET", "POST"])
def own_messages(request):
    """The signed-in patient's conversation with their care team, and only theirs."""
    patient = patient_for_self(user=request.user)
    return _conversation(
        request,
        patient=patient,
        here=reverse("messaging:own-messages"),
        template="messaging/own_messages.html",
    )


@staff_required
@require_http_methods(["GET", "POST"])
def patient_messages(request, pk: int):
    """One patient's conversation with the clinic's staff, for any staff member of the clinic."""
    patient = patient_for_staff(user=request.user, pk=pk)
    return _conversation(
        request,
        patient=patient,
        here=reverse("messaging:patient-messages", args=[patient.pk]),
        template="messaging/patient_messages.html",
    )
