"""One language per label: English msgids in code, Korean from the catalogue, names derived."""

import pytest
from django.apps import apps
from django.utils import translation

from budgets.finance import PERIOD_NAMES, SOURCE_NAMES, TABLE_NAMES
from budgets.models import FigureKind, FundingSource, ReportStatus
from departments.models import BudgetUnit, Role
from pledges import periods
from pledges.labels import korean
from pledges.models import (
    AdjustmentKind,
    BudgetType,
    CentralSupport,
    Completion,
    DatePrecision,
    Implementer,
    MaterialKind,
    NoteKind,
    NotePlace,
    Pledge,
    ProjectType,
    Stage,
    StageProvenance,
)

VOCABULARIES = [
    ProjectType,
    Implementer,
    Completion,
    BudgetType,
    CentralSupport,
    Stage,
    StageProvenance,
    AdjustmentKind,
    NoteKind,
    NotePlace,
    DatePrecision,
    MaterialKind,
    Role,
    BudgetUnit,
    FundingSource,
    FigureKind,
    ReportStatus,
]


def test_every_choices_class_is_listed_here():
    models = [
        model
        for label in ("departments", "pledges", "budgets")
        for model in apps.get_app_config(label).get_models()
    ]
    used = {
        tuple(value for value, _label in field.choices)
        for model in models
        for field in model._meta.concrete_fields
        if field.choices and field.name != "history_type"  # django-simple-history's own
    }
    assert used == {tuple(klass.values) for klass in VOCABULARIES}


def test_every_choice_label_is_english_in_code_and_korean_in_the_catalogue():
    for klass in VOCABULARIES:
        for member in klass:
            ko = korean(member.label)
            with translation.override("en"):
                en = str(member.label)
            with translation.override(None):  # no catalogue: the msgid itself
                assert str(member.label).isascii(), f"{klass.__name__}.{member.name}: msgid"
            assert "(" not in ko, f"{klass.__name__}.{member.name}: {ko!r} mixes languages"
            assert any("\uac00" <= ch <= "\ud7a3" for ch in ko), f"{ko!r} is not Korean"
            assert en != ko and en.isascii(), f"{klass.__name__}.{member.name}: no English"


def test_stage_labels_read_korean_and_english():
    assert [korean(s.label) for s in Stage] == ["검토", "추진", "완료", "불가"]
    with translation.override("en"):
        assert [str(s.label) for s in Stage] == [
            "Review",
            "In progress",
            "Complete",
            "Not feasible",
        ]


def test_file_and_api_names_are_derived_from_the_labels():
    with translation.override("en"):  # the reader's language does not change them
        assert dict(SOURCE_NAMES) == {
            "total": "계",
            "national": "국비",
            "provincial": "도비",
            "city": "시비",
            "private": "민자",
            "special_grant": "특조비",
            "other": "기타",
        }
        assert dict(TABLE_NAMES) == {
            "investment": "연도별 투자계획",
            "cost_initial": "총사업비 초기계획",
            "cost_current": "총사업비 현재계획",
            "in_term_plan": "임기내 계획",
            "secured": "확보금액",
            "executed": "집행금액",
        }
        assert dict(PERIOD_NAMES) == {"total": "계", "prior": "기투자", "after": "임기후"}


def test_period_labels_follow_the_language():
    with translation.override("ko"):  # whatever a previous test left active
        labels = [str(periods.label(p)) for p in ("total", "prior", "2024", "~2022", "after")]
    assert labels == ["계", "기투자", "2024", "~2022", "임기후"]
    with translation.override("en"):
        assert [str(periods.label(p)) for p in ("total", "prior", "after")] == [
            "Total",
            "Prior investment",
            "After the term",
        ]


@pytest.mark.django_db
def test_english_pledge_page_names_the_stage_and_sources_in_english(client):
    stage = Pledge.objects.get(code="12-9").stage
    with translation.override("en"):
        english = str(Stage(stage).label)
    html = client.get("/en/pledges/12-9/").content.decode()
    assert f'<span class="step-label">{english}</span>' in html
    assert '<th scope="row">National</th>' in html and '<th scope="row">국비</th>' not in html
    korean_html = client.get("/pledges/12-9/").content.decode()
    assert f'<span class="step-label">{korean(Stage(stage).label)}</span>' in korean_html
    assert '<th scope="row">국비</th>' in korean_html
    assert "<dt>Total cost, initial plan</dt>" in html and "<dt>In-term execution</dt>" in html
    assert "<dt>총사업비 초기계획</dt>" in korean_html and "<dt>임기내 집행</dt>" in korean_html


@pytest.mark.django_db
def test_api_keeps_korean_names_on_an_english_request(client):
    data = client.get("/api/pledges/12-1/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["stage_name"] == korean(Stage(data["stage"]).label)
    assert data["finance"]["secured_by_source"] == {"시비": 3920}
    assert data["officials"][0]["role_name"] == "과장"


def _catalogue_entries(path):
    """(msgid, msgstr, flags) of a .po file's live entries (not obsolete, not plural)."""
    import re

    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        if "msgid_plural" in block or block.lstrip().startswith("#~"):
            continue
        found = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', block + "\n", re.M)
        if found:
            text = ["".join(re.findall(r'"(.*)"', part)) for part in found.groups()]
            flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
            entries.append((text[0], text[1], flags))
    return entries


def test_every_english_text_of_the_korean_ui_has_its_korean_translation(settings):
    """Korean is the default: an English msgid left without msgstr (or only "fuzzy", which
    is not compiled) shows English on a Korean page."""
    entries = _catalogue_entries(settings.BASE_DIR / "locale/ko/LC_MESSAGES/django.po")
    assert len(entries) > 300
    missing = [
        m for m, s, _f in entries[1:] if m.isascii() and any(c.isalpha() for c in m) and not s
    ]
    fuzzy = [m for m, _s, flags in entries[1:] if "fuzzy" in flags]
    assert missing == [] and fuzzy == []


# Every app and template: msgids are English (a finding's bilingual explanation in
# budgets/quality.py is built from English msgids, each half in its language).
ENGLISH_MSGID_FILES = [
    "core",
    "departments",
    "pledges",
    "budgets",
    "portal",
    "publications",
    "paju_pledges",
    "templates",
]
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "pgettext"}


def _msgids_with_korean(path) -> list[str]:
    import ast
    import re

    hangul = re.compile("[\uac00-\ud7a3]")
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        found = re.findall(r'\{%\s*(?:translate|trans)\s+"([^"]*)"', text)
        found += re.findall(
            r"\{%\s*blocktrans(?:late)?\b.*?%\}(.*?)\{%\s*endblocktrans", text, re.S
        )
    else:
        found = []
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in GETTEXT_NAMES:
                found += [
                    arg.value
                    for arg in node.args
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                ]
    # an English msgid may name a Korean term as printed ("current total cost (백만원)")
    return [
        m
        for m in found
        if hangul.search(m)
        and len(hangul.findall(m)) >= len(re.findall("[A-Za-z]", m))
        or " / " in m
        and hangul.search(m)
    ]


def test_msgids_are_english_with_the_korean_in_the_catalogue(settings):
    korean_msgids = {}
    for top in ENGLISH_MSGID_FILES:
        for path in sorted((settings.BASE_DIR / top).rglob("*")):
            relative = str(path.relative_to(settings.BASE_DIR))
            if path.suffix not in (".py", ".html") or "migrations" in path.parts:
                continue
            if found := _msgids_with_korean(path):
                korean_msgids[relative] = found
    assert korean_msgids == {}
