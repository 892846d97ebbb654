from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Pages by an opaque cursor in id order, so a client walking the list while rows are
    added neither skips nor repeats any."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
