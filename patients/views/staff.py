"""The staff's pages about a patient's record: adding and editing it, discharging and
reactivating, inviting the patient, and starting a plan in the builder."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clinics import audit
from clinics.access import staff_required
from clinics.models import AuditAction
from lib.web import flash_errors, flash_outcome, posted
from prescriptions import builder
from prescriptions.access import plan_for_staff, template_for_staff
from prescriptions.forms import PlanForm
from prescriptions.selectors import templates_for_clinic
from prescriptions.services import plan_create as plan_create_service
from prescriptions.views.handouts import handout_language, handout_response
from prescriptions.views.plans import plan_detail_after_save

from .. import services
from ..access import patient_for_staff
from ..forms.staff import NewPatientForm, PatientForm


@staff_required
def patient_add(request):
    """Add a patient. When the details match records the clinic already has, nothing is saved:
    the page names those records, to open or reactivate, and asks for a reason to add a new
    one anyway."""
    asking_reason = request.method == "POST" and "duplicate_reason" in request.POST
    form = NewPatientForm(posted(request), user=request.user, asking_reason=asking_reason)
    matches = []
    if form.is_valid():
        try:
            patient = services.patient_create(
                clinic=request.user.clinic,
                duplicate_reason=form.cleaned_data.get("duplicate_reason", ""),
                **form.details(),
            )
        except services.PatientMatchesFound as found:
            matches = found.matches
            if asking_reason:
                form.add_error(
                    "duplicate_reason",
                    _("Say why this is a different person, or open the record above."),
                )
            else:
                form = NewPatientForm(request.POST, user=request.user, asking_reason=True)
                form.is_valid()
            audit.record_listed(patients=matches, summary=_("Shown as a possible duplicate."))
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": patient.full_name})
            return redirect("insights:patient-detail", pk=patient.pk)
    return render(request, "patients/patient_form.html", {"form": form, "matches": matches})


@staff_required
def patient_edit(request, pk: int):
    patient = patient_for_staff(user=request.user, pk=pk)
    form = PatientForm(
        posted(request),
        user=request.user,
        current_therapist=patient.primary_therapist,
        initial=PatientForm.initial_for(patient),
    )
    if form.is_valid():
        try:
            patient = services.patient_update(
                patient=patient, updated_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request, _("%(name)s's details were saved.") % {"name": patient.full_name}
            )
            return redirect("insights:patient-detail", pk=patient.pk)
    audit.record(action=AuditAction.PATIENT_FORM_VIEWED, patient=patient)
    return render(request, "patients/patient_form.html", {"form": form, "patient": patient})


@staff_required
@require_POST
def patient_discharge(request, pk: int):
    patient = patient_for_staff(user=request.user, pk=pk)
    flash_outcome(
        request,
        lambda: services.patient_discharge(patient=patient, discharged_by=request.user),
        success=_("%(name)s was discharged; their running plans are now completed.")
        % {"name": patient.full_name},
    )
    return redirect("insights:patient-detail", pk=patient.pk)


@staff_required
@require_POST
def patient_reactivate(request, pk: int):
    patient = patient_for_staff(user=request.user, pk=pk)
    flash_outcome(
        request,
        lambda: services.patient_reactivate(patient=patient, reactivated_by=request.user),
        success=_("%(name)s is an active patient again.") % {"name": patient.full_name},
    )
    return redirect("insights:patient-detail", pk=patient.pk)


@staff_required
def plan_create(request, pk: int):
    """The plan builder for a new plan, optionally started from a template (?template=id)."""
    patient = patient_for_staff(user=request.user, pk=pk)
    clinic = request.user.clinic
    template_id = request.GET.get("template") or request.POST.get("template")
    template = None
    if template_id and str(template_id).isdigit():
        template = template_for_staff(user=request.user, pk=int(template_id))
    result = builder.build(
        request,
        clinic=clinic,
        start=builder.Start(
            initial=PlanForm.initial_new(start_date=clinic.today(), template=template),
            rows=builder.rows_from_items(template.items.all() if template else [], keep_ids=False),
        ),
        save=lambda form, items: plan_create_service(
            patient=patient,
            prescribed_by=request.user,
            template=template,
            items=items,
            **form.plan_fields(),
        ),
    )
    if not isinstance(result, builder.Builder):
        messages.success(
            request,
            _("“%(title)s” is now %(name)s's plan.")
            % {"title": result.title, "name": patient.first_name},
        )
        return redirect(plan_detail_after_save(result))
    if partial := builder.partial_name(request, result):
        return render(request, f"{builder.PAGE}#{partial}", {"builder": result})
    audit.record(action=AuditAction.PLAN_BUILDER_VIEWED, patient=patient, summary=_("A new plan."))
    return render(
        request,
        builder.PAGE,
        {
            "builder": result,
            "patient": patient,
            "templates": templates_for_clinic(clinic=clinic),
            "template": template,
        },
    )


@staff_required
@require_POST
def patient_invite(request, pk: int):
    patient = patient_for_staff(user=request.user, pk=pk)
    # Sent from one of the patient's plans, the answer is shown on that plan's page.
    plan_pk = request.POST.get("plan", "")
    plan = plan_for_staff(user=request.user, pk=int(plan_pk)) if plan_pk.isdigit() else None
    flash_outcome(
        request,
        lambda: services.patient_invite(
            patient=patient, invited_by=request.user, base_url=request.build_absolute_uri("/")
        ),
        success=_(
            "Invitation sent to %(email)s. The link works once, for 7 days; any earlier "
            "invitation no longer works."
        )
        % {"email": patient.email},
    )
    if plan is not None and plan.patient_id == patient.pk:
        return redirect("prescriptions:plan-detail", pk=plan.pk)
    return redirect("insights:patient-detail", pk=patient.pk)


@never_cache
@staff_required
@require_POST
def plan_handout_with_code(request, pk: int, plan_pk: int):
    """The plan's handout with a new invitation printed on it (a short address and its QR
    code), which replaces any earlier one. A POST: the code exists only on this answer."""
    patient = patient_for_staff(user=request.user, pk=pk)
    plan = plan_for_staff(user=request.user, pk=plan_pk)
    if plan.patient_id != patient.pk:
        raise Http404
    try:
        code = services.patient_invitation_code_issue(patient=patient, invited_by=request.user)
    except ValidationError as error:
        flash_errors(request, error)
        return redirect("prescriptions:plan-detail", pk=plan.pk)
    return handout_response(
        request,
        plan,
        as_pdf=request.POST.get("format") == "pdf",
        invitation_code=code,
        language=handout_language(request),
    )
