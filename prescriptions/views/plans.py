from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clinics import audit
from clinics.access import staff_required
from clinics.languages import language_for, language_name
from clinics.models import AuditAction
from lib.web import flash_errors, flash_outcome

from .. import builder
from ..access import plan_for_staff
from ..forms import PlanForm, SaveAsTemplateForm
from ..handouts import patient_handover
from ..models import PlanStatus
from ..selectors import plan_page
from ..services import plan_revise, plan_status_change, template_create_from_plan
from ..warnings import plan_warnings

STATUS_ACTIONS = {
    "pause": (
        PlanStatus.PAUSED,
        gettext_lazy("Plan paused. Its days are not counted until you resume it."),
    ),
    "resume": (PlanStatus.ACTIVE, gettext_lazy("Plan resumed.")),
    "complete": (PlanStatus.COMPLETED, gettext_lazy("Plan marked as completed.")),
    "discontinue": (PlanStatus.DISCONTINUED, gettext_lazy("Plan discontinued.")),
}


# The builder sends the therapist to the plan's page with this marker after a save, and the page
# then puts the next step (invite the patient, print the handout) first.
JUST_SAVED_PARAMETER = "saved"


def plan_detail_after_save(plan) -> str:
    return f"{reverse('prescriptions:plan-detail', args=[plan.pk])}?{JUST_SAVED_PARAMETER}=1"


@staff_required
def plan_detail(request, pk: int):
    plan = plan_page(plan=plan_for_staff(user=request.user, pk=pk))
    items = list(plan.items.all())
    audit.record(
        action=AuditAction.PLAN_VIEWED,
        patient=plan.patient,
        summary=_("Plan #%(plan)d.") % {"plan": plan.pk},
    )
    handover = patient_handover(patient=plan.patient)
    # The handout is printed for the patient, so in their language by default.
    handout_language = language_for(plan.patient, clinic=request.user.clinic)
    return render(
        request,
        "prescriptions/plan_detail.html",
        {
            "plan": plan,
            "items": items,
            "warnings": plan_warnings(items=items, weekdays=plan.weekdays),
            "template_form": SaveAsTemplateForm(initial={"name": plan.title}),
            "handover": handover,
            "handout_language": handout_language,
            "handout_language_name": language_name(handout_language),
            "just_saved": request.GET.get(JUST_SAVED_PARAMETER) == "1"
            and plan.status in (PlanStatus.ACTIVE, PlanStatus.PAUSED),
        },
    )


@staff_required
def plan_edit(request, pk: int):
    plan = plan_page(plan=plan_for_staff(user=request.user, pk=pk))
    if plan.status not in (PlanStatus.ACTIVE, PlanStatus.PAUSED):
        messages.error(request, _("A finished plan cannot be changed; start a new plan instead."))
        return redirect("prescriptions:plan-detail", pk=plan.pk)
    result = builder.build(
        request,
        clinic=request.user.clinic,
        start=builder.Start.editing(
            PlanForm.initial_for(plan), plan.items.all(), keep_item_ids=True
        ),
        save=lambda form, items: plan_revise(
            plan=plan,
            changed_by=request.user,
            expected_version=form.cleaned_data["version"],
            items=items,
            **form.plan_fields(),
        ),
    )
    if not isinstance(result, builder.Builder):
        if result.version == plan.version:
            messages.info(request, _("Nothing changed, so no new revision was made."))
        else:
            messages.success(request, _("Plan saved as revision %(n)d.") % {"n": result.version})
            return redirect(plan_detail_after_save(plan))
        return redirect("prescriptions:plan-detail", pk=plan.pk)
    context = {"builder": result, "patient": plan.patient, "plan": plan}
    if partial := builder.partial_name(request, result):
        return render(request, f"{builder.PAGE}#{partial}", context)
    audit.record(
        action=AuditAction.PLAN_BUILDER_VIEWED,
        patient=plan.patient,
        summary=_("Plan #%(plan)d.") % {"plan": plan.pk},
    )
    return render(request, builder.PAGE, context)


@staff_required
def exercise_search(request):
    """The catalog by name, body region and kind, as a fragment. The builder itself browses by
    posting its form (so its add buttons know which plan they add to); this answers a plain GET."""
    found = builder.catalog_from(request.GET, clinic=request.user.clinic)
    return render(
        request,
        f"{builder.PAGE}#catalog-results",
        {"catalog": found, "results": list(found.results), "query": found.query},
    )


@staff_required
@require_POST
def plan_status(request, pk: int):
    plan = plan_for_staff(user=request.user, pk=pk)
    action = STATUS_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        return HttpResponseBadRequest(_("Unknown action."))
    status, done_message = action
    flash_outcome(
        request,
        lambda: plan_status_change(
            plan=plan,
            status=status,
            changed_by=request.user,
            expected_version=_int_or_none(request.POST.get("version")),
        ),
        success=done_message,
    )
    return redirect("prescriptions:plan-detail", pk=plan.pk)


@staff_required
@require_POST
def plan_save_as_template(request, pk: int):
    plan = plan_for_staff(user=request.user, pk=pk)
    form = SaveAsTemplateForm(request.POST)
    if form.is_valid():
        name = form.cleaned_data["name"]
        flash_outcome(
            request,
            lambda: template_create_from_plan(plan=plan, name=name, created_by=request.user),
            success=_("Saved as the clinic template “%(name)s”.") % {"name": name},
        )
    else:
        flash_errors(request, ValidationError(form.errors.as_data()))
    return redirect("prescriptions:plan-detail", pk=plan.pk)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
