"""Dates as the text gives them: EDTF level 1, with bounds a query can use, and relative phrases resolved.

An article rarely gives a date to the day: "late December", "in 2019 or 2020", "Saturday night"
in a paper of Sunday 5 July 2020.  A curator writes what the text says, and kgpub keeps it:

* as an EDTF level-1 expression (the Library of Congress's Extended Date/Time Format): ``2019``,
  ``2019-12``, ``2019-12-30``; qualified as uncertain ``?``, approximate ``~`` or both ``%``;
  with unspecified digits ``201X``, ``2019-XX``, ``2019-12-XX``; seasons ``2019-21`` (spring) to
  ``2019-24`` (winter); intervals ``2019-12-21/2019-12-31``, open ``../2020`` or unknown ``2019/``;
* with its bounds, the earliest and the latest day it can mean (a qualifier says how sure the
  text is, it does not widen the bounds; an open end has none), which SPARQL filters and sorts on;
* with the exact ``xsd:`` value (``kg:date``) only where the date is exact: one date, no
  qualifier, no unspecified digit;
* for a phrase relative to the article ("Saturday night", "last year", "late December"), with the
  phrase and the rule that resolved it against the article's publication date (:data:`RULES`).

:class:`TextDate` is kgpub's one date type: a publication date, a dataset's dates and a query's date
parameter are exact dates of it (:func:`parse_date`: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``), whose
``xsd:`` datatype keeps the precision given and whose year, month and day resolve relative phrases.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

#: The EDTF datatype of the Library of Congress, for ``kg:edtf`` literals.
EDTF_DATATYPE = "http://id.loc.gov/datatypes/edtf/EDTF"

_DATE = re.compile(r"(?P<year>\d{2}[\dX]{2})(?:-(?P<month>[\dX]{2})(?:-(?P<day>[\dX]{2}))?)?(?P<q>[?~%])?")
_SEASONS = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 14)}  # spring ... winter (into next February)
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}

#: The rules that resolve a relative phrase, each against the article's publication date (``P``).
RULES = {
    "same-day": "today, tonight, this morning/afternoon/evening: P itself",
    "previous-day": "yesterday, last night: the day before P",
    "weekday": "(early / late) (on) WEEKDAY (morning/afternoon/evening/night): the latest such weekday on or before P",
    "previous-weekday": "last WEEKDAY: the latest such weekday before P",
    "previous-week": "last week: Monday to Sunday of the week before P's",
    "this-week": "this week: Monday of P's week to P",
    "previous-month": "last month: the month before P's",
    "this-month": "this month: the first of P's month to P",
    "previous-year": "last year: the year before P's",
    "this-year": "this year: the first of January of P's year to P",
    "part-of-month": "(in) early / mid / late MONTH (YEAR): days 1-10 / 11-20 / 21-end of that month (of the latest "
                     "such month not after P when no year is said)",
    "day-of-month": "(on) MONTH DAY (YEAR), (on) DAY MONTH (YEAR): that day (of the latest such month not after P "
                    "when no year is said)",
    "month": "(in) MONTH (YEAR), the MONTH EVENT (\"the January strike\"): that month (the latest such month not "
             "after P when no year is said)",
}

#: The rules that need P's day: when P is known only to its month, each gives the interval from its value on the
#: first day of that month to its value on the last ("Saturday" in an article of July 2020: 27 June to 25 July).
_DAY_RULES = ("same-day", "previous-day", "weekday", "previous-weekday", "previous-week", "this-week", "this-month",
              "this-year")


@dataclass(frozen=True)
class TextDate:
    """A date as an article gives it (see the module's docstring)."""

    edtf: str
    earliest: date | None
    latest: date | None
    #: The exact value and its XSD datatype (``date``, ``gYearMonth``, ``gYear``), None unless exact.
    exact: tuple[str, str] | None
    phrase: str | None = None
    rule: str | None = None

    @property
    def lexical(self) -> str:
        """How the date is shown and compared: its EDTF expression."""
        return self.edtf

    @property
    def datatype(self) -> str:
        """The XSD datatype local name of an exact date, the one that keeps its precision (``gYear``,
        ``gYearMonth``, ``date``); a date that is not exact has none."""
        if self.exact is None:
            raise ValueError(f"{self.edtf!r} is not an exact date: it has no xsd: datatype")
        return self.exact[1]

    @property
    def year(self) -> int:
        """The year of an exact date (a publication date, against which relative phrases resolve)."""
        return self._parts()[0]

    @property
    def month(self) -> int | None:
        """The month of an exact date, None when it is given to the year."""
        return self._parts()[1]

    @property
    def day(self) -> int | None:
        """The day of an exact date, None when it is given to the year or the month."""
        return self._parts()[2]

    def _parts(self) -> tuple[int, int | None, int | None]:
        if self.exact is None:
            raise ValueError(f"{self.edtf!r} is not an exact date: it has no one year, month and day")
        year, month, day = ([int(part) for part in self.exact[0].split("-")] + [None, None])[:3]
        assert year is not None
        return year, month, day


def parse(text: str) -> TextDate:
    """An EDTF level-1 expression; raise ValueError, in a curator's words, when it is not one."""
    text = str(text).strip()
    if "/" in text:
        start, _, end = text.partition("/")
        if "/" in end:
            raise ValueError(f"{text!r} is not a date: an interval has one '/'")
        low = None if start in ("", "..") else _single(start, text)
        high = None if end in ("", "..") else _single(end, text)
        if low is None and high is None:
            raise ValueError(f"{text!r} is not a date: an interval needs at least one end")
        if low is not None and high is not None and low[0] > high[1]:
            raise ValueError(f"{text!r} is not a date: the interval ends before it starts")
        return TextDate(text, low[0] if low else None, high[1] if high else None, None)
    earliest, latest, exact = _single(text, text)
    return TextDate(text, earliest, latest, exact)


def parse_date(value: Any) -> TextDate:
    """An exact date, ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a publication date, a dataset's dates, a query's
    date parameter): EDTF's qualifiers, unknown digits, seasons and intervals are refused, in a curator's words,
    by a ValueError, and so are impossible dates."""
    text = str(value)
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    if not match:
        raise ValueError(f"{text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None
    if month is not None and not 1 <= month <= 12:  # before parse(), which reads months 21 to 24 as seasons
        raise ValueError(f"{text!r} is not a date: there is no month {month}")
    if day is not None:
        assert month is not None
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise ValueError(f"{text!r} is not a date: {calendar.month_name[month]} {year} has {last} days")
    return parse(text)


def _single(text: str, whole: str) -> tuple[date, date, tuple[str, str] | None]:
    """The bounds of one EDTF date (no interval), and its exact value when it has one."""
    match = _DATE.fullmatch(text)
    if match is None:
        raise ValueError(f"{whole!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD, with ? (uncertain), "
                         "~ (approximate) or % (both) at the end, X for unknown digits, or A/B for an interval")
    year, month, day, qualifier = match["year"], match["month"], match["day"], match["q"]
    if "X" in year and (month or day) and not (month == "XX" and (day in (None, "XX"))):
        raise ValueError(f"{whole!r} is not a date: a year with unknown digits takes no known month or day")
    if "X" in year[:2]:
        raise ValueError(f"{whole!r} is not a date: only the last two digits of a year may be unknown (X)")
    if month is not None and "X" in month and month != "XX":
        raise ValueError(f"{whole!r} is not a date: a month is known or unknown (XX) as a whole")
    first_year = int(year.replace("X", "0"))
    last_year = int(year.replace("X", "9"))
    exact = None
    if month is None:
        low, high = date(first_year, 1, 1), date(last_year, 12, 31)
        exact = (year, "gYear") if "X" not in year else None
    elif month == "XX":
        if day not in (None, "XX"):
            raise ValueError(f"{whole!r} is not a date: a day needs a known month")
        low, high = date(first_year, 1, 1), date(last_year, 12, 31)
    elif int(month) in _SEASONS and day is None:
        start, end = _SEASONS[int(month)]
        low = date(first_year, start, 1)
        end_year, end_month = (first_year + 1, end - 12) if end > 12 else (first_year, end)
        high = date(end_year, end_month, calendar.monthrange(end_year, end_month)[1])
    else:
        m = int(month)
        if not 1 <= m <= 12:
            raise ValueError(f"{whole!r} is not a date: there is no month {m}")
        last_day = calendar.monthrange(first_year, m)[1]
        if day is None:
            low, high = date(first_year, m, 1), date(first_year, m, last_day)
            exact = (f"{year}-{month}", "gYearMonth")
        elif "X" in day:
            if day != "XX":
                raise ValueError(f"{whole!r} is not a date: a day is known or unknown (XX) as a whole")
            low, high = date(first_year, m, 1), date(first_year, m, last_day)
        else:
            d = int(day)
            if not 1 <= d <= last_day:
                raise ValueError(f"{whole!r} is not a date: {calendar.month_name[m]} {first_year} has {last_day} days")
            low = high = date(first_year, m, d)
            exact = (f"{year}-{month}-{day}", "date")
    return low, high, exact if qualifier is None else None


def resolve(phrase: str, published: tuple[int, int | None, int | None] | None) -> TextDate:
    """A phrase relative to the article (see :data:`RULES`), resolved against its publication date."""
    words = " ".join(phrase.lower().replace("-", " ").replace(",", " ").split())
    words = re.sub(r"\b(morning|afternoon|evening|night)$", "", words).strip() if not words.startswith(
        ("last night", "this ")) else words
    try:
        rule, value = _rule(words, published, phrase)
    except _NeedsDay:
        assert published is not None and published[1] is not None
        year, month = published[0], published[1]
        rule, first = _rule(words, (year, month, 1), phrase)
        _, last = _rule(words, (year, month, calendar.monthrange(year, month)[1]), phrase)
        low, high = parse(first).earliest, parse(last).latest
        assert low is not None and high is not None
        value = _iso(low) if low == high else f"{_iso(low)}/{_iso(high)}"
    found = parse(value)
    return TextDate(found.edtf, found.earliest, found.latest, found.exact, phrase, rule)


class _NeedsDay(ValueError):
    """A rule needs P's day and P is known to its month only: the rule is applied to the month's first and last
    days instead (see :data:`_DAY_RULES`)."""


def _need(published: tuple[int, int | None, int | None] | None, precision: int, phrase: str) -> tuple[int, int, int]:
    wanted = ("the year", "the month", "the day")[precision - 1]
    if precision == 3 and published is not None and published[1] is not None and published[2] is None:
        raise _NeedsDay(phrase)
    if published is None or (precision >= 2 and published[1] is None) or (precision >= 3 and published[2] is None):
        raise ValueError(f"{phrase!r} is relative to the article: its 'published' date must give {wanted}, "
                         f"or give the date beside the phrase: {_curator_form(phrase)}")
    year, month, day = published
    return year, month or 1, day or 1


def _rule(words: str, published: tuple[int, int | None, int | None] | None, phrase: str) -> tuple[str, str]:
    if words in ("today", "tonight", "this morning", "this afternoon", "this evening"):
        return "same-day", _iso(date(*_need(published, 3, phrase)))
    if words in ("yesterday", "last night"):
        return "previous-day", _iso(date(*_need(published, 3, phrase)) - timedelta(days=1))
    match = re.fullmatch(r"(?:early |late )?(on |last )?(\w+)", words)
    if match and match[2] in _WEEKDAYS:
        day = date(*_need(published, 3, phrase))
        back = (day.weekday() - _WEEKDAYS[match[2]]) % 7
        if match[1] == "last " and back == 0:
            back = 7
        return ("previous-weekday" if match[1] == "last " else "weekday"), _iso(day - timedelta(days=back))
    if words in ("last week", "this week"):
        day = date(*_need(published, 3, phrase))
        monday = day - timedelta(days=day.weekday())
        if words == "this week":
            return "this-week", f"{_iso(monday)}/{_iso(day)}"
        return "previous-week", f"{_iso(monday - timedelta(days=7))}/{_iso(monday - timedelta(days=1))}"
    if words in ("last month", "this month"):
        year, month, _ = _need(published, 2, phrase)
        if words == "this month":
            y, m, d = _need(published, 3, phrase)
            return "this-month", f"{y:04d}-{m:02d}-01/{_iso(date(y, m, d))}"
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return "previous-month", f"{year:04d}-{month:02d}"
    if words == "last year":
        return "previous-year", f"{_need(published, 1, phrase)[0] - 1:04d}"
    if words == "this year":
        y, m, d = _need(published, 3, phrase)
        return "this-year", f"{y:04d}-01-01/{_iso(date(y, m, d))}"
    match = re.fullmatch(r"(?:in )?(early|mid|late) (\w+)(?: (\d{4}))?", words)
    if match and match[2] in _MONTHS:
        year, month = _month_year(_MONTHS[match[2]], match[3], published, phrase)
        last = calendar.monthrange(year, month)[1]
        first, end = {"early": (1, 10), "mid": (11, 20), "late": (21, last)}[match[1]]
        return "part-of-month", f"{year:04d}-{month:02d}-{first:02d}/{year:04d}-{month:02d}-{end:02d}"
    match = (re.fullmatch(r"(?:on )?(?P<month>[a-z]+) (?P<day>\d{1,2})(?:st|nd|rd|th)?(?: (?P<year>\d{4}))?", words)
             or re.fullmatch(r"(?:on )?(?:the )?(?P<day>\d{1,2})(?:st|nd|rd|th)?(?: of)? (?P<month>[a-z]+)(?: (?P<year>\d{4}))?",
                             words))
    if match and match["month"] in _MONTHS:
        year, month = _month_year(_MONTHS[match["month"]], match["year"], published, phrase)
        number = int(match["day"])
        if not 1 <= number <= calendar.monthrange(year, month)[1]:
            raise ValueError(f"{phrase!r}: {calendar.month_name[month]} {year} has "
                             f"{calendar.monthrange(year, month)[1]} days")
        return "day-of-month", f"{year:04d}-{month:02d}-{number:02d}"
    match = re.fullmatch(r"(?:in |the )?(\w+)(?: (\d{4}))?", words) or re.fullmatch(r"the (\w+)(?: (\d{4}))? [a-z]+", words)
    if match and match[1] in _MONTHS:
        year, month = _month_year(_MONTHS[match[1]], match[2], published, phrase)
        return "month", f"{year:04d}-{month:02d}"
    raise ValueError(f"{phrase!r}: kgpub cannot resolve this phrase; give the date beside it: "
                     f"{_curator_form(phrase)} (EDTF: YYYY-MM-DD, 2019-12~, 2019-12-21/2019-12-31 ...), or write a "
                     "phrase of the forms: today, yesterday, last night, (late / on / last) Monday, last week, last month, "
                     "last year, this year, (in) early / mid / late December, (on) December 29, (in) December (2019), "
                     "the December strike")


def _curator_form(phrase: str) -> str:
    """The facts-file form that gives a phrase its date by hand, to copy."""
    return f"{{phrase: {phrase}, date: YYYY-MM-DD}}"


def _month_year(month: int, year: str | None, published: tuple[int, int | None, int | None] | None,
                phrase: str) -> tuple[int, int]:
    if year is not None:
        return int(year), month
    y, m, _ = _need(published, 2, phrase)
    return (y, month) if month <= m else (y - 1, month)


def _iso(day: date) -> str:
    return day.isoformat()
