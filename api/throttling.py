from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class KeyRateThrottle(SimpleRateThrottle):
    """A ceiling of calls per key (REHABIT_API_RATE, e.g. "600/minute"), counted in the
    cache: per server process with the default local-memory cache, across processes when
    CACHES points at a shared cache such as Redis."""

    scope = "api_key"

    def get_rate(self):
        return settings.REHABIT_API_RATE

    def get_cache_key(self, request, view):
        if request.auth is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
