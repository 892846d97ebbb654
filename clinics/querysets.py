from django.db import models


class ClinicOwnedQuerySet(models.QuerySet):
    """Rows that belong to one clinic. Every staff-side lookup starts from `for_clinic`."""

    def for_clinic(self, clinic):
        return self.filter(clinic=clinic)
