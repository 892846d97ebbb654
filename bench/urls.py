"""The app's URLs plus a bare view: the reference the benchmark times the pages against. It
sits behind the same middleware (session, sign-in, clinic time zone, CSP …) and does nothing
else, so a page's time over it is the page's own work. Only `bench.settings` uses this module;
the app's URLs never include it."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("", include("config.urls")),
]
