from django.shortcuts import render

from .services import QueueUnavailable


class QueueUnavailableMiddleware:
    """A request whose change needs the task queue, while the queue does not answer, ends on a
    page that says nothing was saved and to try again; its transaction has rolled back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, QueueUnavailable):
            return render(request, "503.html", status=503)
        return None
