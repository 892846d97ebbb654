from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Pages by an opaque cursor in id order, so a client walking the list while rows are
    added neither skips nor repeats any."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        asked = request.query_params.get(self.page_size_query_param)
        if asked is None:
            return self.page_size
        if not asked.isdigit() or not 1 <= int(asked) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: (
                        f"Give a whole number from 1 to {self.max_page_size}."
                    )
                }
            )
        return int(asked)
