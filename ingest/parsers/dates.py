"""Date parsing: page dates like "Mar 9, 2018" or "Apr 4", and ISO / BibTeX dates; a missing year is never invented."""

from __future__ import annotations

import re
from datetime import date as Date

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
MONTH_RE = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
# "Nov 14, 2022" / "Apr 4"; a trailing bare number is the page's upvote count ("Feb 1 2", "Mar 9, 2018 1").
PAGE_DATE = re.compile(rf"(?P<month>{MONTH_RE}) (?P<day>\d{{1,2}})(?:, (?P<year>\d{{4}}))?")
PAGE_DATE_LINE = re.compile(rf"^{PAGE_DATE.pattern}(?: (?P<upvotes>\d+))?$")
_ISO = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?(?:[T ].*)?$")
_MONTH_FIRST = re.compile(r"^(?P<month>[A-Za-z]{3,9})\.? (?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,? (?P<year>\d{4}))?$")
_DAY_FIRST = re.compile(r"^(?P<day>\d{1,2}) (?P<month>[A-Za-z]{3,9})\.?(?:,? (?P<year>\d{4}))?$")
_MONTH_YEAR = re.compile(r"^(?P<month>[A-Za-z]{3,9})\.?,? (?P<year>\d{4})$")
_SLASHED = re.compile(r"^(?P<year>\d{4})/(?P<month>\d{1,2})(?:/(?P<day>\d{1,2}))?$")

Parsed = tuple[int | None, str | None]  # (year, ISO date)


def iso_date(year: int | None, month: int, day: int | None) -> str | None:
    """'2023-03-26', '2023-03' (no day) or '--03-26' (no year); None when the date cannot exist."""
    try:
        if day is None:
            return f"{year:04d}-{month:02d}" if year is not None and 1 <= month <= 12 else None
        Date(year if year is not None else 2000, month, day)  # 2000 is a leap year: "--02-29" is valid
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}" if year is not None else f"--{month:02d}-{day:02d}"


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    value = int(text)
    return value if 1000 <= value <= 2999 else None


def _from_match(match: re.Match[str], month: int | None) -> Parsed:
    year = _year(match.group("year"))
    if month is None:
        return year, None
    day_text = match.groupdict().get("day")
    day = int(day_text) if day_text else None
    if day is None and year is None:
        return None, None
    return year, iso_date(year, month, day)


def parse_page_date(text: str) -> Parsed:
    """A listing-page date line ("Nov 14, 2022", "Apr 4", "Feb 1 2" = Feb 1 with 2 upvotes)."""
    match = PAGE_DATE_LINE.match(text.strip())
    if not match:
        return None, None
    return _from_match(match, MONTHS[match.group("month").lower()])


def parse_date(text: str | int | None) -> Parsed:
    """Any supported date text or year; returns (year, ISO date) with None for what is unknown."""
    if text is None:
        return None, None
    if isinstance(text, int):
        return _year(str(text)), None
    text = " ".join(str(text).split())
    for pattern in (_ISO, _SLASHED):
        if match := pattern.match(text):
            month_text = match.group("month")
            return _from_match(match, int(month_text) if month_text else None)
    for pattern in (_MONTH_FIRST, _DAY_FIRST, _MONTH_YEAR):
        if (match := pattern.match(text)) and (month := MONTHS.get(match.group("month").lower())):
            return _from_match(match, month)
    return None, None


def month_number(text: str) -> int | None:
    """BibTeX month: 'mar', 'March', '3'."""
    text = text.strip().lower().rstrip(".")
    if text.isdigit():
        value = int(text)
        return value if 1 <= value <= 12 else None
    return MONTHS.get(text)
