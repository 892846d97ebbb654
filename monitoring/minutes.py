"""Treatment-management minutes in a calendar month against the 2026 CPT thresholds
(DOMAIN.md): the first 10 minutes (98979), the first 20 minutes (98980) and each further
20 minutes (98981). Rehabit reports where the month's total stands; the clinic decides what
it bills."""

from dataclasses import dataclass

FIRST_THRESHOLD = 10
SECOND_THRESHOLD = 20
FURTHER_BLOCK = 20


@dataclass(frozen=True)
class MinutesProgress:
    total: int
    # The further 20-minute blocks completed past the first 20 minutes (40, 60, …).
    further_blocks: int
    next_at: int

    @property
    def reached_first(self) -> bool:
        return self.total >= FIRST_THRESHOLD

    @property
    def reached_second(self) -> bool:
        return self.total >= SECOND_THRESHOLD

    @property
    def to_go(self) -> int:
        return self.next_at - self.total

    @property
    def further_reached_at(self) -> list[int]:
        """The totals at which each completed further block was reached: 40, 60, …"""
        return [SECOND_THRESHOLD + FURTHER_BLOCK * n for n in range(1, self.further_blocks + 1)]


def minutes_progress(total: int) -> MinutesProgress:
    if total < FIRST_THRESHOLD:
        return MinutesProgress(total, 0, FIRST_THRESHOLD)
    if total < SECOND_THRESHOLD:
        return MinutesProgress(total, 0, SECOND_THRESHOLD)
    further = (total - SECOND_THRESHOLD) // FURTHER_BLOCK
    return MinutesProgress(total, further, SECOND_THRESHOLD + FURTHER_BLOCK * (further + 1))
