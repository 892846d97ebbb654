from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services
from .unsubscribe import REMINDERS, unsubscribe_target


# Mail programs' one-click unsubscribe (RFC 8058) posts without a form of ours, so no CSRF token;
# the signed token in the address is what allows it, and turning emails off is all it can do.
@csrf_exempt
@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """Turn reminders or the digest off from the link in the email, without signing in. A GET
    only shows the button, so a mail scanner opening links turns nothing off."""
    target = unsubscribe_target(token)
    if target is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=404)
    what, pk = target
    done = request.method == "POST" and services.unsubscribe(what=what, pk=pk)
    return render(
        request,
        "notifications/unsubscribe.html",
        {"done": done, "is_reminders": what == REMINDERS},
    )
