"""Response headers every page gets, whoever asks."""

from django.utils.cache import add_never_cache_headers


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
