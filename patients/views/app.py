"""Rehabit on the patient's phone: the web app manifest that lets the browser install it, the
service worker that keeps Today, the player and the pain report working without a network,
the page that shows what waits on the phone to be sent, and the small answer the worker asks
for before it sends."""

import hashlib
import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clinics.access import patient_required

from ..access import patient_for_self
from ..offline import SERVICE_WORKER_SCOPE, device_key, kept_for_seconds
from ..red_flags import RED_FLAGS, Severity

BRAND_COLOUR = "#0b6e4f"
# What the worker fetches when it is installed, so the pages it keeps can draw themselves
# without the network.
KEPT_STATIC = (
    "vendor/bootstrap/bootstrap.min.css",
    "css/rehabit.css",
    "vendor/bootstrap/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "img/favicon.svg",
    "img/icon-192.png",
    "js/app.js",
    "js/offline.js",
    "js/store.js",
    "js/guided.js",
    "js/dose.js",
    "js/session.js",
    "js/cues.js",
    "js/device.js",
    "js/placeholders.js",
)


@login_not_required
@require_GET
def manifest(request):
    today = reverse("patients:today")
    icon = static("img/favicon.svg")
    return JsonResponse(
        {
            "id": today,
            "name": _("Rehabit — your exercises"),
            "short_name": "Rehabit",
            "description": _("Your home exercise program: today's routine, timer and pain diary."),
            "lang": get_language(),
            "start_url": today,
            "scope": SERVICE_WORKER_SCOPE,
            "display": "standalone",
            "orientation": "any",
            "theme_color": BRAND_COLOUR,
            "background_color": "#ffffff",
            "icons": [
                {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
                {
                    "src": static("img/icon-maskable-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
                {"src": icon, "sizes": "any", "type": "image/svg+xml"},
            ],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


@login_not_required
@require_GET
def service_worker(request):
    """The worker, served from the site root so it may take the patient's pages as its scope.
    Its bytes name every file it keeps (static names change with their content), so a new
    release is a new worker and the browser replaces the old one and its caches."""
    config = {
        "scope": SERVICE_WORKER_SCOPE,
        "today": reverse("patients:today"),
        "painReport": reverse("patients:pain-report"),
        "offline": reverse("patients:offline"),
        "sync": reverse("patients:offline-sync"),
        "signIn": reverse("clinics:login"),
        "keptFor": kept_for_seconds() * 1000,
        "staticPrefix": settings.STATIC_URL,
        "static": [static(path) for path in KEPT_STATIC],
        "icon": static("img/icon-192.png"),
    }
    body = render_to_string(
        "patients/app/sw.js", {"config_json": json.dumps(config), "version": "{version}"}
    )
    version = hashlib.sha256(body.encode()).hexdigest()[:16]
    response = HttpResponse(
        body.replace("{version}", version), content_type="text/javascript; charset=utf-8"
    )
    # Browsers look for a new worker at most a day apart whatever the headers say; no-cache
    # makes every check ask the server.
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = SERVICE_WORKER_SCOPE
    return response


@patient_required
def offline(request):
    """What waits on this phone to be sent, and what was sent. The worker keeps this page and
    shows it without the network: the list is read from the phone, and the advice for a
    warning sign ticked without a network is in the page, ready to show at once."""
    patient = patient_for_self(user=request.user)
    return render(
        request,
        "patients/app/offline.html",
        {
            "patient": patient,
            "emergency_flags": [f for f in RED_FLAGS if f.severity == Severity.EMERGENCY],
            "urgent_flags": [f for f in RED_FLAGS if f.severity == Severity.URGENT],
        },
    )


@patient_required
@never_cache
@require_GET
def offline_sync(request):
    """Asked by the worker before it sends what waited on the phone: whether this patient is
    still signed in here, and a fresh form token (one made before a new sign-in would be
    refused)."""
    return JsonResponse({"csrf": get_token(request), "device": device_key(request.user)})
