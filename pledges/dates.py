"""Milestone dates as printed on pledge cards: "2023. 4. ~ 9.", "2023. 5. 25.", "2024. 1. ~"."""

import re
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class PrintedDate:
    start: date | None
    start_precision: str  # "year", "month", "day" or "" when there is no date
    end: date | None = None
    end_precision: str = ""
    open_ended: bool = False


_PRECISION = {1: "year", 2: "month", 3: "day"}


def _numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


def _make(parts: list[int]) -> date:
    year, month, day = (parts + [1, 1])[:3]
    return date(year, month, day)


def parse_printed_date(text: str) -> PrintedDate:
    """Parse a printed milestone date; raise ValueError when it is not one."""
    text = (text or "").strip()
    if not text:
        return PrintedDate(None, "")
    left, sep, right = text.partition("~")
    start = _numbers(left)
    if not 1 <= len(start) <= 3 or not 1900 <= start[0] <= 2200:
        raise ValueError(f"not a printed date: {text!r}")
    result = {"start": _make(start), "start_precision": _PRECISION[len(start)]}
    if sep:
        end = _numbers(right)
        if not end:
            result["open_ended"] = True
        elif end[0] >= 1900:  # a full date: "2023. 12. ~ 2024. 2."
            result.update(end=_make(end), end_precision=_PRECISION[min(len(end), 3)])
        else:  # the end omits the leading parts it shares with the start: "2023. 4. ~ 9."
            parts = start[: len(start) - len(end)] + end
            if len(parts) != len(start):
                raise ValueError(f"not a printed date range: {text!r}")
            result.update(end=_make(parts), end_precision=_PRECISION[len(parts)])
    try:
        return PrintedDate(**result)
    except TypeError as error:  # pragma: no cover - defensive
        raise ValueError(str(error)) from error


def korean_time(moment: datetime) -> datetime:
    """A moment in Korean time (TIME_ZONE, Asia/Seoul) to the second, as every public time
    reads: "2026-12-08T04:56:24+09:00" (HTML's date-time has no microseconds)."""
    from django.utils import timezone

    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.replace(microsecond=0)
