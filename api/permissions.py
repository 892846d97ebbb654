from rest_framework import permissions


class KeyScope(permissions.BasePermission):
    """Every call needs a key; a read-only key may only read."""

    message = "This key may only read. Ask a clinic admin for a key that may read and write."

    def has_permission(self, request, view):
        key = request.auth
        if key is None:
            return False
        return request.method in permissions.SAFE_METHODS or key.can_write
