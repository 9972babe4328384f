"""The repository stands alone: the source documents the fixtures cite are in it."""

import re

import pytest
from django.conf import settings

from pledges.models import Pledge

pytestmark = pytest.mark.django_db

SOURCES = settings.BASE_DIR / "fixtures" / "sources"


def test_every_seed_pledge_cites_lines_of_a_source_document_in_the_repository():
    for pledge in Pledge.objects.all():
        match = re.fullmatch(r"(\S+\.txt) lines (\d+)–(\d+)", pledge.source)
        assert match, (pledge.code, pledge.source)
        lines = (SOURCES / match[1]).read_text().splitlines()
        first, last = int(match[2]), int(match[3])
        assert 1 <= first < last <= len(lines), (pledge.code, pledge.source)
        card = lines[first - 1 : last]
        assert card[0].strip() == pledge.code and pledge.title in "\n".join(card), pledge.code


def test_the_sources_readme_titles_both_documents():
    readme = (SOURCES / "README.md").read_text()
    assert "| `000_2e66b890b9e7a431.txt` | 민선8기 공약 이행 현황" in readme
    assert "| `003_1647cf70d320e493.txt` | 행정안전국 2025 주요업무 추진계획" in readme
    assert sorted(p.name for p in SOURCES.glob("*.txt")) == [
        "000_2e66b890b9e7a431.txt",
        "003_1647cf70d320e493.txt",
    ]


def test_no_file_of_the_repository_points_outside_it_for_the_sources():
    for pattern in ("*.md", "fixtures/**/*.toml", "**/*.py"):
        for path in settings.BASE_DIR.glob(pattern):
            if ".venv" in path.parts or path.name == "test_sources.py":
                continue
            assert "shared/seeds" not in path.read_text(encoding="utf-8"), path
