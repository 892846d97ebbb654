from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe


@login_not_required
@require_safe
def docs(request):
    """The API's reference, drawn in the browser from the OpenAPI schema by Swagger UI (served
    from our own static files; the page's script is a file too, as the CSP wants)."""
    return render(request, "api/docs.html")


@login_not_required
@csrf_exempt
def not_found(request, rest: str = ""):
    """Any other address under /api/: a problem detail, as the API's own refusals are, rather
    than the site's HTML page."""
    return JsonResponse(
        {
            "type": "about:blank",
            "title": "Not found",
            "status": 404,
            "detail": "No such address in the API; the reference is at /api/docs/.",
            "instance": request.get_full_path(),
        },
        status=404,
        content_type="application/problem+json",
    )
