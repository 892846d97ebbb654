"""Response headers every page gets, whoever asks."""

from urllib.parse import urlsplit

from django.conf import settings
from django.shortcuts import resolve_url
from django.utils.cache import add_never_cache_headers
from django_htmx.http import HttpResponseClientRedirect


class PrivateResponsesMiddleware:
    """Nothing shown to a signed-in person is kept by the browser or anything between: after
    signing out on a shared clinic computer, Back must not bring a patient's page up again.
    Static files never get here (WhiteNoise answers them first) and keep their long cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # max-age=0, no-cache, no-store, must-revalidate, private
            add_never_cache_headers(response)
        return response


class CrossOriginResourcePolicyMiddleware:
    """`Cross-Origin-Resource-Policy: same-origin` on every response, static files included
    (so it sits above WhiteNoise): no other site may embed Rehabit's pages, pictures or data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


class HtmxSignInRedirectMiddleware:
    """A piece of a page that htmx asks for, answered with "sign in first" (the session ended,
    timed out or needs the second step), turns into a whole-page visit to the sign-in page
    (`HX-Redirect`): otherwise htmx would follow the redirect itself and put the sign-in form
    inside the caseload's results or the builder's preview. Sits above the middleware that
    sends people to sign in, so it sees their redirects."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.headers.get("HX-Request") == "true"
            and response.status_code in (301, 302, 303, 307, 308)
            and urlsplit(response.get("Location", "")).path == urlsplit(signed_out_url()).path
        ):
            return HttpResponseClientRedirect(response["Location"])
        return response


def signed_out_url() -> str:
    return resolve_url(settings.LOGIN_URL)
