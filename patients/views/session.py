"""The patient's session: today's routine in guided mode, and the log it produces."""

import uuid
from collections import Counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from clinics.access import patient_required
from lib.web import form_reasons, wants_json

from ..access import patient_for_self, plan_for_patient, session_for_patient
from ..cautions import SAFETY_RULE, plan_cautions
from ..forms.session import EntryFormSet, SessionForm
from ..selectors.progress import session_done_page
from ..selectors.records import session_for_token
from ..services import EntryInput, session_log_check_open, session_log_record
from .player import player_strings

PREFIX = "entries"


@patient_required
@never_cache
def session_log(request, plan_pk: int):
    """One session of a plan. Each start gets its own submission token in the address, so every
    session of the day can be started afresh from Today, while the Back button after saving
    returns to an address whose session is already stored and says so."""
    patient = patient_for_self(user=request.user)
    plan = plan_for_patient(patient=patient, pk=plan_pk)
    posted_token = _token_from(request.POST.get("client_token"))
    if request.method == "POST" and posted_token is not None:
        # Sent again (a phone resending what it kept offline, a double tap): the first stands,
        # even if the plan has ended since.
        saved = session_for_token(patient=patient, client_token=posted_token)
        if saved is not None and saved.plan_id == plan.pk:
            return _saved(request, saved)
    try:
        session_log_check_open(plan=plan)
    except ValidationError as error:
        if wants_json(request):
            return JsonResponse({"sent": False, "reasons": error.messages}, status=409)
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
                    return _saved(request, session)
        elif not _rows_are_the_plans(formset, items_by_id):
            # An exercise's row is missing or names another one, so the answers cannot be shown
            # again beside the plan's exercises: show them afresh.
            errors.append(_plan_changed_message())
            formset = _entry_formset(items)
        if wants_json(request):
            return JsonResponse(
                {"sent": False, "reasons": _reasons(errors, form, formset, items_by_id)},
                status=422,
            )
    else:
        token = _token_from(request.GET.get("token"))
        if token is None:
            return redirect(f"{request.path}?token={uuid.uuid4()}")
        saved = session_for_token(patient=patient, client_token=token)
        if saved is not None:
            # Back on the form after saving it (the Back button, a reload): say so rather
            # than offer the same session again as if it were new.
            return render(request, "patients/session_already_saved.html", {"session": saved})
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
    cautions = plan_cautions(items)
    return render(
        request,
        "patients/session_log.html",
        {
            "plan": plan,
            "form": form,
            "formset": formset,
            "rows": [(item, forms_by_item.get(item.pk), cautions.own(item)) for item in items],
            "shared_cautions": cautions.shared,
            "safety_rule": SAFETY_RULE,
            "errors": errors,
            "second_ms": settings.GUIDED_TIMER_SECOND_MS,
            "zone": patient.clinic.zone.key,
            "guided_strings": player_strings(),
        },
    )


@patient_required
def session_done(request, pk: int):
    patient = patient_for_self(user=request.user)
    session = session_for_patient(patient=patient, pk=pk)
    return render(
        request,
        "patients/session_done.html",
        {"done": session_done_page(patient=patient, session=session), "session": session},
    )


def _saved(request, session):
    done = reverse("patients:session-done", args=[session.pk])
    if wants_json(request):
        return JsonResponse({"sent": True, "url": done})
    return redirect(done)


def _reasons(errors, form, formset, items_by_id) -> list[str]:
    """Why a session was not saved, in sentences that stand without the page: each answer's
    problem names its exercise."""
    reasons = [*errors, *form_reasons(form), *formset.non_form_errors()]
    for entry in formset.forms:
        item = items_by_id.get(_as_int(entry["plan_item"].value()))
        name = item.exercise.name if item else _("An exercise")
        reasons.extend(f"{name}: {text}" for text in form_reasons(entry, labels=False))
    return [str(reason) for reason in reasons]


def _rows_are_the_plans(formset, items_by_id) -> bool:
    """Whether the rows sent are the plan's exercises, each once, as the page shows them."""
    posted = [_as_int(entry["plan_item"].value()) for entry in formset.forms]
    return Counter(posted) == Counter(items_by_id.keys())


def _plan_changed_message() -> str:
    return _(
        "Your therapist changed this plan while you were exercising. Check the exercises below "
        "and send it again."
    )


def _token_from(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value or ""))
    except ValueError:
        return None


def _entry_formset(items):
    return EntryFormSet(
        prefix=PREFIX,
        initial=[
            {
                "plan_item": item.pk,
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
