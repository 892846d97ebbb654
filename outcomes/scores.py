"""The outcome measures' arithmetic (DOMAIN.md, "Outcome measures"): each scale's limits, its
bands, the change that counts as clinically important, and which way is better.

- **PSFS** (Patient-Specific Functional Scale): 3 to 5 activities the patient names, each rated
  0 (unable) to 10 (able as before the problem); the score is the mean. A change of 2 points
  in the mean is clinically important, 3 points for a single activity (Stratford 1995;
  Horn 2012). Higher is better.
- **ODI** (Oswestry, low back): 0–100 %, bands of 20; important change 10 points
  (Ostelo 2008). Lower is better.
- **NDI** (neck): 0–50 points (× 2 for a percentage); important change 7.5 points, i.e. 15 %
  (MacDermid 2009). Lower is better.
- **NPRS** (pain): read from `patients.trends`, which holds its own rule.

A verdict compares the latest score with the baseline (the first one): "better" or "worse" when
the change reaches the important change in that direction, "no clear change" otherwise.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

# Means are floats: "exactly 2 points" must not miss by a rounding error.
TOLERANCE = 1e-9

PSFS_MIN_ACTIVITIES = 3
PSFS_MAX_ACTIVITIES = 5
PSFS_RATING_MIN = 0
PSFS_RATING_MAX = 10
PSFS_IMPORTANT_MEAN_CHANGE = 2
PSFS_IMPORTANT_ACTIVITY_CHANGE = 3
PSFS_DEFAULT_INTERVAL_DAYS = 14
PSFS_INTERVAL_MIN_DAYS = 7
PSFS_INTERVAL_MAX_DAYS = 90


class Measure(models.TextChoices):
    PSFS = "psfs", _("Patient-Specific Functional Scale")
    ODI = "odi", _("Oswestry Disability Index")
    NDI = "ndi", _("Neck Disability Index")


class Verdict(models.TextChoices):
    BETTER = "better", _("Better")
    NO_CLEAR_CHANGE = "same", _("No clear change")
    WORSE = "worse", _("Worse")


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Scale:
    measure: str
    short_name: str
    minimum: int
    maximum: int
    unit: str
    important_change: float
    higher_is_better: bool
    bands: tuple[Band, ...] = ()

    @property
    def label(self) -> str:
        return Measure(self.measure).label

    def band_of(self, value: float) -> Band | None:
        for band in self.bands:
            if band.low <= value <= band.high:
                return band
        return None


PSFS = Scale(
    measure=Measure.PSFS,
    short_name="PSFS",
    minimum=PSFS_RATING_MIN,
    maximum=PSFS_RATING_MAX,
    unit="",
    important_change=PSFS_IMPORTANT_MEAN_CHANGE,
    higher_is_better=True,
)
ODI = Scale(
    measure=Measure.ODI,
    short_name="ODI",
    minimum=0,
    maximum=100,
    unit="%",
    important_change=10,
    higher_is_better=False,
    bands=(
        Band(0, 20, _("Minimal disability")),
        Band(21, 40, _("Moderate disability")),
        Band(41, 60, _("Severe disability")),
        Band(61, 80, _("Crippling back pain")),
        Band(81, 100, _("Bed-bound or exaggerating")),
    ),
)
NDI = Scale(
    measure=Measure.NDI,
    short_name="NDI",
    minimum=0,
    maximum=50,
    unit="",
    important_change=7.5,
    higher_is_better=False,
    bands=(
        Band(0, 4, _("No disability")),
        Band(5, 14, _("Mild disability")),
        Band(15, 24, _("Moderate disability")),
        Band(25, 34, _("Severe disability")),
        Band(35, 50, _("Complete disability")),
    ),
)
SCALES = {scale.measure: scale for scale in (PSFS, ODI, NDI)}
TOTAL_MEASURES = (Measure.ODI, Measure.NDI)


def psfs_score(ratings: list[int]) -> float | None:
    """The PSFS score: the mean of the activities' ratings; None without any."""
    return sum(ratings) / len(ratings) if ratings else None


def ndi_percent(points: int) -> int:
    return points * 2


def verdict_of(
    *, baseline: float | None, latest: float | None, important: float, higher_is_better: bool
) -> str | None:
    """Better, worse or no clear change from `baseline` to `latest`; None without both."""
    if baseline is None or latest is None:
        return None
    change = latest - baseline
    if abs(change) < important - TOLERANCE:
        return Verdict.NO_CLEAR_CHANGE
    improved = change > 0 if higher_is_better else change < 0
    return Verdict.BETTER if improved else Verdict.WORSE


def scale_verdict(scale: Scale, *, baseline: float | None, latest: float | None) -> str | None:
    return verdict_of(
        baseline=baseline,
        latest=latest,
        important=scale.important_change,
        higher_is_better=scale.higher_is_better,
    )


def psfs_activity_verdict(*, baseline: int | None, latest: int | None) -> str | None:
    """One activity's change: 3 points is clinically important for a single activity."""
    return verdict_of(
        baseline=baseline,
        latest=latest,
        important=PSFS_IMPORTANT_ACTIVITY_CHANGE,
        higher_is_better=True,
    )
