"""The glossary speaks one language per label: vocabulary words are the vocabularies' own
labels, every text a Korean message with its English in the catalogue."""

import re

import pytest
from django.utils import translation

from budgets.models import FigureKind, FundingSource
from pledges import periods
from pledges.models import Stage
from portal import glossary

pytestmark = pytest.mark.django_db

HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]")


def entry(slug: str) -> glossary.Entry:
    return next(e for e in glossary.ENTRIES if e.slug == slug)


def test_every_stage_has_its_entry_named_by_the_stage_vocabulary():
    for stage in Stage:
        assert entry(f"stage-{stage.value}").word is stage.label
    assert [e.slug for e in glossary.ENTRIES if e.slug.startswith("stage-")] == [
        "stage-review",
        "stage-in_progress",
        "stage-complete",
        "stage-infeasible",
    ]


def test_money_words_come_from_the_table_source_and_period_vocabularies():
    assert entry("secured").word is FigureKind.SECURED.label
    assert entry("executed").word is FigureKind.EXECUTED.label
    assert entry("in-term-plan").word is FigureKind.IN_TERM_PLAN.label
    assert entry("prior").word is periods.NAMES[periods.PRIOR]
    assert entry("after-term").word is periods.NAMES[periods.AFTER]
    assert entry("special-grant").word is FundingSource.SPECIAL_GRANT.label
    with translation.override("ko"):
        sources = [str(word) for word, _text in entry("sources").parts]
    assert sources == ["국비", "도비", "시비", "민자", "특조비", "기타"]


@pytest.mark.parametrize(("language", "foreign"), [("ko", LATIN), ("en", HANGUL)])
def test_each_word_and_text_is_in_the_pages_language_only(language, foreign):
    with translation.override(language):
        texts = [
            str(piece)
            for e in glossary.ENTRIES
            for piece in (e.word, e.text, *[p for pair in e.parts for p in pair])
        ]
    mixed = [text for text in texts if foreign.search(text)]
    assert mixed == []
    assert len(texts) == 14 * 2 + 6 * 2


def test_english_glossary_marks_the_korean_original(client):
    page = client.get("/en/glossary/").content.decode()
    assert '<dt>Secured <span class="original" lang="ko">확보금액</span></dt>' in page
    assert '<dt>Complete <span class="original" lang="ko">완료</span></dt>' in page
    assert '<b>Special grant</b> <span class="original" lang="ko">특조비</span>: ' in page
    korean = client.get("/glossary/").content.decode()
    assert "<dt>확보금액</dt>" in korean and 'class="original"' not in korean
