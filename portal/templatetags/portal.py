"""Numbers as the city prints them: 1,330 (백만원); unpublished values say so."""

import re
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from django import template
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse, translate_url
from django.utils import dateformat, timezone
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from pledges import particles, periods
from pledges.dates import korean_time, parse_printed_date
from pledges.labels import korean as korean_label
from pledges.models import Term

from .. import glossary, summaries

register = template.Library()


@lru_cache(maxsize=4096)
def _reversed(view: str, args: tuple, language: str | None, prefix: str) -> str:
    return reverse(view, args=args)


@register.simple_tag
def link(view: str, *args) -> str:
    """``{% url %}`` remembered per language and script prefix: the URL configuration does
    not change while the process runs, and a page links to the same few views hundreds of
    times (home: about 300 links, ~30 µs each to reverse). ``{% link 'portal:list' as x %}``
    works as ``url … as`` does. Escaped on output as any simple tag's value."""
    return _reversed(view, tuple(str(arg) for arg in args), get_language(), get_script_prefix())


def _blank() -> str:
    """A cell the card prints blank or "-": "–" on screen, said in words to screen readers.
    Not zero, and not hidden by anyone: the table's legend says what "–" means."""
    return format_html(
        '<span class="blank"><span aria-hidden="true">–</span>'
        '<span class="visually-hidden">{}</span></span>',
        _("blank"),
    )


@register.filter
def amount(value) -> str:
    """1330 → "1,330"; None (no printed cell) → "–"."""
    if value is None or value == "":
        return _blank()
    return f"{value:,}"


@register.filter
def rate(value: Decimal | None) -> str:
    """12.3 → "12.3%", never capped; None (nothing to divide) → "–"."""
    if value is None:
        return _blank()
    return f"{summaries.rate_shown(value)}%"


@register.filter
def bar_width(value: Decimal | float | None) -> str:
    """A progress bar's width in percent, capped at 100 (a rate above 100 % still shows full)."""
    if value is None:
        return "0"
    return str(min(Decimal(str(value)), Decimal(100)).quantize(Decimal("0.1")))


@register.filter
def period_label(value: str) -> str:
    return str(periods.label(value))


@register.filter
def korean(label) -> str:
    """A vocabulary's label as the Korean card prints it, whatever the page's language."""
    return korean_label(label)


@register.filter
def get(mapping: dict, key):
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def translated_url(context, language: str) -> str:
    """This page's URL in another language (/pledges/ ↔ /en/pledges/), query string kept."""
    return translate_url(context["request"].get_full_path(), language)


def _english() -> bool:
    return (get_language() or "ko").startswith("en")


@register.filter
def shown(obj, field: str) -> str:
    """A name or title in the page's language: on English pages the stored unofficial
    translation (``<field>_en``), else the Korean marked ``lang="ko"`` (WCAG 3.1.2)."""
    korean = getattr(obj, field, "") if obj is not None else ""
    if not _english():
        return korean
    english = getattr(obj, f"{field}_en", "")
    if english:
        return english
    return format_html('<span lang="ko">{}</span>', korean) if korean else ""


@register.filter
def ko(value) -> str:
    """Korean data text; marked ``lang="ko"`` on English pages; its dates kept whole."""
    if not value:
        return ""
    value = dates_kept(value)
    return format_html('<span lang="ko">{}</span>', value) if _english() else value


_HANGUL_RUN = re.compile(
    r"[\uac00-\ud7a3][\uac00-\ud7a3\s·()0-9.,~-]*[\uac00-\ud7a3)]|[\uac00-\ud7a3]"
)


@register.filter
def korean_marked(value) -> str:
    """Text that may quote Korean (an English note naming 시민소통관): on English pages each
    Korean run is marked ``lang="ko"``, the rest stays as it is (escaped)."""
    text = conditional_escape(str(value or ""))
    if not _english():
        return text
    return mark_safe(_HANGUL_RUN.sub(lambda m: f'<span lang="ko">{m.group(0)}</span>', text))


# A printed date in running text: "2026. 3.", "2023. 12. 18." (a line must not split it)
_PRINTED_DATE = re.compile(r"\d{4}\. ?\d{1,2}\.(?: ?\d{1,2}\.)?")


@register.filter
def dates_kept(value) -> str:
    """Text (escaped) with each printed date in a ``<span class="date">`` that does not
    wrap: no "2026. / 3." at the end of a line on a phone."""
    if not value:
        return ""
    return mark_safe(
        _PRINTED_DATE.sub(lambda m: f'<span class="date">{m.group(0)}</span>', escape(value))
    )


@register.filter
def day(value, with_time: str = "") -> str:
    """A date as the page's readers write it: "2026. 1. 31." / "31 January 2026"."""
    if not value:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)  # the reader's clock (Asia/Seoul), not UTC
    if _english():
        fmt = "j F Y, H:i" if with_time else "j F Y"
    else:
        fmt = "Y. n. j. H:i" if with_time else "Y. n. j."
    return dateformat.format(value, fmt)


@register.filter
def month(value) -> str:
    """A moment known to its month only (the seed's publication): "2026. 1." / "January 2026",
    never an invented day."""
    if not value:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, "F Y" if _english() else "Y. n.")


@register.filter
def moment(value) -> str:
    """A ``<time datetime>`` value: Korean time to the second, "2026-12-08T04:56:24+09:00"
    (HTML's valid date-time string has no microseconds)."""
    return korean_time(value).isoformat() if value else ""


_ENGLISH_DATE = {"year": "Y", "month": "F Y", "day": "j F Y"}


