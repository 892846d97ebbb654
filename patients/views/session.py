"""The patient's session: today's routine in guided mode, and the log it produces."""

import uuid
from collections import Counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from clinics.access import patient_required

from ..access import patient_for_self, plan_for_patient, session_for_patient
from ..forms.session import EntryFormSet, SessionForm
from ..selectors import session_for_token
from ..services import EntryInput, session_log_check_open, session_log_record

PREFIX = "entries"


def guided_strings() -> dict:
    """The guided timer's words, translated here and handed to static/js/guided.js."""
    return {
        "back": _("Back"),
        "next": _("Next"),
        "step": _("Step {n} of {total}"),
        "ready": _("Ready when you are"),
        "start": _("Start {name}"),
        "repDone": _("Repetition done"),
        "stopHere": _("Stop here: partly done"),
        "skip": _("Skip this exercise"),
        "setOf": _("Set {n} of {total}"),
        "repOf": _("Repetition {n} of {total}"),
        "left": _("Left side"),
        "right": _("Right side"),
        "hold": _("Hold"),
        "holdFor": _("Hold for {seconds} seconds. {where}."),
        "rest": _("Rest"),
        "restFor": _("Rest for {seconds} seconds."),
        "doOne": _("Do one repetition"),
        "doRep": _("Do repetition {n}, then press Repetition done. {where}."),
        "done": _("{name}: done"),
        "doneSay": _("{name} done. Go on to the next step when you are ready."),
        "stopped": _("Stopped: marked as partly done"),
        "stoppedSay": _("Stopped. {name} is marked as partly done. Say why below."),
        "carryOn": _("Carry on"),
        "paused": _("Paused."),
        "pause": _("Pause"),
        "carryingOn": _("Carrying on."),
        "skipped": _("Skipped"),
        "skippedSay": _("{name} skipped. Say why below."),
        "saving": _("Saving…"),
    }


@patient_required
@never_cache
def session_log(request, plan_pk: int):
    patient = patient_for_self(user=request.user)
    plan = plan_for_patient(patient=patient, pk=plan_pk)
    try:
        session_log_check_open(plan=plan)
    except ValidationError:
        return render(request, "patients/session_unavailable.html", {"plan": plan}, status=409)
    items = list(plan.items.all())
    items_by_id = {item.pk: item for item in items}
    errors = []
    if request.method == "POST":
        form = SessionForm(request.POST, clinic=patient.clinic)
        formset = EntryFormSet(request.POST, prefix=PREFIX)
        if form.is_valid() and formset.is_valid():
            posted_ids = [entry.cleaned_data["plan_item"] for entry in formset.forms]
            if sorted(posted_ids) != sorted(items_by_id):
                errors.append(_plan_changed_message())
                formset = _entry_formset(items)
            else:
                try:
                    session = session_log_record(
                        patient=patient,
                        plan=plan,
                        performed_at=form.cleaned_data["performed_at"],
                        entries=[
                            _entry_input(entry.cleaned_data, items_by_id) for entry in formset.forms
                        ],
                        client_token=form.cleaned_data["client_token"],
                        recorded_by=request.user,
                        pain_before=form.cleaned_data["pain_before"],
                        pain_after=form.cleaned_data["pain_after"],
                        difficulty=form.cleaned_data["difficulty"],
                        note=form.cleaned_data["note"],
                    )
                except ValidationError as error:
                    errors.extend(error.messages)
                else:
                    return redirect("patients:session-done", pk=session.pk)
        elif not _rows_are_the_plans(formset, items_by_id):
            # An exercise's row is missing or names another one, so the answers cannot be shown
            # again beside the plan's exercises: show them afresh.
            errors.append(_plan_changed_message())
            formset = _entry_formset(items)
    else:
        token_key = f"session-token-{plan.pk}"
        token = _stored_token(request, token_key)
        if token is not None and "another" not in request.GET:
            saved = session_for_token(patient=patient, client_token=token)
            if saved is not None:
                # Back on the form after saving it (the Back button, a reload): say so rather
                # than offer the same session again as if it were new.
                return render(request, "patients/session_already_saved.html", {"session": saved})
        if token is None or "another" in request.GET:
            token = uuid.uuid4()
            request.session[token_key] = str(token)
        now = timezone.localtime(timezone.now(), patient.clinic.zone).replace(
            second=0, microsecond=0
        )
        form = SessionForm(
            initial={
                "client_token": token,
                "plan_version": plan.version,
                "performed_at": now.replace(tzinfo=None),
            },
            clinic=patient.clinic,
        )
        formset = _entry_formset(items)
    forms_by_item = {_as_int(entry["plan_item"].value()): entry for entry in formset.forms}
    return render(
        request,
        "patients/session_log.html",
        {
            "plan": plan,
            "form": form,
            "formset": formset,
            "rows": [(item, forms_by_item.get(item.pk)) for item in items],
            "errors": errors,
            "second_ms": settings.GUIDED_TIMER_SECOND_MS,
            "guided_strings": guided_strings(),
        },
    )


@patient_required
def session_done(request, pk: int):
    patient = patient_for_self(user=request.user)
    session = session_for_patient(patient=patient, pk=pk)
    return render(request, "patients/session_done.html", {"session": session})


def _rows_are_the_plans(formset, items_by_id) -> bool:
    """Whether the rows sent are the plan's exercises, each once, as the page shows them."""
    posted = [_as_int(entry["plan_item"].value()) for entry in formset.forms]
    return Counter(posted) == Counter(items_by_id.keys())


def _plan_changed_message() -> str:
    return _(
        "Your therapist changed this plan while you were exercising. Check the exercises below "
        "and send it again."
    )


def _stored_token(request, key) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.session.get(key, ""))
    except ValueError:
        return None


def _entry_formset(items):
    return EntryFormSet(
        prefix=PREFIX,
        initial=[
            {
                "plan_item": item.pk,
                "status": "completed",
                "sets_done": item.sets,
                "repetitions_done": item.repetitions,
                "hold_seconds_done": item.hold_seconds,
            }
            for item in items
        ],
    )


def _entry_input(cleaned: dict, items_by_id: dict) -> EntryInput:
    return EntryInput(
        plan_item=items_by_id[cleaned["plan_item"]],
        status=cleaned["status"],
        sets_done=cleaned["sets_done"],
        repetitions_done=cleaned["repetitions_done"],
        hold_seconds_done=cleaned["hold_seconds_done"],
        skip_reason=cleaned["skip_reason"] or "",
    )


def _as_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
