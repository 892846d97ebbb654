"""The clinic's plan templates: its admins list, create, edit, archive and restore them;
therapists see the list and each template (read-only) and start plans from them in the builder."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinics.access import clinic_admin_required, staff_required
from lib.web import flash_outcome

from .. import builder, services
from ..access import template_for_admin, template_to_view
from ..forms import TemplateForm
from ..models import PlanTemplate
from ..selectors import template_list_page
from ..warnings import plan_warnings


@staff_required
def template_list(request):
    return render(
        request,
        "prescriptions/template_list.html",
        {"templates": template_list_page(user=request.user)},
    )


@staff_required
def template_detail(request, pk: int):
    template = template_to_view(user=request.user, pk=pk)
    items = list(template.items.all())
    return render(
        request,
        "prescriptions/template_detail.html",
        {
            "plan_template": template,
            "items": items,
            "warnings": plan_warnings(items=items, weekdays=template.weekdays),
            "can_change": request.user.is_clinic_admin and template.clinic_id is not None,
        },
    )


@clinic_admin_required
def template_add(request):
    return _template_builder(
        request,
        template=None,
        save=lambda form, items: services.template_create(
            clinic=request.user.clinic, created_by=request.user, items=items, **form.cleaned_data
        ),
        saved_message=_("Template “%(name)s” saved."),
    )


@clinic_admin_required
def template_edit(request, pk: int):
    template = template_for_admin(user=request.user, pk=pk)
    return _template_builder(
        request,
        template=template,
        save=lambda form, items: services.template_update(
            template=template, changed_by=request.user, items=items, **form.cleaned_data
        ),
        saved_message=_("Template “%(name)s” saved. Plans already started from it are unchanged."),
    )


def _template_builder(request, *, template: PlanTemplate | None, save, saved_message: str):
    """The template editor: the plan builder with the template's own fields."""
    result = builder.build(
        request,
        clinic=request.user.clinic,
        start=builder.Start.editing(
            TemplateForm.initial_for(template),
            template.items.all() if template else [],
            keep_item_ids=False,
        ),
        save=save,
        form_class=TemplateForm,
        empty_message=_("Add at least one exercise to the template."),
    )
    if not isinstance(result, builder.Builder):
        messages.success(request, saved_message % {"name": result.name})
        return redirect("prescriptions:template-detail", pk=result.pk)
    context = {"builder": result, "plan_template": template}
    if partial := builder.partial_name(request, result):
        return render(request, f"{builder.PAGE}#{partial}", context)
    return render(request, "prescriptions/template_form.html", context)


@clinic_admin_required
@require_POST
def template_archive(request, pk: int):
    template = template_for_admin(user=request.user, pk=pk)
    archived = flash_outcome(
        request,
        lambda: services.template_archive(template=template, archived_by=request.user),
        success=_(
            "“%(name)s” is archived: it is no longer offered when starting a plan. Plans "
            "already started from it are unchanged."
        )
        % {"name": template.name},
    )
    if archived is None:
        return redirect("prescriptions:template-detail", pk=template.pk)
    return redirect("prescriptions:template-list")


@clinic_admin_required
@require_POST
def template_restore(request, pk: int):
    template = template_for_admin(user=request.user, pk=pk)
    flash_outcome(
        request,
        lambda: services.template_restore(template=template, restored_by=request.user),
        success=_("“%(name)s” is offered again when starting a plan.") % {"name": template.name},
    )
    return redirect("prescriptions:template-detail", pk=template.pk)
