"""Writes that a repeated request must not make twice."""

from collections.abc import Callable

from django.db import IntegrityError, models, transaction


def create_once[T: models.Model](existing: models.QuerySet[T], create: Callable[[], T]) -> T:
    """The row `existing` finds, or the one `create` makes in a transaction of its own.

    For submissions that carry their own key (a token from the form, an alert's event): a
    double tap, a refresh or a retried request gets the first row back. When two requests race
    past the first look, the database's unique constraint refuses the second insert, and its
    IntegrityError is answered with the row the first one stored. `create` must therefore leave
    the uniqueness to the database rather than validate it itself."""
    found = existing.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        found = existing.first()
        if found is None:
            raise
        return found
