from django.db.models import QuerySet
from django.utils.text import slugify


def unique_slug(name: str, *, taken_in: QuerySet, fallback: str, max_length: int = 100) -> str:
    """A slug for `name` that no row of `taken_in` has yet: the plain slug, else the first free
    one of "-2", "-3", … after it. Callers that need it to stay free until they save lock first."""
    base = slugify(name)[:max_length] or fallback
    taken = set(taken_in.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug
