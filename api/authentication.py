"""Who is calling: a clinic's API key, sent as `Authorization: Bearer rhk_…`.

A key acts as the staff member chosen when it was made; the request then carries that person
as `request.user` (so services check their rights and the clinic's rules as for the pages) and
the key as `request.auth`. The Django request underneath gets both too, so the audit trail,
which reads the request being served, names the key beside the person."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from clinics.services import api_key_authenticate


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, raw = header.partition(" ")
        if scheme != self.keyword or not raw.strip():
            raise exceptions.AuthenticationFailed(
                "Send the key as 'Authorization: Bearer rhk_…'.", code="malformed_key"
            )
        key = api_key_authenticate(raw.strip())
        if key is None:
            raise exceptions.AuthenticationFailed(
                "This key is not valid: it is unknown, revoked, or its staff member can no "
                "longer act for the clinic.",
                code="invalid_key",
            )
        django_request = request._request
        django_request.user = key.acts_as
        django_request.api_key = key
        return key.acts_as, key

    def authenticate_header(self, request):
        # Makes a refused call answer 401 (with this challenge) rather than 403.
        return f'{self.keyword} realm="rehabit"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A clinic's API key (rhk_…), made by a clinic admin under "
            "Settings → Connected software → API keys.",
        }
