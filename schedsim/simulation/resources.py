"""Shared capacities of a simulated site: how each was used, and per-day slots (visit slots, apheresis chairs)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ResourceUse:
    """How a shared resource was used: total busy (or booked) days, each wait, moves in and out of window."""

    name: str
    capacity: int
    busy_days: int = 0
    waits: list[int] = field(default_factory=list)
    moved_in_window: int = 0
    moved_out_of_window: int = 0


class DaySlots:
    """A per-day capacity (visit slots, apheresis chairs): book the nearest free day inside the window."""

    def __init__(self, use: ResourceUse) -> None:
        self.use = use
        self.booked: dict[int, int] = {}

    def book(self, wanted: int, earliest: int, latest: int, now: int) -> int:
        capacity, booked = self.use.capacity, self.booked
        low = max(earliest, now)
        count = booked.get(wanted, 0)
        if count < capacity and low <= wanted <= latest:  # the day wanted is free: most bookings
            booked[wanted] = count + 1
            self.use.busy_days += 1
            return wanted
        for step in range(0, 2 * max(latest - earliest, 0) + 1):
            day = wanted + (step + 1) // 2 if step % 2 else wanted - step // 2
            if low <= day <= latest and booked.get(day, 0) < capacity:
                break
        else:
            day = max(latest + 1, low)
            while booked.get(day, 0) >= capacity:
                day += 1
        booked[day] = booked.get(day, 0) + 1
        self.use.busy_days += 1
        if day != wanted:
            if earliest <= day <= latest:
                self.use.moved_in_window += 1
            else:
                self.use.moved_out_of_window += 1
        return day