@register.filter
def printed_date(text: str) -> str:
    """A milestone's printed date in the page's language: "2024. 1. ~ 3." as printed on
    Korean pages, "January 2024 – March 2024" on English ones (marked Korean if unparsed)."""
    if not text or not _english():
        return text or ""
    try:
        printed = parse_printed_date(text)
    except ValueError:
        return format_html('<span lang="ko">{}</span>', text)
    if printed.start is None:
        return ""
    start = dateformat.format(printed.start, _ENGLISH_DATE[printed.start_precision])
    if printed.end:
        return f"{start} – {dateformat.format(printed.end, _ENGLISH_DATE[printed.end_precision])}"
    return f"{start} –" if printed.open_ended else start


@register.simple_tag
def term(slug: str, label) -> str:
    """A money or stage word linked to its explanation on the glossary page (용어 설명)."""
    if slug not in glossary.SLUGS:
        raise template.TemplateSyntaxError(f"no glossary entry {slug!r}")
    return format_html('<a class="term" href="{}#{}">{}</a>', link("portal:glossary"), slug, label)


@register.simple_tag(takes_context=True)
def canonical_url(context, language: str = "", as_of=None) -> str:
    """This page's address without filters or paging, absolute, and in another language
    when asked: for rel=canonical, hreflang and og:url. It names the term the page shows
    (a pledge code, a department's page, a list mean something only within a term: once
    the next term is current, a shared /pledges/12-8/ would open another pledge); and the
    day, when given (a printed page of figures as of a day)."""
    request = context["request"]
    path = translate_url(request.path, language) if language else request.path
    asked = request.GET.get("term", "")
    number = getattr(context.get("term"), "number", None) or (asked if asked.isdigit() else "")
    query = f"?term={number}" if number else ""
    if as_of:
        query += f"{'&' if query else '?'}as_of={as_of:%Y-%m-%d}"
    return request.build_absolute_uri(path + query)


@register.simple_tag(takes_context=True)
def absolute_static(context, path: str) -> str:
    return context["request"].build_absolute_uri(static(path))


_LINE_REFERENCE = re.compile(r"\s*\((?:\d{3} )?lines? [\d–\-, ]+(?::[^)]*)?\)")
_INNER_LINE_REFERENCE = re.compile(r",\s*(?:\d{3} )?lines? [\d–\-, ]*\d(?=\))")


@register.filter
def public_text(value: str) -> str:
    """An inference reason or note without the seed's line references ("(line 98)"): the
    page names its source document in "자료 근거"; the open data keeps the references."""
    return dates_kept(_INNER_LINE_REFERENCE.sub("", _LINE_REFERENCE.sub("", value or "")))


@register.filter
def reading_badge(note: str) -> str:
    """What happened to an official's printed entry, from its note: 판독 불가 (the extraction
    damaged it beyond reading), 복원 (recovered from another card), or 추정 (inferred)."""
    if not note:
        return ""
    if "판독 불가" in note:
        label, kind = _("unreadable in the extraction"), "damaged"
    elif "복원" in note:
        label, kind = _("recovered"), "recovered"
    else:
        label, kind = _("inferred"), "inferred"
    return format_html('<span class="badge badge-{}">{}</span>', kind, label)


@register.filter
def as_of_shown(pledge) -> str:
    """The card's as-of date as precisely as printed, in the page's date style: "2026. 1." /
    "January 2026"; "" when the card prints none."""
    if not pledge.as_of_printed:
        return ""
    if pledge.as_of_precision == "month":
        return dateformat.format(pledge.as_of, "F Y" if _english() else "Y. n.")
    if pledge.as_of_precision == "year":
        return str(pledge.as_of.year)
    return day(pledge.as_of)


# A run of Korean in an English text: Hangul syllables, with the digits, spaces and marks
# between them (민선8기 and 「시민중심 자족도시 – 행정은 새롭다」 are one run each)
_HANGUL_RUN = re.compile(r"[\uac00-\ud7a3](?:[\uac00-\ud7a30-9\s·–\-「」]*[\uac00-\ud7a3」])?")


def _korean_runs_marked(text: str) -> str:
    """``text`` escaped, each run of Korean in it marked ``lang="ko"`` (WCAG 3.1.2)."""
    parts, end = [], 0
    for match in _HANGUL_RUN.finditer(text):
        parts += [escape(text[end : match.start()]), f'<span lang="ko">{escape(match[0])}</span>']
        end = match.end()
    parts.append(escape(text[end:]))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped


@register.simple_tag
def sources_term(term=None):
    """The term whose documents a page cites: the page's own, else the current term."""
    if isinstance(term, Term):
        return term
    return Term.objects.filter(is_current=True).first()


@register.simple_tag
def source_line(korean: str, english: str = "", title_only: bool = False) -> str:
    """One source document as a page in its language cites it: on English pages its
    stored English (an unofficial translation; the Korean titles in it marked), else the
    Korean marked ``lang="ko"``. ``title_only``: the line up to its first ": " (what
    follows says what of the document is used; the footer cites the title)."""
    if title_only:
        korean, english = korean.split(": ")[0], english.split(": ")[0]
    if not _english():
        return korean
    if english:
        return _korean_runs_marked(english)
    return format_html('<span lang="ko">{}</span>', korean)


@register.simple_tag
def pledge_summary(pledge, department: str = "") -> str:
    """The pledge's one-sentence summary (``portal.summaries``): page, meta tags and print."""
    return summaries.pledge_summary(pledge, department)


@register.filter
def josa(word, pair: str) -> str:
    """The word with the particle it takes: {{ amount|josa:"이/가" }} → "1,434가"."""
    return particles.josa(word, pair)
