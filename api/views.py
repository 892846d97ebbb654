from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_safe


@login_not_required
@require_safe
def docs(request):
    """The API's reference, drawn in the browser from the OpenAPI schema by Swagger UI (served
    from our own static files; the page's script is a file too, as the CSP wants)."""
    return render(request, "api/docs.html")
