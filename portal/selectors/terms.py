"""The term and the day a request asks for: ``?term=N`` and ``?as_of=YYYY-MM-DD``.

Pages answer an unknown term with a 404 (``term_shown``); the open data refuses it with a
400 that names the parameter (``term_asked``). A day is read as its last moment in Seoul.
"""

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.http import Http404
from django.utils.translation import gettext as _

from pledges.models import Term
from pledges.particles import josa


def term_shown(number_text: str | None) -> Term:
    """The term asked for with ?term=N, else the current one. A term number that names no
    term is a 404, not the current term shown under the asked number; what is not a number
    at all is ignored."""
    number = Term.parse_number(number_text)
    terms = Term.objects.all()
    term = terms.filter(number=number).first() if number is not None else None
    if number is not None and term is None:
        raise Http404(_("There is no such term."))
    term = term or terms.filter(is_current=True).first() or terms.first()
    if term is None:
        raise Http404(_("No pledges have been loaded yet."))
    return term


SEOUL = ZoneInfo("Asia/Seoul")


class BadQuery(ValueError):
    """A query-string value the open data refuses (400), with a Korean / English message."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


AS_OF_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def as_of_moment(text: str | None, term: Term) -> datetime | None:
    """``?as_of=YYYY-MM-DD`` as the last moment of that day in Seoul; None when absent.

    Refused: not a date, a day before the term began, a day after today (Seoul).
    """
    if text is None or text == "":
        return None
    try:  # exactly YYYY-MM-DD in ASCII digits: no spaces around it, no week dates
        day = date.fromisoformat(text) if AS_OF_TEXT.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise BadQuery(
            "as_of",
            f"as_of는 YYYY-MM-DD 형식의 날짜여야 합니다: {text!r}. / "
            f"as_of must be a date written YYYY-MM-DD: {text!r}.",
        )
    if day < term.start:
        raise BadQuery(
            "as_of",
            f"as_of {josa(day, '은/는')} {term.name} 임기 시작일({term.start}) 이전입니다. / "
            f"as_of {day} is before the term {term.name} began ({term.start}).",
        )
    today = datetime.now(SEOUL).date()
    if day > today:
        raise BadQuery(
            "as_of",
            f"as_of {josa(day, '은/는')} 미래입니다 (오늘 {today}). / as_of {day} is in the future "
            f"(today is {today} in Seoul).",
        )
    return datetime.combine(day, time.max, tzinfo=SEOUL)


def term_asked(number_text: str | None) -> Term:
    """The term of ``?term=N`` for the open data: a value that is not a known term is refused."""
    if number_text is None or number_text == "":
        return term_shown(None)
    number = Term.parse_number(number_text)
    term = Term.objects.filter(number=number).first() if number is not None else None
    if term is None:
        raise BadQuery(
            "term",
            f"term은 임기 번호여야 합니다(예: 8): {number_text!r}. / "
            f"term must be the number of a known term (e.g. 8): {number_text!r}.",
        )
    return term
