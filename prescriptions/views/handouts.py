"""The printable plan handout: one template, shown in the browser and rendered to PDF.

The plain handout carries no invitation: making one is a write, and only the hashes of
invitations are kept, so a code can be printed only when it is made. "Print with a sign-up
code" (patients.views.staff.plan_handout_with_code, a POST) makes one and answers with the
handout carrying it, through `handout_response` here."""

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from clinics import audit
from clinics.access import staff_required
from clinics.languages import LANGUAGE_CODES
from clinics.models import AuditAction
from exercises.pictures import credits_to_show

from ..access import plan_for_staff
from ..handouts import (
    HandoverState,
    handout_filename,
    handout_invitation,
    patient_handover,
    render_pdf,
)
from ..models import Plan
from ..selectors import plan_for_handout

TEMPLATE = "prescriptions/plan_handout.html"


def _context(request, plan: Plan, *, for_pdf: bool, invitation_code: str | None) -> dict:
    base_url = request.build_absolute_uri("/")
    handover = patient_handover(patient=plan.patient)
    return {
        "plan": plan,
        "for_pdf": for_pdf,
        "credits": credits_to_show(item.exercise for item in plan.items.all()),
        "handover": handover,
        "invitation": (
            handout_invitation(code=invitation_code, base_url=base_url) if invitation_code else None
        ),
        "sign_in_url": request.build_absolute_uri(reverse("clinics:login")),
        "can_print_code": handover.state
        in (HandoverState.NOT_INVITED, HandoverState.INVITED, HandoverState.INVITATION_ENDED),
    }


def _audit(action: str, *, plan: Plan) -> None:
    audit.record(
        action=action, patient=plan.patient, summary=_("Plan #%(plan)d.") % {"plan": plan.pk}
    )


def handout_language(request) -> str | None:
    """The language asked for in `?language=` (the plan page asks for the patient's), or None
    for the page's own."""
    language = request.GET.get("language") or request.POST.get("language")
    return language if language in LANGUAGE_CODES else None


def handout_response(
    request,
    plan: Plan,
    *,
    as_pdf: bool,
    invitation_code: str | None = None,
    language: str | None = None,
):
    """The handout as a page or a PDF download, with the invitation `invitation_code` printed
    on it when one was just made, in `language` (the patient's, from the plan page) or else
    the reader's own."""
    with translation.override(language or translation.get_language()):
        return _handout_response(request, plan, as_pdf=as_pdf, invitation_code=invitation_code)


def _handout_response(request, plan: Plan, *, as_pdf: bool, invitation_code: str | None):
    plan = plan_for_handout(plan=plan)
    if not as_pdf:
        _audit(AuditAction.HANDOUT_VIEWED, plan=plan)
        context = _context(request, plan, for_pdf=False, invitation_code=invitation_code)
        return render(request, TEMPLATE, context)
    context = _context(request, plan, for_pdf=True, invitation_code=invitation_code)
    html = render_to_string(TEMPLATE, context, request=request)
    pdf = render_pdf(html, base_url=request.build_absolute_uri("/"))
    _audit(AuditAction.HANDOUT_DOWNLOADED, plan=plan)
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=handout_filename(plan)
            )
        },
    )


@never_cache
@staff_required
def plan_handout(request, pk: int):
    plan = plan_for_staff(user=request.user, pk=pk)
    return handout_response(request, plan, as_pdf=False, language=handout_language(request))


@never_cache
@staff_required
def plan_handout_pdf(request, pk: int):
    plan = plan_for_staff(user=request.user, pk=pk)
    return handout_response(request, plan, as_pdf=True, language=handout_language(request))
