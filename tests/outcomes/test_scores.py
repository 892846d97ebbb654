"""The measures' arithmetic: bands at every boundary, the clinically important change at and
just under it, and the direction that counts as better."""

import pytest

from outcomes.scores import (
    NDI,
    ODI,
    PSFS,
    ndi_percent,
    psfs_activity_verdict,
    psfs_score,
    scale_verdict,
)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "Minimal disability"),
        (20, "Minimal disability"),
        (21, "Moderate disability"),
        (40, "Moderate disability"),
        (41, "Severe disability"),
        (60, "Severe disability"),
        (61, "Crippling back pain"),
        (80, "Crippling back pain"),
        (81, "Bed-bound or exaggerating"),
        (100, "Bed-bound or exaggerating"),
    ],
)
def test_odi_bands(total, band):
    assert str(ODI.band_of(total).label) == band


@pytest.mark.parametrize(
    ("points", "band"),
    [
        (0, "No disability"),
        (4, "No disability"),
        (5, "Mild disability"),
        (14, "Mild disability"),
        (15, "Moderate disability"),
        (24, "Moderate disability"),
        (25, "Severe disability"),
        (34, "Severe disability"),
        (35, "Complete disability"),
        (50, "Complete disability"),
    ],
)
def test_ndi_bands(points, band):
    assert str(NDI.band_of(points).label) == band


def test_ndi_as_a_percentage_doubles_the_points():
    assert ndi_percent(0) == 0
    assert ndi_percent(23) == 46
    assert ndi_percent(50) == 100


@pytest.mark.parametrize(
    ("scale", "baseline", "latest", "verdict"),
    [
        # ODI: lower is better, 10 points is important.
        (ODI, 50, 40, "better"),
        (ODI, 50, 41, "same"),
        (ODI, 40, 50, "worse"),
        (ODI, 40, 49, "same"),
        # NDI: lower is better, 7.5 points (15 %) is important.
        (NDI, 30, 22.5, "better"),
        (NDI, 30, 23, "same"),
        (NDI, 20, 28, "worse"),
        (NDI, 20, 27, "same"),
        # PSFS: higher is better, 2 points in the mean is important.
        (PSFS, 3, 5, "better"),
        (PSFS, 3, 4.9, "same"),
        (PSFS, 5, 3, "worse"),
        (PSFS, 5, 3.1, "same"),
        (PSFS, 10 / 3, 16 / 3, "better"),  # means that are not exact in binary
        (PSFS, 4, None, None),
    ],
)
def test_verdict_respects_the_important_change_and_its_direction(scale, baseline, latest, verdict):
    assert scale_verdict(scale, baseline=baseline, latest=latest) == verdict


@pytest.mark.parametrize(
    ("baseline", "latest", "verdict"),
    [(2, 5, "better"), (2, 4, "same"), (7, 4, "worse"), (7, 5, "same"), (3, None, None)],
)
def test_a_single_activity_needs_3_points(baseline, latest, verdict):
    assert psfs_activity_verdict(baseline=baseline, latest=latest) == verdict


def test_psfs_score_is_the_mean_of_the_ratings():
    assert psfs_score([3, 4, 8]) == 5
    assert psfs_score([2, 3, 3, 4]) == 3
    assert psfs_score([]) is None
