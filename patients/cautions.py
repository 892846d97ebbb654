"""Which cautions a patient reads once for a plan, and which belong to one exercise.

The catalog gives every exercise its own list, and most lists repeat the same advice ("stop at
once if it causes sharp or increasing pain…"). A patient shown that advice five times stops
reading it; shown once per plan, beside the plan's safety rule, it is read. So advice that two
or more of a plan's exercises share is the plan's; what only one exercise says stays with it.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# The guide's rule, shown once for every plan.
SAFETY_RULE = _("Stop if it hurts, and tell your therapist.")


@dataclass(frozen=True)
class PlanCautions:
    shared: list[str] = field(default_factory=list)
    by_item: dict[int, list[str]] = field(default_factory=dict)

    def own(self, item) -> list[str]:
        return self.by_item.get(item.pk, [])


def plan_cautions(items: Iterable) -> PlanCautions:
    """Split the cautions of a plan's items (each with its exercise) into the advice shared by
    two or more of them, in the order first met, and each item's own."""
    items = list(items)
    lists = {item.pk: list(dict.fromkeys(item.exercise.caution_list)) for item in items}
    counts = Counter(caution for cautions in lists.values() for caution in cautions)
    shared = [
        caution
        for caution in dict.fromkeys(caution for cautions in lists.values() for caution in cautions)
        if counts[caution] > 1
    ]
    return PlanCautions(
        shared=shared,
        by_item={
            pk: [caution for caution in cautions if counts[caution] == 1]
            for pk, cautions in lists.items()
        },
    )
