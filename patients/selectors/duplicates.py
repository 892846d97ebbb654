"""Records a new patient may duplicate: the same email, or the same first and last name and
date of birth, in the same clinic, whether active or discharged."""

import datetime

from django.db.models import Q

from ..models import Patient

MATCHES_SHOWN = 5


def patient_matches(
    *,
    clinic,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    date_of_birth: datetime.date | None = None,
) -> list[Patient]:
    """The clinic's records that look like the same person, at most MATCHES_SHOWN, with their
    primary therapist; another clinic's records never match."""
    email = email.strip()
    first_name, last_name = first_name.strip(), last_name.strip()
    same_person = Q()
    if email:
        same_person |= Q(email__iexact=email)
    if first_name and last_name and date_of_birth is not None:
        same_person |= Q(
            first_name__iexact=first_name,
            last_name__iexact=last_name,
            date_of_birth=date_of_birth,
        )
    if not same_person:
        return []
    return list(
        Patient.objects.for_clinic(clinic)
        .filter(same_person)
        .select_related("primary_therapist")
        .order_by("status", "last_name", "first_name", "pk")[:MATCHES_SHOWN]
    )
